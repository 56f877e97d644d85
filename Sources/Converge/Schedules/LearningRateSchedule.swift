import ConvergeCore

/// A learning-rate (and optionally momentum) schedule: a pure function of the step.
///
/// "Step" is whatever the caller counts: the optimizer update (per-batch scheduling, which
/// one-cycle and warmup need) or the epoch (per-epoch scheduling, the classic step decay); the
/// schedule does not know or care. Step 0 is the first update. Values match PyTorch's
/// `torch.optim.lr_scheduler` when its scheduler has been stepped `step` times.
///
/// Because schedules hold no state, resuming a run needs only the step count, and schedules
/// compose: ``LinearWarmup`` puts a warmup in front of any schedule, ``SequentialSchedule``
/// switches between schedules at milestones.
public protocol LearningRateSchedule {
    /// The learning rate for update `step` (≥ 0).
    func learningRate(atStep step: Int) -> Double
    /// The momentum (or Adam's β₁) for update `step`, or `nil` when the schedule leaves it alone.
    func momentum(atStep step: Int) -> Double?
}

extension LearningRateSchedule {
    /// No momentum schedule.
    public func momentum(atStep step: Int) -> Double? { nil }

    /// Sets `optimizer`'s learning rate (and its momentum or β₁, when this schedule gives one and
    /// the optimizer has one) to the values for update `step`. Call it before `optimizer.step()`
    /// with the index of the update about to be made.
    ///
    /// With several parameter groups, the first gets the scheduled rate and the others keep their
    /// ratio to it (see ``Optimizer/setLearningRateKeepingGroupRatios(_:)``), as PyTorch's
    /// schedulers scale each group's own base rate.
    public func apply(to optimizer: Optimizer, step: Int) {
        optimizer.setLearningRateKeepingGroupRatios(learningRate(atStep: step))
        if let m = momentum(atStep: step), optimizer.momentum != nil { optimizer.momentum = m }
    }

    /// The learning rates for steps `0..<steps`.
    public func learningRates(steps: Int) -> [Double] { (0..<max(0, steps)).map { learningRate(atStep: $0) } }

    /// The momenta for steps `0..<steps`, or `nil` when the schedule has none.
    public func momenta(steps: Int) -> [Double]? {
        guard steps > 0, momentum(atStep: 0) != nil else { return nil }
        return (0..<steps).map { momentum(atStep: $0) ?? .nan }
    }
}

/// Checks a step index passed to a schedule.
@inline(__always)
func checkStep(_ step: Int, _ schedule: String) {
    precondition(step >= 0, "\(schedule): step \(step) is negative")
}
