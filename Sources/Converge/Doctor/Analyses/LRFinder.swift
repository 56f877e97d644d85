import ConvergeCore
import Foundation

/// The learning-rate range test (Smith 2017, seed §7.8.2) with fastai's user experience: train
/// for up to ``steps`` batches while the learning rate grows exponentially from
/// ``startLearningRate`` to ``endLearningRate``, smooth the losses, stop once the smoothed loss
/// exceeds ``divergenceFactor`` × its best, and suggest a learning rate (``LRSuggestion``).
/// The model's weights and buffers, the optimizer's state and the random generator are restored
/// afterwards, so the sweep leaves no trace.
///
/// ```swift
/// let result = try LRFinder().run(model: model, optimizer: optimizer, loss: Loss.crossEntropy, data: loader)
/// print(result.suggestion!)            // 3.02e-03 (valley)
/// try result.chart().write(to: "lr_find.svg")
/// ```
///
/// Step `i` (0-based) uses `start · (end/start)^(i/steps)`. The smoothed loss is an exponential
/// moving average with bias correction, `avg = β·avg + (1−β)·loss`, `smooth = avg / (1 − β^(i+1))`
/// (β = ``smoothing``, fastai's 0.98).
public struct LRFinder {
    /// The first learning rate.
    public var startLearningRate: Double
    /// The learning rate the sweep would reach after ``steps`` steps.
    public var endLearningRate: Double
    /// Number of steps (batches), cycling through the data as needed.
    public var steps: Int
    /// The β of the loss's exponential moving average.
    public var smoothing: Double
    /// Stop when the smoothed loss exceeds this multiple of its best (or is NaN/Inf).
    public var divergenceFactor: Double
    /// Clip the global gradient norm to this value before every step (as the training recipe does).
    public var maxGradientNorm: Double?

    /// Creates a finder (fastai's defaults: 1e-7 to 10 in 100 steps, β = 0.98, stop at 4× the best).
    public init(startLearningRate: Double = 1e-7, endLearningRate: Double = 10, steps: Int = 100,
                smoothing: Double = 0.98, divergenceFactor: Double = 4, maxGradientNorm: Double? = nil) {
        precondition(startLearningRate > 0 && endLearningRate > startLearningRate,
                     "LRFinder: need 0 < startLearningRate < endLearningRate, got \(startLearningRate), \(endLearningRate)")
        precondition(steps >= 2, "LRFinder: steps must be at least 2, got \(steps)")
        precondition(smoothing >= 0 && smoothing < 1, "LRFinder: smoothing must be in [0, 1), got \(smoothing)")
        precondition(divergenceFactor > 1, "LRFinder: divergenceFactor must exceed 1, got \(divergenceFactor)")
        self.startLearningRate = startLearningRate
        self.endLearningRate = endLearningRate
        self.steps = steps
        self.smoothing = smoothing
        self.divergenceFactor = divergenceFactor
        self.maxGradientNorm = maxGradientNorm
    }

    /// The learning rate of step `step`.
    public func learningRate(atStep step: Int) -> Double {
        startLearningRate * Foundation.pow(endLearningRate / startLearningRate, Double(step) / Double(steps))
    }

    private struct Finished: Error {}

    /// Runs the sweep on `model` with `optimizer` (whose learning rate it drives), minimizing
    /// `loss` over batches of `data`, then restores everything it changed.
    public func run(model: Module, optimizer: Optimizer, loss: (Tensor, Tensor) -> Tensor,
                    data: BatchProvider) throws -> LRFinderResult {
        precondition(data.batchesPerEpoch > 0, "LRFinder: the data has no batches")
        let savedModel = model.stateDict()
        let savedOptimizer = optimizer.stateDict()
        let savedRandom = Random.generator.state
        let wasTraining = model.isTraining
        defer {
            _ = try? model.loadStateDict(savedModel)
            try? optimizer.loadStateDict(savedOptimizer)
            optimizer.zeroGrad()
            Random.generator.state = savedRandom
            model.train(wasTraining)
        }
        _ = model.namedParameters()
        model.train()

        var rates: [Double] = [], raw: [Double] = [], smoothed: [Double] = []
        var average = 0.0, best = Double.infinity
        var diverged = false
        var epoch = 0
        do {
            while true {
                try data.forEachBatch(epoch: epoch, startingAt: 0) { _, inputs, targets in
                    let step = rates.count
                    let rate = learningRate(atStep: step)
                    optimizer.setLearningRateKeepingGroupRatios(rate)
                    optimizer.zeroGrad()
                    let value = loss(model(inputs), targets)
                    precondition(value.count == 1, "LRFinder: the loss must be a scalar, got shape \(value.shape)")
                    value.backward()
                    if let maxGradientNorm { _ = clipGradNorm(optimizer.parameters, maxNorm: maxGradientNorm) }
                    withNoGrad { optimizer.step() }
                    let l = Double(value.item())
                    average = smoothing * average + (1 - smoothing) * l
                    let smooth = average / (1 - Foundation.pow(smoothing, Double(step + 1)))
                    rates.append(rate)
                    raw.append(l)
                    smoothed.append(smooth)
                    if smooth < best { best = smooth }
                    if !smooth.isFinite || smooth > divergenceFactor * best {
                        diverged = true
                        throw Finished()
                    }
                    if rates.count >= steps { throw Finished() }
                }
                epoch += 1
            }
        } catch is Finished {}
        return LRFinderResult(learningRates: rates, losses: raw, smoothedLosses: smoothed, diverged: diverged,
                              plannedSteps: steps)
    }

    /// Runs the sweep with a named ``Loss``.
    public func run(model: Module, optimizer: Optimizer, loss: Loss, data: BatchProvider) throws -> LRFinderResult {
        try run(model: model, optimizer: optimizer, loss: { loss($0, $1) }, data: data)
    }
}

/// What an ``LRFinder`` sweep recorded, with the suggested learning rates and a chart.
public struct LRFinderResult: Equatable, Sendable {
    /// The learning rate of each step.
    public var learningRates: [Double]
    /// The raw batch loss of each step.
    public var losses: [Double]
    /// The smoothed loss of each step.
    public var smoothedLosses: [Double]
    /// Whether the sweep stopped because the loss diverged (before reaching its planned steps).
    public var diverged: Bool
    /// The steps the sweep was planned for.
    public var plannedSteps: Int
    /// Suggestions by every rule (empty when the sweep was too short to judge).
    public var suggestions: [LRSuggestion]

    /// Creates a result and computes its suggestions.
    public init(learningRates: [Double], losses: [Double], smoothedLosses: [Double], diverged: Bool, plannedSteps: Int) {
        self.learningRates = learningRates
        self.losses = losses
        self.smoothedLosses = smoothedLosses
        self.diverged = diverged
        self.plannedSteps = plannedSteps
        let all = LRSuggestion.suggestions(learningRates: learningRates, losses: smoothedLosses, plannedSteps: plannedSteps)
        suggestions = LRFinderResult.isFlat(smoothedLosses) ? [] : all
    }

    /// The smallest fall of the smoothed loss (its best before divergence against its start, as a
    /// fraction of the start) for which a sweep suggests a learning rate: 5%. A sweep whose loss
    /// never fell that far says nothing about the learning rate (the model is not learning at
    /// any rate: vanishing gradients, dead units, a loss that ignores the output).
    public static let flatThreshold = 0.05

    /// How far the smoothed loss fell from its start to its lowest finite value, relative to the start.
    public var relativeFall: Double { LRFinderResult.relativeFall(smoothedLosses) }

    /// Whether the loss never moved during the sweep (fell less than ``flatThreshold``); such a
    /// sweep has no suggestions.
    public var isFlat: Bool { LRFinderResult.isFlat(smoothedLosses) }

    static func relativeFall(_ losses: [Double]) -> Double {
        let finite = losses.prefix { $0.isFinite }
        guard let first = finite.first, let best = finite.min(), first != 0 else { return 0 }
        return (first - best) / Swift.abs(first)
    }

    static func isFlat(_ losses: [Double]) -> Bool { losses.count >= 3 && relativeFall(losses) < flatThreshold }

    /// The default suggestion (the valley rule), if any.
    public var suggestion: LRSuggestion? { suggestion(.valley) }

    /// The suggestion of `rule`, if any.
    public func suggestion(_ rule: LRSuggestion.Rule) -> LRSuggestion? { suggestions.first { $0.rule == rule } }

    /// `lr,loss` lines (the smoothed loss), one per step, with a header.
    public func csv() -> String {
        var lines = ["lr,loss"]
        for (rate, loss) in zip(learningRates, smoothedLosses) {
            lines.append(String(format: "%.6e", rate) + "," + (loss.isFinite ? String(format: "%.6g", loss) : (loss.isNaN ? "nan" : "inf")))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The loss against log10 of the learning rate (fastai's plot): the smoothed loss, the raw
    /// batch losses dashed, and a vertical line at each suggestion. The y range leaves out the
    /// last 5 points, where the loss shoots up.
    public func chart(title: String = "Learning-rate finder") -> LineChart {
        let x = learningRates.map { Foundation.log10($0) }
        var series = [LineChart.Series("smoothed loss", x: x, y: smoothedLosses, color: "#1f77b4"),
                      LineChart.Series("batch loss", x: x, y: losses, color: "#aec7e8", isDashed: true)]
        let shown = smoothedLosses.dropLast(Swift.min(5, Swift.max(0, smoothedLosses.count - 3))).filter(\.isFinite)
        var range: ClosedRange<Double>?
        if let low = shown.min(), let high = shown.max(), high > low {
            let pad = (high - low) * 0.05
            range = (low - pad)...(high + pad)
        }
        let colors: [LRSuggestion.Rule: String] = [.valley: "#d62728", .steepest: "#2ca02c", .minimumOverTen: "#ff7f0e"]
        let span = range ?? ((shown.min() ?? 0)...(shown.max() ?? 1))
        for s in suggestions {
            let position = Foundation.log10(s.learningRate)
            series.append(LineChart.Series("\(s.rule.rawValue): \(String(format: "%.2e", s.learningRate))",
                                           x: [position, position], y: [span.lowerBound, span.upperBound],
                                           color: colors[s.rule], isDashed: s.rule != .valley))
        }
        return LineChart(title: title, panels: [
            LineChart.Panel(title: "", xLabel: "log10(learning rate)", yLabel: "loss", series: series, showsLegend: true, yRange: range),
        ])
    }
}
