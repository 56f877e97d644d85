import Foundation

/// A learning rate suggested from an LR-finder sweep, with the rule that produced it.
///
/// The rules are fastai's (computed, as fastai does, on the smoothed losses without the first
/// tenth of the sweep and its last 5 points, and cut at the first NaN):
/// - ``Rule/valley`` (the default): the longest stretch over which the loss keeps decreasing
///   (the longest decreasing subsequence) is located, and the point halfway along it is taken —
///   well inside the steep descent and safely before the minimum;
/// - ``Rule/steepest``: where the loss falls fastest per unit of log learning rate;
/// - ``Rule/minimumOverTen``: the learning rate at the lowest loss, divided by 10.
public struct LRSuggestion: Equatable, Sendable, CustomStringConvertible {
    /// How a suggestion was computed.
    public enum Rule: String, CaseIterable, Sendable {
        /// Halfway along the longest decreasing stretch (fastai's `valley`).
        case valley
        /// Steepest descent of the smoothed loss against log(lr) (fastai's `steep`).
        case steepest
        /// One tenth of the learning rate at the minimum loss (fastai's `minimum`).
        case minimumOverTen = "minimum/10"
    }

    /// The rule.
    public var rule: Rule
    /// The suggested learning rate.
    public var learningRate: Double
    /// The sweep point the suggestion refers to (for minimum/10, the minimum itself).
    public var index: Int
    /// The smoothed loss at that point.
    public var loss: Double

    /// `3.02e-03 (valley)`.
    public var description: String { String(format: "%.3g", learningRate) + " (\(rule.rawValue))" }

    /// Every rule's suggestion for a sweep of `learningRates` and smoothed `losses` that was
    /// planned for `plannedSteps` steps; empty when fewer than 3 usable points remain.
    public static func suggestions(learningRates: [Double], losses: [Double], plannedSteps: Int) -> [LRSuggestion] {
        precondition(learningRates.count == losses.count, "LRSuggestion: \(learningRates.count) rates but \(losses.count) losses")
        var end = losses.count - 5
        var start = plannedSteps / 10
        if end - start < 3 { start = 0; end = losses.count }
        if let nan = losses[start..<end].firstIndex(where: { !$0.isFinite }) { end = nan }
        guard end - start >= 3 else { return [] }
        let lrs = Array(learningRates[start..<end]), window = Array(losses[start..<end])
        return [valley(lrs, window), steepest(lrs, window), minimumOverTen(lrs, window)].map {
            var s = $0
            s.index += start
            return s
        }
    }

    private static func valley(_ lrs: [Double], _ losses: [Double]) -> LRSuggestion {
        let n = losses.count
        // run[i]: length of the longest strictly decreasing subsequence ending at i.
        var run = [Int](repeating: 1, count: n)
        var longestEnd = 0
        for i in 1..<n {
            for j in 0..<i where losses[i] < losses[j] && run[j] + 1 > run[i] { run[i] = run[j] + 1 }
            if run[i] > run[longestEnd] { longestEnd = i }
        }
        let longestStart = longestEnd - run[longestEnd]
        let third = Double(longestEnd - longestStart) / 3
        let index = Swift.min(Swift.max(longestStart + Int(third) + Int(third / 2), 0), n - 1)
        return LRSuggestion(rule: .valley, learningRate: lrs[index], index: index, loss: losses[index])
    }

    private static func steepest(_ lrs: [Double], _ losses: [Double]) -> LRSuggestion {
        var best = 0, bestSlope = Double.infinity
        for i in 0..<(losses.count - 1) {
            let slope = (losses[i + 1] - losses[i]) / (Foundation.log(lrs[i + 1]) - Foundation.log(lrs[i]))
            if slope < bestSlope { bestSlope = slope; best = i }
        }
        return LRSuggestion(rule: .steepest, learningRate: lrs[best], index: best, loss: losses[best])
    }

    private static func minimumOverTen(_ lrs: [Double], _ losses: [Double]) -> LRSuggestion {
        let index = losses.indices.min { losses[$0] < losses[$1] }!
        return LRSuggestion(rule: .minimumOverTen, learningRate: lrs[index] / 10, index: index, loss: losses[index])
    }
}
