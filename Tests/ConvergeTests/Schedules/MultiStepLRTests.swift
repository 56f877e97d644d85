import XCTest
@testable import Converge

final class MultiStepLRTests: XCTestCase {
    func testMatchesPyTorch() {
        ScheduleGolden.check(MultiStepLR(baseLearningRate: 0.1, milestones: [12, 5, 20], gamma: 0.3), "multi_step")
    }

    func testRepeatedMilestoneCountsTwice() {
        let schedule = MultiStepLR(baseLearningRate: 1, milestones: [3, 3], gamma: 0.5)
        XCTAssertEqual(schedule.learningRate(atStep: 2), 1)
        XCTAssertEqual(schedule.learningRate(atStep: 3), 0.25)
    }
}
