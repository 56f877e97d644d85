import Foundation

/// Decay at chosen milestones (PyTorch's `MultiStepLR`): `base·γ^k` where k is the number of
/// milestones ≤ step (a milestone listed twice counts twice).
public struct MultiStepLR: LearningRateSchedule {
    /// The initial learning rate.
    public var baseLearningRate: Double
    /// The steps at which the rate is multiplied by γ, sorted.
    public private(set) var milestones: [Int]
    /// The decay factor γ.
    public var gamma: Double

    /// Decays `baseLearningRate` by `gamma` at each milestone.
    public init(baseLearningRate: Double, milestones: [Int], gamma: Double = 0.1) {
        precondition(milestones.allSatisfy { $0 >= 0 }, "MultiStepLR: milestones \(milestones) must not be negative")
        self.baseLearningRate = baseLearningRate
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    public func learningRate(atStep step: Int) -> Double {
        checkStep(step, "MultiStepLR")
        let passed = milestones.reduce(0) { $0 + ($1 <= step ? 1 : 0) }
        return baseLearningRate * pow(gamma, Double(passed))
    }
}
