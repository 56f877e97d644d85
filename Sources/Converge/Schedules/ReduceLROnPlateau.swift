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
/// multiplied by `factor` (never below `minLearningRate`; changes smaller than `eps` are
/// skipped), then `cooldown` evaluations pass before bad evaluations count again.
///
/// An evaluation improves on the best so far when (mode `min`, relative threshold)
/// `metric < best·(1 − threshold)`; with an absolute threshold `metric < best − threshold`; mode
/// `max` mirrors these. A NaN metric never improves.
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
    /// The floor for the learning rate.
    public let minLearningRate: Double
    /// Reductions smaller than this are skipped.
    public let eps: Double

    /// The current learning rate.
    public private(set) var learningRate: Double
    /// The best metric so far (±∞ before the first evaluation).
    public private(set) var best: Double
    /// Consecutive evaluations without improvement.
    public private(set) var badEvaluations = 0
    /// Evaluations left in the current cooldown.
    public private(set) var cooldownCounter = 0
    /// Evaluations seen.
    public private(set) var evaluationCount = 0

    /// Creates the schedule starting at `learningRate`; the defaults are PyTorch's.
    public init(learningRate: Double, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minLearningRate: Double = 0, eps: Double = 1e-8) {
        precondition(factor < 1 && factor >= 0, "ReduceLROnPlateau: factor \(factor) must lie in [0, 1)")
        precondition(patience >= 0 && cooldown >= 0,
                     "ReduceLROnPlateau: patience \(patience) and cooldown \(cooldown) must not be negative")
        self.learningRate = learningRate
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minLearningRate = minLearningRate
        self.eps = eps
        self.best = mode == .min ? .infinity : -.infinity
    }

    /// Creates the schedule starting at `optimizer`'s current learning rate.
    public convenience init(optimizer: Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                            threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                            minLearningRate: Double = 0, eps: Double = 1e-8) {
        self.init(learningRate: optimizer.learningRate, mode: mode, factor: factor, patience: patience,
                  threshold: threshold, thresholdMode: thresholdMode, cooldown: cooldown,
                  minLearningRate: minLearningRate, eps: eps)
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

    /// Records one evaluation; returns whether the learning rate was reduced.
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
        let reduced = max(learningRate * factor, minLearningRate)
        guard learningRate - reduced > eps else { return false }
        learningRate = reduced
        return true
    }

    /// Sets `optimizer`'s learning rate to the current one (other groups keep their ratio to the
    /// first, see ``Optimizer/setLearningRateKeepingGroupRatios(_:)``).
    public func apply(to optimizer: Optimizer) {
        optimizer.setLearningRateKeepingGroupRatios(learningRate)
    }

    private static let keys = ["learning_rate", "best", "num_bad_epochs", "cooldown_counter", "last_epoch"]

    /// The mutable state, for checkpoints: `learning_rate`, `best`, `num_bad_epochs`,
    /// `cooldown_counter`, `last_epoch`.
    public func stateDict() -> [String: Double] {
        ["learning_rate": learningRate, "best": best, "num_bad_epochs": Double(badEvaluations),
         "cooldown_counter": Double(cooldownCounter), "last_epoch": Double(evaluationCount)]
    }

    /// Restores a state from ``stateDict()``.
    /// - Throws: ``ScheduleStateError`` for a missing or unknown key; nothing changes then.
    public func loadStateDict(_ state: [String: Double]) throws {
        for key in state.keys.sorted() where !Self.keys.contains(key) { throw ScheduleStateError.unknownKey(key) }
        for key in Self.keys where state[key] == nil { throw ScheduleStateError.missingKey(key) }
        learningRate = state["learning_rate"]!
        best = state["best"]!
        badEvaluations = Int(state["num_bad_epochs"]!)
        cooldownCounter = Int(state["cooldown_counter"]!)
        evaluationCount = Int(state["last_epoch"]!)
    }
}
