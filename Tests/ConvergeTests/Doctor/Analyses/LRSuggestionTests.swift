import Foundation
import XCTest
@testable import Converge

final class LRSuggestionTests: XCTestCase {
    /// A textbook sweep over 10^-7 … 10^1: flat until 1e-4, falling linearly in log(lr) to a
    /// minimum at 1e-1, then shooting up.
    private func sweep() -> (lrs: [Double], losses: [Double]) {
        let steps = 100
        let lrs = (0..<steps).map { 1e-7 * Foundation.pow(1e8, Double($0) / Double(steps)) }
        let losses = lrs.map { lr -> Double in
            let x = Foundation.log10(lr)
            if x < -4 { return 1.0 }
            if x < -1 { return 1.0 - 0.8 * (x + 4) / 3 }
            return 0.2 + 3 * (x + 1)
        }
        return (lrs, losses)
    }

    func testRulesOnATextbookCurve() {
        let (lrs, losses) = sweep()
        let suggestions = LRSuggestion.suggestions(learningRates: lrs, losses: losses, plannedSteps: 100)
        XCTAssertEqual(suggestions.map(\.rule), [.valley, .steepest, .minimumOverTen])
        let valley = suggestions[0], steepest = suggestions[1], minimum = suggestions[2]
        // The longest decreasing run spans 1e-4 … 1e-1: halfway along it is about 10^-2.5.
        XCTAssertEqual(Foundation.log10(valley.learningRate), -2.5, accuracy: 0.15)
        XCTAssertEqual(valley.loss, losses[valley.index])
        // The slope is the same all along the linear descent: the steepest point lies on it.
        XCTAssertTrue((-4.05 ... -1.0).contains(Foundation.log10(steepest.learningRate)), "\(steepest)")
        // The minimum sits at 10^-1 (the last point of the descent), divided by 10.
        XCTAssertEqual(Foundation.log10(minimum.learningRate * 10), -1.04, accuracy: 0.1)
        XCTAssertEqual(minimum.description, String(format: "%.3g", minimum.learningRate) + " (minimum/10)")
    }

    func testSteepestFindsTheInflection() {
        let lrs = (0..<100).map { 1e-7 * Foundation.pow(1e8, Double($0) / 100) }
        let losses = lrs.map { 0.6 - 0.4 * Foundation.tanh(1.5 * (Foundation.log10($0) + 3)) }
        let steepest = LRSuggestion.suggestions(learningRates: lrs, losses: losses, plannedSteps: 100)[1]
        XCTAssertEqual(steepest.rule, .steepest)
        XCTAssertEqual(Foundation.log10(steepest.learningRate), -3, accuracy: 0.1)
    }

    func testTrimsTheEdgesAndStopsAtNaN() {
        var (lrs, losses) = sweep()
        losses[95] = .nan
        let suggestions = LRSuggestion.suggestions(learningRates: lrs, losses: losses, plannedSteps: 100)
        XCTAssertFalse(suggestions.isEmpty)
        for s in suggestions { XCTAssertTrue((10..<95).contains(s.index), "\(s)") }
        XCTAssertTrue(LRSuggestion.suggestions(learningRates: [1e-3, 1e-2], losses: [1, 0.5], plannedSteps: 100).isEmpty)
    }
}
