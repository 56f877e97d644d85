/// Why a schedule's saved state could not be restored.
public enum ScheduleStateError: Error, CustomStringConvertible, Equatable {
    /// A key the schedule needs is absent.
    case missingKey(String)
    /// A key the schedule does not know.
    case unknownKey(String)

    /// One line naming the key.
    public var description: String {
        switch self {
        case .missingKey(let key): return "schedule state: missing key \(key)"
        case .unknownKey(let key): return "schedule state: unknown key \(key)"
        }
    }
}

/// Lowers the learning rate when a metric stops improving (PyTorch's `ReduceLROnPlateau`).
///
/// Unlike the other schedules it depends on the run's history, so it is a stateful object:
/// call ``step(metric:)`` once per evaluation (usually per epoch) with the validation metric, then
/// ``apply(to:)``. After more than `patience` evaluations without improvement the rate is
/// multiplied by `factor` (never below the minimum; changes smaller than `eps` are skipped),
/// then `cooldown` evaluations pass before bad evaluations count again.
///
/// An evaluation improves on the best so far when (mode `min`, relative threshold)
/// `metric < best·(1 − threshold)`; with an absolute threshold `metric < best − threshold`; mode
/// `max` mirrors these. A NaN metric never improves.
///
/// **Parameter groups**, as in PyTorch: every reduction multiplies each group's own rate by
/// `factor` and clamps it at that group's minimum: one absolute `minLearningRate` for every
/// group, or a list `minLearningRates` with one per group. The state is the number of reductions
/// so far, so each group's rate follows from its starting rate.
public final class ReduceLROnPlateau {
    /// Whether lower or higher metrics are better.
    public enum Mode: String, Sendable {
        /// Lower is better (losses).
        case min
        /// Higher is better (accuracies).
        case max
    }

    /// How `threshold` is measured.
    public enum ThresholdMode: String, Sendable {
        /// A fraction of the best value.
        case relative = "rel"
        /// An absolute amount.
        case absolute = "abs"
    }

    /// Lower or higher is better.
    public let mode: Mode
    /// The multiplier applied on a plateau (< 1).
    public let factor: Double
    /// Evaluations without improvement tolerated before reducing.
    public let patience: Int
    /// The minimum change that counts as an improvement.
    public let threshold: Double
    /// Whether `threshold` is relative or absolute.
    public let thresholdMode: ThresholdMode
    /// Evaluations to wait after a reduction before counting bad ones again.
    public let cooldown: Int
    /// The floor of every group's rate (one value), or of each group's (one per group).
    public let minLearningRates: [Double]
    /// Reductions smaller than this are skipped.
    public let eps: Double
    /// The starting rates: the first group's, or one per group.
    public let baseLearningRates: [Double]

    /// Reductions so far (evaluations that ended a plateau, whether or not a rate changed).
    public private(set) var reductionCount = 0
    /// The best metric so far (±∞ before the first evaluation).
    public private(set) var best: Double
    /// Consecutive evaluations without improvement.
    public private(set) var badEvaluations = 0
    /// Evaluations left in the current cooldown.
    public private(set) var cooldownCounter = 0
    /// Evaluations seen.
    public private(set) var evaluationCount = 0

    /// The first group's floor.
    public var minLearningRate: Double { minLearningRates[0] }

    /// The first group's current learning rate.
    public var learningRate: Double { learningRates(from: baseLearningRates)[0] }

    /// Creates the schedule starting at `learningRate`; the defaults are PyTorch's.
    public convenience init(learningRate: Double, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                            threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                            minLearningRate: Double = 0, eps: Double = 1e-8) {
        self.init(learningRates: [learningRate], mode: mode, factor: factor, patience: patience, threshold: threshold,
                  thresholdMode: thresholdMode, cooldown: cooldown, minLearningRates: [minLearningRate], eps: eps)
    }

    /// Creates the schedule starting at one rate per parameter group, with one floor for every
    /// group or one per group (PyTorch's `min_lr` list).
    /// - Precondition: `minLearningRates` has one value or as many as `learningRates`.
    public init(learningRates: [Double], mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minLearningRates: [Double] = [0], eps: Double = 1e-8) {
        precondition(factor < 1 && factor >= 0, "ReduceLROnPlateau: factor \(factor) must lie in [0, 1)")
        precondition(patience >= 0 && cooldown >= 0,
                     "ReduceLROnPlateau: patience \(patience) and cooldown \(cooldown) must not be negative")
        precondition(!learningRates.isEmpty, "ReduceLROnPlateau: no learning rates")
        precondition(minLearningRates.count == 1 || minLearningRates.count == learningRates.count || learningRates.count == 1,
                     "ReduceLROnPlateau: \(minLearningRates.count) minimum learning rates for \(learningRates.count) groups")
        self.baseLearningRates = learningRates
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minLearningRates = minLearningRates
        self.eps = eps
        self.best = mode == .min ? .infinity : -.infinity
    }

    /// Creates the schedule starting at `optimizer`'s current learning rates, every group
    /// clamped at the same `minLearningRate`.
    public convenience init(optimizer: Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                            threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                            minLearningRate: Double = 0, eps: Double = 1e-8) {
        self.init(learningRates: optimizer.learningRates, mode: mode, factor: factor, patience: patience,
                  threshold: threshold, thresholdMode: thresholdMode, cooldown: cooldown,
                  minLearningRates: [minLearningRate], eps: eps)
    }

    /// Creates the schedule starting at `optimizer`'s current learning rates, group `i` clamped
    /// at `minLearningRates[i]`.
    public convenience init(optimizer: Optimizer, minLearningRates: [Double], mode: Mode = .min, factor: Double = 0.1,
                            patience: Int = 10, threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative,
                            cooldown: Int = 0, eps: Double = 1e-8) {
        self.init(learningRates: optimizer.learningRates, mode: mode, factor: factor, patience: patience,
                  threshold: threshold, thresholdMode: thresholdMode, cooldown: cooldown,
                  minLearningRates: minLearningRates, eps: eps)
    }

    /// Whether `metric` improves on ``best`` by more than the threshold.
    public func isImprovement(_ metric: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): return metric < best * (1 - threshold)
        case (.min, .absolute): return metric < best - threshold
        case (.max, .relative): return metric > best * (threshold + 1)
        case (.max, .absolute): return metric > best + threshold
        }
    }

    /// Records one evaluation; returns whether the first group's learning rate was reduced.
    @discardableResult
    public func step(metric: Double) -> Bool {
        evaluationCount += 1
        if isImprovement(metric) {
            best = metric
            badEvaluations = 0
        } else {
            badEvaluations += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEvaluations = 0
        }
        guard badEvaluations > patience else { return false }
        cooldownCounter = cooldown
        badEvaluations = 0
        let before = learningRate
        reductionCount += 1
        return learningRate != before
    }

    /// Each group's rate after ``reductionCount`` reductions from `bases`: PyTorch's
    /// `max(lr·factor, min_lr)` per group, skipping changes not above `eps`.
    public func learningRates(from bases: [Double]) -> [Double] {
        bases.enumerated().map { i, base in
            let floor = minLearningRates.count == 1 ? minLearningRates[0] : minLearningRates[min(i, minLearningRates.count - 1)]
            var rate = base
            for _ in 0..<reductionCount {
                let reduced = max(rate * factor, floor)
                if rate - reduced > eps { rate = reduced }
            }
            return rate
        }
    }

    /// Sets every group's learning rate of `optimizer` to its current value: from
    /// ``baseLearningRates`` when they are one per group; else the first group starts at the
    /// schedule's rate and the others at their initial rates.
    /// - Precondition: with a list of minimum rates, as many groups as minimums.
    public func apply(to optimizer: Optimizer) {
        let count = optimizer.groupCount
        precondition(minLearningRates.count == 1 || minLearningRates.count == count,
                     "ReduceLROnPlateau: \(minLearningRates.count) minimum learning rates for \(count) parameter groups")
        let bases = baseLearningRates.count == count
            ? baseLearningRates
            : [baseLearningRates[0]] + optimizer.initialLearningRates.dropFirst()
        optimizer.learningRates = learningRates(from: bases)
    }

    private static let keys = ["learning_rate", "best", "num_bad_epochs", "cooldown_counter", "last_epoch", "num_reductions"]

    /// The mutable state, for checkpoints: `num_reductions`, `best`, `num_bad_epochs`,
    /// `cooldown_counter`, `last_epoch`, and the first group's `learning_rate`.
    public func stateDict() -> [String: Double] {
        ["learning_rate": learningRate, "best": best, "num_bad_epochs": Double(badEvaluations),
         "cooldown_counter": Double(cooldownCounter), "last_epoch": Double(evaluationCount),
         "num_reductions": Double(reductionCount)]
    }

    /// Restores a state from ``stateDict()``. A state without `num_reductions` (written before
    /// per-group rates) has it recovered from `learning_rate`.
    /// - Throws: ``ScheduleStateError`` for a missing or unknown key; nothing changes then.
    public func loadStateDict(_ state: [String: Double]) throws {
        for key in state.keys.sorted() where !Self.keys.contains(key) { throw ScheduleStateError.unknownKey(key) }
        for key in Self.keys where state[key] == nil && key != "num_reductions" { throw ScheduleStateError.missingKey(key) }
        let reductions: Int
        if let saved = state["num_reductions"] {
            reductions = Int(saved)
        } else {
            // Count reductions of the first group until its rate reaches the saved one.
            let target = state["learning_rate"]!
            var rate = baseLearningRates[0], count = 0
            while rate != target && count < 10_000 {
                let reduced = max(rate * factor, minLearningRates[0])
                guard rate - reduced > eps else { break }
                rate = reduced
                count += 1
            }
            guard rate == target else { throw ScheduleStateError.missingKey("num_reductions") }
            reductions = count
        }
        reductionCount = reductions
        best = state["best"]!
        badEvaluations = Int(state["num_bad_epochs"]!)
        cooldownCounter = Int(state["cooldown_counter"]!)
        evaluationCount = Int(state["last_epoch"]!)
    }
}
