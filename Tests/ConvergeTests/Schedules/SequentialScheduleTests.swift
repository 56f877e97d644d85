import XCTest
@testable import Converge

final class SequentialScheduleTests: XCTestCase {
    func testMatchesPyTorchSequentialLR() {
        let schedule = SequentialSchedule([LinearLR(baseLearningRate: 0.1, startFactor: 0.1, endFactor: 1, totalIterations: 10),
                                           CosineAnnealingLR(baseLearningRate: 0.1, tMax: 40, etaMin: 1e-5)], milestones: [10])
        ScheduleGolden.check(schedule, "warmup_cosine")
    }

    func testEachScheduleStartsAtItsOwnStepZero() {
        let schedule = SequentialSchedule([ConstantLR(baseLearningRate: 1), ExponentialLR(baseLearningRate: 0.5, gamma: 0.5),
                                           ConstantLR(baseLearningRate: 0.01)], milestones: [2, 4])
        XCTAssertEqual(schedule.learningRates(steps: 6), [1, 1, 0.5, 0.25, 0.01, 0.01])
    }
}
