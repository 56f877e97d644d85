/// Runs schedules one after another, switching at milestones (PyTorch's `SequentialLR`): before
/// `milestones[0]` the first schedule runs; from `milestones[i − 1]` on, schedule `i` runs from
/// its own step 0.
public struct SequentialSchedule: LearningRateSchedule {
    /// The schedules, in order.
    public var schedules: [any LearningRateSchedule]
    /// The steps at which the next schedule takes over (one fewer than schedules, increasing).
    public var milestones: [Int]

    /// Chains `schedules`, switching at `milestones`.
    public init(_ schedules: [any LearningRateSchedule], milestones: [Int]) {
        precondition(!schedules.isEmpty, "SequentialSchedule: needs at least one schedule")
        precondition(milestones.count == schedules.count - 1,
                     "SequentialSchedule: \(schedules.count) schedules need \(schedules.count - 1) milestones, got \(milestones.count)")
        precondition(zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 } && (milestones.first ?? 0) >= 0,
                     "SequentialSchedule: milestones \(milestones) must be non-negative and increasing")
        self.schedules = schedules
        self.milestones = milestones
    }

    private func locate(_ step: Int) -> (any LearningRateSchedule, Int) {
        checkStep(step, "SequentialSchedule")
        let index = milestones.reduce(0) { $0 + ($1 <= step ? 1 : 0) }
        return (schedules[index], index == 0 ? step : step - milestones[index - 1])
    }

    public func learningRate(atStep step: Int) -> Double {
        let (schedule, local) = locate(step)
        return schedule.learningRate(atStep: local)
    }

    /// The per-group rates of the schedule in effect at `step`.
    public func learningRates(atStep step: Int, initialLearningRates: [Double]) -> [Double] {
        let (schedule, local) = locate(step)
        return schedule.learningRates(atStep: local, initialLearningRates: initialLearningRates)
    }

    public func momentum(atStep step: Int) -> Double? {
        let (schedule, local) = locate(step)
        return schedule.momentum(atStep: local)
    }
}
