import ConvergeTestSupport
import XCTest
@testable import Converge

final class EmbeddingTests: XCTestCase {
    func testMatchesPyTorch() {
        assertMatchesGolden("embedding", Embedding(10, 4, paddingIndex: 2))
    }

    func testInitialization() {
        Random.seed(1)
        let table = Embedding(500, 8, paddingIndex: -1)
        XCTAssertEqual(table.paddingIndex, 499)
        XCTAssertEqual(Array(table.weight.scalars.suffix(8)), [Float](repeating: 0, count: 8))
        let values = table.weight.scalars.dropLast(8)
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)
        XCTAssertEqual(mean, 0, accuracy: 0.05)
        XCTAssertEqual(variance, 1, accuracy: 0.08)
    }

    func testGradientCheckAndPaddingRow() {
        Random.seed(2)
        let indices = Tensor(shape: [2, 3], scalars: [1, 0, 4, 4, 2, 0])
        let plain = Embedding(5, 3)
        assertGradientsMatch(gradientCheck([plain.weight]) { _ in plain(indices) * Tensor.arange(3) })
        // The padding row affects the output but, as in PyTorch, receives no gradient.
        let table = Embedding(5, 3, paddingIndex: 0)
        table(indices).sum().backward()
        XCTAssertEqual(Array(table.weight.grad!.scalars.prefix(3)), [0, 0, 0])
        XCTAssertEqual(Array(table.weight.grad!.scalars.suffix(3)), [2, 2, 2])
    }
}
