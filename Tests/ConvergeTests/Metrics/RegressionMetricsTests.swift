import XCTest
@testable import Converge

final class RegressionMetricsTests: XCTestCase {
    func testMSEAndMAE() {
        // Errors 0.5, -1, 2 → MSE (0.25 + 1 + 4) / 3 = 1.75, MAE 3.5 / 3.
        XCTAssertEqual(meanSquaredErrorScore(predictions: [1.5, 1, 5], targets: [1, 2, 3]), 1.75, accuracy: 1e-12)
        XCTAssertEqual(meanAbsoluteErrorScore(predictions: [1.5, 1, 5], targets: [1, 2, 3]), 3.5 / 3, accuracy: 1e-12)
        let p = Tensor(shape: [3, 1], scalars: [1.5, 1, 5])
        XCTAssertEqual(meanSquaredErrorScore(predictions: p, targets: Tensor([1, 2, 3])), 1.75, accuracy: 1e-12)
        XCTAssertEqual(meanAbsoluteErrorScore(predictions: p, targets: Tensor([1, 2, 3])), 3.5 / 3, accuracy: 1e-12)
        XCTAssertTrue(meanSquaredErrorScore(predictions: [], targets: []).isNaN)
    }

    func testRunningMeanWeightsByBatchSize() {
        var m = RunningMean()
        XCTAssertTrue(m.mean.isNaN)
        m.add(1.0, weight: 32)
        m.add(4.0, weight: 8)  // small last batch
        XCTAssertEqual(m.mean, (32.0 + 32.0) / 40, accuracy: 1e-12)
        XCTAssertEqual(m.count, 2)
        m.reset()
        XCTAssertEqual(m, RunningMean())
    }
}
