import XCTest
@testable import Converge

final class ExponentialLRTests: XCTestCase {
    func testMatchesPyTorch() {
        ScheduleGolden.check(ExponentialLR(baseLearningRate: 0.1, gamma: 0.95), "exponential")
    }
}
