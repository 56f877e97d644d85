import XCTest
@testable import Converge

final class CosineAnnealingLRTests: XCTestCase {
    /// Runs past T_max, where PyTorch's cosine rises again.
    func testMatchesPyTorch() {
        ScheduleGolden.check(CosineAnnealingLR(baseLearningRate: 0.1, tMax: 30, etaMin: 0.001), "cosine")
    }

    func testZeroMinimumMatchesPyTorch() {
        ScheduleGolden.check(CosineAnnealingLR(baseLearningRate: 0.1, tMax: 50), "cosine_zero")
    }

    func testReachesMinimumAtTMax() {
        let schedule = CosineAnnealingLR(baseLearningRate: 1, tMax: 10, etaMin: 0.1)
        XCTAssertEqual(schedule.learningRate(atStep: 10), 0.1, accuracy: 1e-15)
        XCTAssertEqual(schedule.learningRate(atStep: 5), 0.55, accuracy: 1e-15)
    }
}
