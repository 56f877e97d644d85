import XCTest
@testable import Converge

final class ROCAUCTests: XCTestCase {
    func testWithoutTies() {
        // Positives 0.35, 0.8 against negatives 0.1, 0.4: 3 of 4 pairs ordered → 0.75 (sklearn: 0.75).
        XCTAssertEqual(rocAUC(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1])!, 0.75, accuracy: 1e-12)
    }

    func testTiesCountHalf() {
        // Positives 0.35, 0.8, 0.4, 0.9; negatives 0.1, 0.4, 0.4, 0.2.
        // Wins: 2 + 4 + (2 + 2 · ½) + 4 = 13 of 16 → 0.8125 (sklearn roc_auc_score: 0.8125).
        let scores: [Float] = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9]
        let labels: [Float] = [0, 0, 1, 1, 0, 1, 0, 1]
        XCTAssertEqual(rocAUC(scores: scores, labels: labels)!, 0.8125, accuracy: 1e-12)
        XCTAssertEqual(rocAUC(scores: [0.5, 0.5, 0.5, 0.5], labels: [0, 1, 0, 1])!, 0.5, accuracy: 1e-12)
    }

    func testPerfectReversedAndInvariantToMonotoneMaps() {
        XCTAssertEqual(rocAUC(scores: [1, 2, 3, 4], labels: [0, 0, 1, 1]), 1)
        XCTAssertEqual(rocAUC(scores: [4, 3, 2, 1], labels: [0, 0, 1, 1]), 0)
        let logits: [Float] = [-2, 0.5, 0.1, 3, -1]
        let labels: [Float] = [0, 1, 0, 1, 1]
        let probabilities = logits.map { 1 / (1 + exp(-$0)) }
        XCTAssertEqual(rocAUC(scores: logits, labels: labels), rocAUC(scores: probabilities, labels: labels))
    }

    func testUndefinedCases() {
        XCTAssertNil(rocAUC(scores: [0.1, 0.2], labels: [1, 1]))
        XCTAssertNil(rocAUC(scores: [], labels: []))
        XCTAssertTrue(rocAUC(scores: [.nan, 0.2], labels: [0, 1])!.isNaN)
    }
}
