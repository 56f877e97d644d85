import XCTest
@testable import Converge

final class MetricAccumulatorTests: XCTestCase {
    func values(_ results: [(String, Double)]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: results)
    }

    func testBinaryLogitsOverTwoBatchesEqualsWholeEpoch() {
        var acc = MetricAccumulator(outputs: .binaryLogits, metrics: [.loss, .accuracy, .rocAUC, .precision, .recall, .f1])
        // Same data as the tie test in ROCAUCTests, as logits (monotone in the scores).
        let scores: [Float] = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9]
        let logits = scores.map { $0 - 0.375 }  // predictions: 0 1 0 1 1 1 0 1
        let labels: [Float] = [0, 0, 1, 1, 0, 1, 0, 1]
        acc.update(outputs: Tensor(shape: [5, 1], scalars: Array(logits[..<5])), targets: Tensor(Array(labels[..<5])), loss: 0.8)
        acc.update(outputs: Tensor(shape: [3, 1], scalars: Array(logits[5...])), targets: Tensor(Array(labels[5...])), loss: 0.4)
        let r = acc.results()
        XCTAssertEqual(r.map { $0.0 }, ["loss", "accuracy", "auc", "precision", "recall", "f1"])
        let v = values(r)
        XCTAssertEqual(v["loss"]!, (0.8 * 5 + 0.4 * 3) / 8, accuracy: 1e-12)
        XCTAssertEqual(v["accuracy"]!, 5.0 / 8, accuracy: 1e-12)  // wrong: index 1, 2, 4
        XCTAssertEqual(v["auc"]!, 0.8125, accuracy: 1e-12)
        XCTAssertEqual(v["precision"]!, 3.0 / 5, accuracy: 1e-12)  // TP 3 (3, 5, 7), FP 2 (1, 4)
        XCTAssertEqual(v["recall"]!, 3.0 / 4, accuracy: 1e-12)
        XCTAssertEqual(v["f1"]!, 2 * 0.6 * 0.75 / 1.35, accuracy: 1e-12)
        acc.reset()
        XCTAssertTrue(acc.results().allSatisfy { $0.1.isNaN })
    }

    func testBinaryProbabilities() {
        var acc = MetricAccumulator(outputs: .binaryProbabilities, metrics: [.accuracy])
        acc.update(outputs: Tensor([0.9, 0.4, 0.6]), targets: Tensor([1, 1, 0]))
        XCTAssertEqual(acc.results()[0].1, 1.0 / 3, accuracy: 1e-12)
    }

    func testMulticlass() {
        var acc = MetricAccumulator(outputs: .multiclass(numClasses: 3), metrics: [.accuracy, .topKAccuracy(2), .f1])
        acc.update(outputs: Tensor([[2, 1, 0], [0, 1, 2]]), targets: Tensor([0, 1]))
        acc.update(outputs: Tensor([[0, 3, 1]]), targets: Tensor([2]))
        let v = values(acc.results())
        XCTAssertEqual(v["accuracy"]!, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(v["top2_accuracy"]!, 1, accuracy: 1e-12)
        // predictions 0 2 1 vs targets 0 1 2: F1 per class 1, 0, 0 → macro 1/3.
        XCTAssertEqual(v["f1"]!, 1.0 / 3, accuracy: 1e-12)
    }

    func testRegression() {
        var acc = MetricAccumulator(outputs: .regression, metrics: [.loss, .meanSquaredError, .meanAbsoluteError])
        acc.update(outputs: Tensor(shape: [2, 1], scalars: [1.5, 1]), targets: Tensor([1, 2]), loss: 0.625)
        acc.update(outputs: Tensor(shape: [1, 1], scalars: [5]), targets: Tensor([3]), loss: 4)
        let v = values(acc.results())
        XCTAssertEqual(v["mse"]!, 1.75, accuracy: 1e-12)
        XCTAssertEqual(v["mae"]!, 3.5 / 3, accuracy: 1e-12)
        XCTAssertEqual(v["loss"]!, 1.75, accuracy: 1e-12)
    }

    func testAUCWithOneClassIsNaN() {
        var acc = MetricAccumulator(outputs: .binaryLogits, metrics: [.rocAUC])
        acc.update(outputs: Tensor([1, 2]), targets: Tensor([1, 1]))
        XCTAssertTrue(acc.results()[0].1.isNaN)
    }
}
