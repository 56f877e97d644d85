import Foundation

/// Step decay (PyTorch's `StepLR`): `base·γ^⌊step / stepSize⌋`, e.g. ×0.1 every 30 epochs.
public struct StepLR: LearningRateSchedule {
    /// The initial learning rate.
    public var baseLearningRate: Double
    /// Steps between decays.
    public var stepSize: Int
    /// The decay factor γ.
    public var gamma: Double

    /// Decays `baseLearningRate` by `gamma` every `stepSize` steps.
    public init(baseLearningRate: Double, stepSize: Int, gamma: Double = 0.1) {
        precondition(stepSize > 0, "StepLR: stepSize \(stepSize) must be positive")
        self.baseLearningRate = baseLearningRate
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(atStep step: Int) -> Double {
        checkStep(step, "StepLR")
        return baseLearningRate * pow(gamma, Double(step / stepSize))
    }
}
