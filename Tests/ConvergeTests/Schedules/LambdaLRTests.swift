import XCTest
@testable import Converge

final class LambdaLRTests: XCTestCase {
    func testMultipliesBaseByFactor() {
        let schedule = LambdaLR(baseLearningRate: 0.5) { 1 / Double($0 + 1) }
        XCTAssertEqual(schedule.learningRates(steps: 3), [0.5, 0.25, 0.5 / 3])
    }
}
