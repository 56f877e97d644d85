import XCTest
@testable import Converge

final class ConstantLRTests: XCTestCase {
    func testMatchesPyTorch() {
        ScheduleGolden.check(ConstantLR(baseLearningRate: 0.1, factor: 0.5, totalIterations: 4), "constant")
    }

    func testDefaultIsConstant() {
        let schedule = ConstantLR(baseLearningRate: 0.3)
        XCTAssertEqual(schedule.learningRates(steps: 5), [0.3, 0.3, 0.3, 0.3, 0.3])
        XCTAssertNil(schedule.momenta(steps: 5))
    }
}
