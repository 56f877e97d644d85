import XCTest
@testable import Converge

final class LinearLRTests: XCTestCase {
    func testDecayMatchesPyTorch() {
        ScheduleGolden.check(LinearLR(baseLearningRate: 0.1, startFactor: 1, endFactor: 0.05, totalIterations: 25), "linear_decay")
    }

    func testRampMatchesPyTorch() {
        ScheduleGolden.check(LinearLR(baseLearningRate: 0.1, startFactor: 0.25, endFactor: 1, totalIterations: 10), "linear_ramp")
    }
}
