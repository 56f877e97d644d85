import XCTest
@testable import Converge

final class PolynomialLRTests: XCTestCase {
    func testMatchesPyTorch() {
        ScheduleGolden.check(PolynomialLR(baseLearningRate: 0.1, totalIterations: 30, power: 2), "polynomial")
    }

    func testPowerOneIsLinearDecayToZero() {
        let schedule = PolynomialLR(baseLearningRate: 1, totalIterations: 4)
        XCTAssertEqual(schedule.learningRates(steps: 6), [1, 0.75, 0.5, 0.25, 0, 0])
    }
}
