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
    /// The learning rate of every parameter group for update `step`, given the groups' initial
    /// learning rates (PyTorch's `initial_lr`, the first group's being the schedule's base).
    ///
    /// The default, right for every schedule that multiplies a base rate by a factor (step,
    /// exponential, linear, polynomial, lambda, …), gives the first group ``learningRate(atStep:)``
    /// and every other group the same multiple of its own initial rate, as PyTorch does.
    /// Schedules with absolute values override it: cosine annealing anneals every group to the
    /// same absolute η_min, and one-cycle gives every group its own (or the one) maximum rate.
    func learningRates(atStep step: Int, initialLearningRates: [Double]) -> [Double]
}

extension LearningRateSchedule {
    /// No momentum schedule.
    public func momentum(atStep step: Int) -> Double? { nil }

    /// Sets `optimizer`'s learning rate (and its momentum or β₁, when this schedule gives one and
    /// the optimizer has one) to the values for update `step`. Call it before `optimizer.step()`
    /// with the index of the update about to be made.
    ///
    /// With several parameter groups each gets its rate from
    /// ``learningRates(atStep:initialLearningRates:)`` over the optimizer's initial rates, as
    /// PyTorch's schedulers do.
    public func apply(to optimizer: Optimizer, step: Int) {
        let initial = optimizer.initialLearningRates
        if initial.count <= 1 {
            optimizer.learningRate = learningRate(atStep: step)
        } else {
            optimizer.learningRates = learningRates(atStep: step, initialLearningRates: initial)
        }
        if let m = momentum(atStep: step), optimizer.momentum != nil { optimizer.momentum = m }
    }

    /// The first group's ``learningRate(atStep:)``; every other group the same multiple of its
    /// initial rate (a group starting at a tenth of the first stays at a tenth).
    public func learningRates(atStep step: Int, initialLearningRates: [Double]) -> [Double] {
        scaledLearningRates(atStep: step, initialLearningRates: initialLearningRates)
    }

    /// The multiplicative rule of ``learningRates(atStep:initialLearningRates:)``'s default.
    public func scaledLearningRates(atStep step: Int, initialLearningRates: [Double]) -> [Double] {
        let rate = learningRate(atStep: step)
        guard let reference = initialLearningRates.first, reference != 0 else {
            return initialLearningRates.map { _ in rate }
        }
        return initialLearningRates.enumerated().map { i, initial in i == 0 ? rate : rate * (initial / reference) }
    }

    /// For schedules with an absolute floor: every group's base rate is its initial rate scaled
    /// like the first group's (`base` is the schedule's base for the first group), and `rate`
    /// maps a base to the rate at this step.
    func learningRatesFromBases(base: Double, initialLearningRates: [Double], _ rate: (Double) -> Double) -> [Double] {
        guard let reference = initialLearningRates.first, reference != 0 else { return initialLearningRates.map { _ in rate(base) } }
        return initialLearningRates.enumerated().map { i, initial in rate(i == 0 ? base : base * (initial / reference)) }
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
