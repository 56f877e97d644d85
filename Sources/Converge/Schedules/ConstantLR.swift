/// A constant learning rate, optionally scaled by `factor` for the first `totalIterations` steps
/// (PyTorch's `ConstantLR`): `base·factor` for `step < totalIterations`, then `base`.
public struct ConstantLR: LearningRateSchedule {
    /// The learning rate after the first `totalIterations` steps.
    public var baseLearningRate: Double
    /// The factor applied during the first `totalIterations` steps.
    public var factor: Double
    /// How many steps use the factor.
    public var totalIterations: Int

    /// A constant `baseLearningRate`, scaled by `factor` for the first `totalIterations` steps.
    public init(baseLearningRate: Double, factor: Double = 1, totalIterations: Int = 0) {
        precondition(totalIterations >= 0, "ConstantLR: totalIterations \(totalIterations) is negative")
        self.baseLearningRate = baseLearningRate
        self.factor = factor
        self.totalIterations = totalIterations
    }

    public func learningRate(atStep step: Int) -> Double {
        checkStep(step, "ConstantLR")
        return step < totalIterations ? baseLearningRate * factor : baseLearningRate
    }
}
