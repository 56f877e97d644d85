import Foundation

/// Cosine annealing (Loshchilov & Hutter, 2017; PyTorch's `CosineAnnealingLR`):
/// `η_min + (base − η_min)·(1 + cos(π·step/T_max))/2`. It reaches η_min at `tMax`; past that
/// the cosine continues (the rate rises again), as PyTorch's does. With several parameter groups
/// each anneals from its own base rate to the same absolute η_min.
public struct CosineAnnealingLR: LearningRateSchedule {
    /// The initial (maximum) learning rate.
    public var baseLearningRate: Double
    /// T_max: steps from the maximum to the minimum.
    public var tMax: Int
    /// η_min: the minimum learning rate.
    public var etaMin: Double

    /// Anneals from `baseLearningRate` to `etaMin` over `tMax` steps.
    public init(baseLearningRate: Double, tMax: Int, etaMin: Double = 0) {
        precondition(tMax > 0, "CosineAnnealingLR: tMax \(tMax) must be positive")
        self.baseLearningRate = baseLearningRate
        self.tMax = tMax
        self.etaMin = etaMin
    }

    public func learningRate(atStep step: Int) -> Double {
        rate(from: baseLearningRate, atStep: step)
    }

    /// Every group anneals from its own base (its initial rate, scaled like the first group's)
    /// to the same absolute η_min, as PyTorch's does.
    public func learningRates(atStep step: Int, initialLearningRates: [Double]) -> [Double] {
        learningRatesFromBases(base: baseLearningRate, initialLearningRates: initialLearningRates) { rate(from: $0, atStep: step) }
    }

    private func rate(from base: Double, atStep step: Int) -> Double {
        checkStep(step, "CosineAnnealingLR")
        return etaMin + (base - etaMin) * (1 + cos(Double.pi * Double(step) / Double(tMax))) / 2
    }
}
