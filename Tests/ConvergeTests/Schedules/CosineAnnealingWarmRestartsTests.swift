import XCTest
@testable import Converge

final class CosineAnnealingWarmRestartsTests: XCTestCase {
    func testDoublingPeriodsMatchPyTorch() {
        ScheduleGolden.check(CosineAnnealingWarmRestarts(baseLearningRate: 0.1, t0: 5, tMult: 2, etaMin: 1e-4), "warm_restarts_mult2")
    }

    func testFixedPeriodMatchesPyTorch() {
        ScheduleGolden.check(CosineAnnealingWarmRestarts(baseLearningRate: 0.1, t0: 7), "warm_restarts")
    }

    func testCyclePositions() {
        let schedule = CosineAnnealingWarmRestarts(baseLearningRate: 1, t0: 5, tMult: 2)
        XCTAssertEqual(schedule.cyclePosition(atStep: 4).current, 4)
        XCTAssertEqual(schedule.cyclePosition(atStep: 5).current, 0)
        XCTAssertEqual(schedule.cyclePosition(atStep: 5).length, 10)
        XCTAssertEqual(schedule.cyclePosition(atStep: 15).length, 20)
        XCTAssertEqual(schedule.learningRate(atStep: 15), 1)
    }
}
