import ConvergeCore

/// Applies a learning-rate schedule to the optimizer, per batch (every optimizer step, as
/// one-cycle needs) or per epoch.
public final class LearningRateScheduler: Callback {
    /// When the schedule advances.
    public enum Interval: String, Sendable { case batch, epoch }

    /// The schedule (a pure function of the step or epoch).
    public let schedule: LearningRateSchedule
    /// Per batch or per epoch.
    public let interval: Interval

    /// Creates the callback; the schedule's value at step/epoch 0 is applied before training.
    public init(_ schedule: LearningRateSchedule, interval: Interval = .batch) {
        self.schedule = schedule
        self.interval = interval
    }

    public func beforeFit(_ trainer: Trainer) throws {
        schedule.apply(to: trainer.optimizer, step: interval == .batch ? trainer.globalStep : trainer.epoch)
    }

    public func afterStep(_ trainer: Trainer) throws {
        if interval == .batch { schedule.apply(to: trainer.optimizer, step: trainer.globalStep) }
    }

    public func afterEpoch(_ trainer: Trainer) throws {
        if interval == .epoch { schedule.apply(to: trainer.optimizer, step: trainer.epoch) }
    }
}

/// Applies ``ReduceLROnPlateau`` to the optimizer after each epoch, watching a history value.
public final class PlateauScheduler: Callback {
    /// The plateau logic and its state.
    public let plateau: ReduceLROnPlateau
    /// The history key watched (default `val_loss`).
    public let monitor: String

    /// Creates the callback.
    public init(_ plateau: ReduceLROnPlateau, monitor: String = "val_loss") {
        self.plateau = plateau
        self.monitor = monitor
    }

    public func afterEpoch(_ trainer: Trainer) throws {
        guard let record = trainer.history.records.last else { return }
        guard let value = record[monitor] else {
            throw TrainingError.missingMonitoredValue(monitor, available: record.values.map { $0.0 })
        }
        plateau.step(metric: value)
        plateau.apply(to: trainer.optimizer)
    }

    public var checkpointKey: String? { "plateau" }
    public func checkpointState(_ trainer: Trainer) -> [String: Double] { plateau.stateDict() }
    public func restoreCheckpointState(_ state: [String: Double], trainer: Trainer) throws { try plateau.loadStateDict(state) }
}
