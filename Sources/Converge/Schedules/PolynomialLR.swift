import Foundation

/// Polynomial decay to zero (PyTorch's `PolynomialLR`):
/// `base·(1 − min(step, T)/T)^power`; power 1 is linear decay to zero over T steps.
public struct PolynomialLR: LearningRateSchedule {
    /// The initial learning rate.
    public var baseLearningRate: Double
    /// T: the step at which the rate reaches zero and stays.
    public var totalIterations: Int
    /// The exponent.
    public var power: Double

    /// Decays `baseLearningRate` to zero over `totalIterations` steps.
    public init(baseLearningRate: Double, totalIterations: Int = 5, power: Double = 1) {
        precondition(totalIterations > 0, "PolynomialLR: totalIterations \(totalIterations) must be positive")
        self.baseLearningRate = baseLearningRate
        self.totalIterations = totalIterations
        self.power = power
    }

    public func learningRate(atStep step: Int) -> Double {
        checkStep(step, "PolynomialLR")
        let t = Double(min(step, totalIterations))
        return baseLearningRate * pow(1 - t / Double(totalIterations), power)
    }
}
