/// A schedule given by a closure (PyTorch's `LambdaLR`): `base·factor(step)`.
public struct LambdaLR: LearningRateSchedule {
    /// The learning rate the factor multiplies.
    public var baseLearningRate: Double
    /// The multiplicative factor for each step.
    public var factor: (Int) -> Double

    /// `baseLearningRate·factor(step)`.
    public init(baseLearningRate: Double, factor: @escaping (Int) -> Double) {
        self.baseLearningRate = baseLearningRate
        self.factor = factor
    }

    public func learningRate(atStep step: Int) -> Double {
        checkStep(step, "LambdaLR")
        return baseLearningRate * factor(step)
    }
}
