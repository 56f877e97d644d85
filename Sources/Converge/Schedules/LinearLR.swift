/// Linear interpolation of a factor (PyTorch's `LinearLR`):
/// `base·(s + (e − s)·min(step, T)/T)`. With `startFactor` 1 and `endFactor` 0 it is linear
/// decay to zero; with `startFactor` < 1 and `endFactor` 1 a linear warmup.
public struct LinearLR: LearningRateSchedule {
    /// The learning rate the factors multiply.
    public var baseLearningRate: Double
    /// The factor at step 0.
    public var startFactor: Double
    /// The factor from step T on.
    public var endFactor: Double
    /// T: the steps over which the factor moves.
    public var totalIterations: Int

    /// Moves the factor linearly from `startFactor` to `endFactor` over `totalIterations` steps.
    public init(baseLearningRate: Double, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIterations: Int = 5) {
        precondition(totalIterations > 0, "LinearLR: totalIterations \(totalIterations) must be positive")
        precondition(startFactor >= 0 && endFactor >= 0, "LinearLR: factors (\(startFactor), \(endFactor)) must not be negative")
        self.baseLearningRate = baseLearningRate
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIterations = totalIterations
    }

    public func learningRate(atStep step: Int) -> Double {
        checkStep(step, "LinearLR")
        let t = Double(min(step, totalIterations))
        return baseLearningRate * (startFactor + (endFactor - startFactor) * t / Double(totalIterations))
    }
}
