import XCTest
@testable import Converge

final class ConfusionMatrixTests: XCTestCase {
    func testBinaryScores() {
        // targets 0 1 1 0 1, predictions 1 1 0 0 1: TP 2, FP 1, FN 1 → P = R = F1 = 2/3 (sklearn agrees).
        let s = binaryPrecisionRecallF1(predictions: [1, 1, 0, 0, 1], targets: [0, 1, 1, 0, 1])
        XCTAssertEqual(s.precision, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(s.recall, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(s.f1, 2.0 / 3, accuracy: 1e-12)
        let skewed = binaryPrecisionRecallF1(predictions: [1, 0, 0, 0], targets: [1, 1, 1, 0])  // P 1, R 1/3
        XCTAssertEqual(skewed.precision, 1)
        XCTAssertEqual(skewed.recall, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(skewed.f1, 0.5, accuracy: 1e-12)
        XCTAssertEqual(binaryPrecisionRecallF1(predictions: [0, 0], targets: [1, 0]), ClassificationScores(precision: 0, recall: 0, f1: 0))
    }

    func testMacroScores() {
        // sklearn precision_recall_fscore_support(average="macro"): (0.5556, 0.5556, 0.5556).
        let s = macroPrecisionRecallF1(predictions: [0, 2, 2, 2, 1, 1, 0], targets: [0, 1, 2, 2, 1, 0, 2])
        XCTAssertEqual(s.precision, 5.0 / 9, accuracy: 1e-12)
        XCTAssertEqual(s.recall, 5.0 / 9, accuracy: 1e-12)
        XCTAssertEqual(s.f1, 5.0 / 9, accuracy: 1e-12)
    }

    func testMacroOverObservedClassesOnly() {
        // Classes 0..3 observed (3 only as a prediction); class 4 never appears and is left out.
        // Per class F1: 1, 0, 1, 0 → 0.5, as sklearn with zero_division=0.
        let s = macroPrecisionRecallF1(predictions: [0, 3, 2, 0], targets: [0, 1, 2, 0], numClasses: 5)
        XCTAssertEqual(s, ClassificationScores(precision: 0.5, recall: 0.5, f1: 0.5))
    }

    func testCountsAndAccuracy() {
        var m = ConfusionMatrix(numClasses: 3)
        m.add(predictions: [0, 1, 2, 2], targets: [0, 2, 2, 1])
        XCTAssertEqual(m.counts, [[1, 0, 0], [0, 0, 1], [0, 1, 1]])
        XCTAssertEqual(m.total, 4)
        XCTAssertEqual(m.accuracy, 0.5)
        XCTAssertEqual(m.observedClasses, [0, 1, 2])
        XCTAssertEqual(m.precision(of: 2), 0.5)
        XCTAssertEqual(m.recall(of: 1), 0)
    }
}
