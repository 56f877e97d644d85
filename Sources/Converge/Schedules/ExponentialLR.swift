import Foundation

/// Exponential decay (PyTorch's `ExponentialLR`): `base·γ^step`.
public struct ExponentialLR: LearningRateSchedule {
    /// The initial learning rate.
    public var baseLearningRate: Double
    /// The per-step factor γ.
    public var gamma: Double

    /// Multiplies `baseLearningRate` by `gamma` every step.
    public init(baseLearningRate: Double, gamma: Double) {
        self.baseLearningRate = baseLearningRate
        self.gamma = gamma
    }

    public func learningRate(atStep step: Int) -> Double {
        checkStep(step, "ExponentialLR")
        return baseLearningRate * pow(gamma, Double(step))
    }
}
