import XCTest
@testable import Converge

final class GainTests: XCTestCase {
    func testValuesMatchPyTorch() {
        for n in [Nonlinearity.linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid] {
            XCTAssertEqual(calculateGain(n), 1, "\(n)")
        }
        XCTAssertEqual(calculateGain(.tanh), 5.0 / 3.0)
        XCTAssertEqual(calculateGain(.relu), Float(2).squareRoot())
        XCTAssertEqual(calculateGain(.selu), 0.75)
        XCTAssertEqual(calculateGain(.leakyRelu), (2 / (1 + 0.01 * 0.01) as Float).squareRoot(), accuracy: 1e-7)
        XCTAssertEqual(calculateGain(.leakyRelu, negativeSlope: 0.2), (2 / 1.04 as Float).squareRoot(), accuracy: 1e-7)
        XCTAssertEqual(calculateGain(.leakyRelu, negativeSlope: 0), Float(2).squareRoot())
        XCTAssertEqual(calculateGain(.relu, negativeSlope: 0.5), Float(2).squareRoot(), "slope ignored")
    }
}
