import Foundation

/// Cosine annealing with warm restarts, SGDR (Loshchilov & Hutter, 2017; PyTorch's
/// `CosineAnnealingWarmRestarts`): cycles of length `T_i = T₀·T_multⁱ`, each a cosine from the
/// base rate down towards η_min, restarting at the base rate.
public struct CosineAnnealingWarmRestarts: LearningRateSchedule {
    /// The learning rate at the start of each cycle.
    public var baseLearningRate: Double
    /// T₀: the length of the first cycle.
    public var t0: Int
    /// T_mult: the factor by which each cycle is longer than the previous one.
    public var tMult: Int
    /// η_min: the rate approached at the end of each cycle.
    public var etaMin: Double

    /// Restarts every `t0`, `t0·tMult`, `t0·tMult²`, … steps.
    public init(baseLearningRate: Double, t0: Int, tMult: Int = 1, etaMin: Double = 0) {
        precondition(t0 > 0, "CosineAnnealingWarmRestarts: t0 \(t0) must be positive")
        precondition(tMult >= 1, "CosineAnnealingWarmRestarts: tMult \(tMult) must be at least 1")
        self.baseLearningRate = baseLearningRate
        self.t0 = t0
        self.tMult = tMult
        self.etaMin = etaMin
    }

    /// The position in the current cycle and the cycle's length at `step`.
    public func cyclePosition(atStep step: Int) -> (current: Int, length: Int) {
        checkStep(step, "CosineAnnealingWarmRestarts")
        if tMult == 1 { return (step % t0, t0) }
        var current = step
        var length = t0
        while current >= length {
            current -= length
            length *= tMult
        }
        return (current, length)
    }

    public func learningRate(atStep step: Int) -> Double {
        rate(from: baseLearningRate, atStep: step)
    }

    /// Every group restarts at its own base rate and approaches the same absolute η_min.
    public func learningRates(atStep step: Int, initialLearningRates: [Double]) -> [Double] {
        learningRatesFromBases(base: baseLearningRate, initialLearningRates: initialLearningRates) { rate(from: $0, atStep: step) }
    }

    private func rate(from base: Double, atStep step: Int) -> Double {
        let (current, length) = cyclePosition(atStep: step)
        return etaMin + (base - etaMin) * (1 + cos(Double.pi * Double(current) / Double(length))) / 2
    }
}
