import ConvergeTestSupport
import XCTest
@testable import Converge

final class PositionalEncodingTests: XCTestCase {
    func testSinusoidalValuesMatchTheFormula() {
        let pe = SinusoidalPositionalEncoding(maxLength: 5, dimension: 4)
        let y = pe(Tensor.zeros([1, 3, 4]))
        // Position 2: sin(2), cos(2), sin(2/100), cos(2/100).
        XCTAssertNil(mismatch(Array(y.scalars[8..<12]), [sin(2), cos(2), sin(0.02), cos(0.02)].map { Float($0) }))
        XCTAssertTrue(pe.namedParameters().isEmpty)
        XCTAssertTrue(pe.stateDict().isEmpty)
    }

    func testLearnedTableAddsRowsAndGetsGradients() {
        let pe = LearnedPositionalEmbedding(maxLength: 4, dimension: 2, generator: RandomGenerator(seed: 1))
        let x = Tensor.randomNormal([3, 2, 2], generator: RandomGenerator(seed: 2), requiresGrad: true)
        let result = gradientCheck([x, pe.weight]) { t in pe(t[0]) }
        XCTAssertTrue(result.passed, result.description)
        pe.zeroGrad()
        pe(x).sum().backward()
        XCTAssertEqual(pe.weight.grad!.scalars, [3, 3, 3, 3, 0, 0, 0, 0])
    }
}
