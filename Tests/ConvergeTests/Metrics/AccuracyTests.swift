import XCTest
@testable import Converge

final class AccuracyTests: XCTestCase {
    func testBinaryFromLogitsThresholdZero() {
        // Predictions: 1, 0, 0 (exactly 0 is negative), 1; targets 1, 0, 1, 0 → 2 of 4 right.
        XCTAssertEqual(binaryAccuracy(logits: [2, -1, 0, 0.1], targets: [1, 0, 1, 0]), 0.5)
        XCTAssertEqual(binaryAccuracy(logits: Tensor(shape: [3, 1], scalars: [1, -1, 3]), targets: Tensor([1, 0, 0])), 2.0 / 3)
    }

    func testBinaryFromProbabilitiesThresholdHalf() {
        XCTAssertEqual(binaryAccuracy(probabilities: [0.9, 0.5, 0.51, 0.1], targets: [1, 0, 1, 1]), 0.75)
        // Smoothed targets count by rounding: 0.95 is positive, 0.05 negative.
        XCTAssertEqual(binaryAccuracy(probabilities: [0.9, 0.2], targets: [0.95, 0.05]), 1)
    }

    func testMulticlassArgmax() {
        let logits = Tensor([[0.1, 2, 0.3], [5, 1, 1], [0, 0, 0.5], [1, 1, 0]])  // argmax 1, 0, 2, 0 (first of ties)
        XCTAssertEqual(classPredictions(logits: logits), [1, 0, 2, 0])
        XCTAssertEqual(accuracy(logits: logits, targets: Tensor([1, 0, 1, 1])), 0.5)
        XCTAssertEqual(accuracy(predictions: [1, 2, 3], targets: [1, 2, 0]), 2.0 / 3)
        XCTAssertTrue(accuracy(predictions: [], targets: []).isNaN)
    }

    func testTopK() {
        let scores = Tensor([[0.1, 0.5, 0.2, 0.9],   // target 2: rank 3 (0.9, 0.5 above)
                             [0.4, 0.3, 0.2, 0.1],   // target 0: rank 1
                             [0.3, 0.3, 0.3, 0.1],   // target 2: tied for first
                             [0.1, 0.2, 0.3, 0.4]])  // target 0: rank 4
        let targets = Tensor([2, 0, 2, 0])
        XCTAssertEqual(topKAccuracy(scores: scores, targets: targets, k: 1), 0.5)
        XCTAssertEqual(topKAccuracy(scores: scores, targets: targets, k: 2), 0.5)
        XCTAssertEqual(topKAccuracy(scores: scores, targets: targets, k: 3), 0.75)
        XCTAssertEqual(topKAccuracy(scores: scores, targets: targets, k: 4), 1)
        let nanRow = Tensor([[Float.nan, 1, 0]])
        XCTAssertEqual(topKAccuracy(scores: nanRow, targets: Tensor([1]), k: 1), 0)  // NaN ranks above
        XCTAssertEqual(topKAccuracy(scores: nanRow, targets: Tensor([0]), k: 3), 0)  // NaN target misses
    }
}
