import XCTest
@testable import Converge

final class StepLRTests: XCTestCase {
    func testMatchesPyTorch() {
        ScheduleGolden.check(StepLR(baseLearningRate: 0.1, stepSize: 7, gamma: 0.5), "step")
    }

    func testDecaysEveryStepSize() {
        let schedule = StepLR(baseLearningRate: 1, stepSize: 30)
        XCTAssertEqual(schedule.learningRate(atStep: 29), 1)
        XCTAssertEqual(schedule.learningRate(atStep: 30), 0.1, accuracy: 1e-15)
        XCTAssertEqual(schedule.learningRate(atStep: 60), 0.01, accuracy: 1e-15)
    }
}
