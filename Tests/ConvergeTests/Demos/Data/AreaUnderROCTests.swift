import XCTest
@testable import Converge

final class AreaUnderROCTests: XCTestCase {
    func testMatchesScikitLearn() throws {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        XCTAssertEqual(try XCTUnwrap(DemoMetrics.areaUnderROC(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1])), 0.75)
        // Ties count half: roc_auc_score([0, 1, 0, 1, 1], [0.5, 0.5, 0.2, 0.9, 0.2]) == 0.6666667
        XCTAssertEqual(try XCTUnwrap(DemoMetrics.areaUnderROC(scores: [0.5, 0.5, 0.2, 0.9, 0.2], labels: [0, 1, 0, 1, 1])),
                       2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(DemoMetrics.areaUnderROC(scores: [3, 2, 1], labels: [1, 0, 0]), 1)
        XCTAssertNil(DemoMetrics.areaUnderROC(scores: [1, 2], labels: [1, 1]))
    }
}
