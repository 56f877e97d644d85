import ConvergeCore

/// Stops training when a monitored value has not improved for `patience` epochs, optionally
/// restoring the weights of the best epoch (the seed's `EarlyStopping`, Keras semantics).
///
/// An epoch improves when its value is below `best − minDelta` (mode `.min`) or above
/// `best + minDelta` (mode `.max`).
public final class EarlyStopping: Callback {
    /// Whether smaller or larger is better.
    public enum Mode: String, Sendable { case min, max }

    /// The history key watched (default `val_loss`).
    public let monitor: String
    /// Epochs without improvement tolerated before stopping.
    public let patience: Int
    /// Smallest change that counts as an improvement.
    public let minDelta: Double
    /// Whether better is smaller or larger.
    public let mode: Mode
    /// Whether to load the best epoch's weights when stopping (and at the end of training).
    public let restoreBestWeights: Bool

    /// Best value so far.
    public private(set) var best: Double
    /// The 1-based epoch of the best value.
    public private(set) var bestEpoch = 0
    /// Epochs since the last improvement.
    public private(set) var epochsWithoutImprovement = 0
    /// The 1-based epoch at which training was stopped, if it was.
    public private(set) var stoppedEpoch: Int?
    private var bestState: [(String, Tensor)]?

    /// Creates the callback.
    public init(monitor: String = "val_loss", patience: Int = 10, minDelta: Double = 0, mode: Mode = .min,
                restoreBestWeights: Bool = true) {
        precondition(patience >= 1, "EarlyStopping: patience must be at least 1, got \(patience)")
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.mode = mode
        self.restoreBestWeights = restoreBestWeights
        best = mode == .min ? .infinity : -.infinity
    }

    public func afterEpoch(_ trainer: Trainer) throws {
        guard let record = trainer.history.records.last else { return }
        guard let value = record[monitor] else {
            throw TrainingError.missingMonitoredValue(monitor, available: record.values.map { $0.0 })
        }
        let improved = mode == .min ? value < best - minDelta : value > best + minDelta
        if improved {
            best = value
            bestEpoch = record.epoch
            epochsWithoutImprovement = 0
            if restoreBestWeights { bestState = trainer.model.stateDict() }
            return
        }
        epochsWithoutImprovement += 1
        if epochsWithoutImprovement >= patience {
            stoppedEpoch = record.epoch
            trainer.shouldStop = true
            try restoreBest(trainer)
        }
    }

    public func afterFit(_ trainer: Trainer) throws {
        if stoppedEpoch == nil { try restoreBest(trainer) }
    }

    private func restoreBest(_ trainer: Trainer) throws {
        if restoreBestWeights, let state = bestState { try trainer.model.loadStateDict(state) }
    }

    public var checkpointKey: String? { "early_stopping" }

    public func checkpointState(_ trainer: Trainer) -> [String: Double] {
        var s: [String: Double] = ["best": best, "best_epoch": Double(bestEpoch), "wait": Double(epochsWithoutImprovement)]
        if let stoppedEpoch { s["stopped_epoch"] = Double(stoppedEpoch) }
        return s
    }

    public func restoreCheckpointState(_ state: [String: Double], trainer: Trainer) throws {
        best = state["best"] ?? best
        bestEpoch = Int(state["best_epoch"] ?? 0)
        epochsWithoutImprovement = Int(state["wait"] ?? 0)
        stoppedEpoch = state["stopped_epoch"].map { Int($0) }
    }

    public func checkpointTensors(_ trainer: Trainer) -> [(String, Tensor)] { bestState ?? [] }

    public func restoreCheckpointTensors(_ tensors: [(String, Tensor)], trainer: Trainer) throws {
        bestState = tensors.isEmpty ? nil : tensors
    }
}
