import ConvergeTestSupport
import XCTest
@testable import Converge

final class AttentionHeadsTests: XCTestCase {
    func testSplitAndMergeHeadsRoundTripAndGradients() {
        let g = RandomGenerator(seed: 1)
        let packed = Tensor.randomNormal([2, 3, 12], generator: g, requiresGrad: true)
        let k = packed.splitHeads(part: 1, of: 3, heads: 2)
        XCTAssertEqual(k.shape, [2, 2, 3, 2])
        // Head 1 of the key part of token (0, 2) is features 4 + 2..<4 + 4.
        XCTAssertEqual(Array(k.scalars[(1 * 3 + 2) * 2..<(1 * 3 + 2) * 2 + 2]), Array(packed.scalars[2 * 12 + 6..<2 * 12 + 8]))
        XCTAssertEqual(k.mergeHeads().scalars, packed.sliced(alongAxis: 2, 4..<8).scalars)
        let result = gradientCheck([packed]) { t in
            t[0].splitHeads(part: 2, of: 3, heads: 2) * t[0].splitHeads(part: 0, of: 3, heads: 2)
        }
        XCTAssertTrue(result.passed, result.description)
    }

    func testIndexEmbeddingCrossEntropyAndLastTimeStepGradientChecks() {
        let g = RandomGenerator(seed: 2)
        let table = Tensor.randomNormal([5, 3], generator: g, requiresGrad: true)
        let ids = IndexTensor(shape: [2, 2], [4, 0, 4, 2])
        XCTAssertTrue(gradientCheck([table]) { Tensor.embedding(ids, weight: $0[0]) }.passed)
        // The padding row is excluded from the gradient on purpose (PyTorch's padding_idx).
        Tensor.embedding(ids, weight: table, paddingIndex: 0).sum().backward()
        XCTAssertEqual(Array(table.grad!.scalars[0..<3]), [0, 0, 0])
        XCTAssertEqual(Array(table.grad!.scalars[12..<15]), [2, 2, 2])
        table.grad = nil
        let logits = Tensor.randomNormal([2, 3, 4], generator: g, requiresGrad: true)
        let targets = IndexTensor(shape: [2, 3], [0, 3, 1, -100, 2, 2])
        let ce = gradientCheck([logits]) { tokenCrossEntropy(logits: $0[0], targets: targets) }
        XCTAssertTrue(ce.passed, ce.description)
        let sequence = Tensor.randomNormal([2, 4, 3], generator: g, requiresGrad: true)
        let last = LastTimeStep()
        XCTAssertEqual(last(sequence).scalars, Array(sequence.scalars[9..<12]) + Array(sequence.scalars[21..<24]))
        XCTAssertTrue(gradientCheck([sequence]) { last($0[0]) }.passed)
    }
}
