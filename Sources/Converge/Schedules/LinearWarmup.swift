/// A linear warmup in front of any schedule: for `step < warmupSteps` the rate climbs linearly
/// from `startFactor·η₀` to η₀ (η₀ = the wrapped schedule's rate at its step 0); from
/// `warmupSteps` on, the wrapped schedule runs from its own step 0:
///
/// ```text
/// η(t) = η₀·(s + (1 − s)·t/T_w)     t < T_w
/// η(t) = schedule(t − T_w)          t ≥ T_w
/// ```
///
/// With `startFactor` 0 (the default) the first update has learning rate 0, the textbook
/// `η_max·t/T_w`. It equals PyTorch's `SequentialLR([LinearLR(start_factor=s, total_iters=T_w),
/// schedule], milestones=[T_w])`. The momentum during warmup is the wrapped schedule's at step 0.
public struct LinearWarmup: LearningRateSchedule {
    /// The schedule that runs after warmup.
    public var schedule: any LearningRateSchedule
    /// T_w: the number of warmup steps.
    public var warmupSteps: Int
    /// s: the fraction of η₀ at step 0.
    public var startFactor: Double

    /// Warms up over `warmupSteps` steps, then runs `schedule`.
    public init(_ schedule: any LearningRateSchedule, warmupSteps: Int, startFactor: Double = 0) {
        precondition(warmupSteps >= 0, "LinearWarmup: warmupSteps \(warmupSteps) is negative")
        precondition(startFactor >= 0 && startFactor <= 1, "LinearWarmup: startFactor \(startFactor) must lie in [0, 1]")
        self.schedule = schedule
        self.warmupSteps = warmupSteps
        self.startFactor = startFactor
    }

    public func learningRate(atStep step: Int) -> Double {
        checkStep(step, "LinearWarmup")
        if step >= warmupSteps { return schedule.learningRate(atStep: step - warmupSteps) }
        let peak = schedule.learningRate(atStep: 0)
        return peak * (startFactor + (1 - startFactor) * Double(step) / Double(warmupSteps))
    }

    /// During warmup every group ramps to the wrapped schedule's first rate for that group.
    public func learningRates(atStep step: Int, initialLearningRates: [Double]) -> [Double] {
        checkStep(step, "LinearWarmup")
        if step >= warmupSteps { return schedule.learningRates(atStep: step - warmupSteps, initialLearningRates: initialLearningRates) }
        let factor = startFactor + (1 - startFactor) * Double(step) / Double(warmupSteps)
        return schedule.learningRates(atStep: 0, initialLearningRates: initialLearningRates).map { $0 * factor }
    }

    public func momentum(atStep step: Int) -> Double? {
        schedule.momentum(atStep: max(0, step - warmupSteps))
    }
}
