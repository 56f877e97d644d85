import Foundation

/// The one-cycle policy (Smith & Topin, 2019; PyTorch's `OneCycleLR`), stepped per batch.
///
/// Two phases by default: over the first `pctStart` of `totalSteps` the rate rises from
/// `maxLearningRate / divFactor` to `maxLearningRate`, then anneals to
/// `maxLearningRate / (divFactor·finalDivFactor)`. With `threePhase` it rises, falls back
/// symmetrically to the initial rate, then anneals to the minimum. Annealing is cosine or linear.
///
/// With `cycleMomentum`, the momentum moves opposite to the rate, between `maxMomentum` (at low
/// rates) and `baseMomentum` (at the peak); ``LearningRateSchedule/apply(to:step:)`` sets it as
/// SGD/RMSprop momentum or as Adam's β₁.
///
/// Phase boundaries are PyTorch's: phase one ends at step `pctStart·totalSteps − 1` (fractional
/// boundaries included), the last phase at `totalSteps − 1`. Steps past `totalSteps` return the
/// value at `totalSteps` (PyTorch raises an error there).
public struct OneCycleLR: LearningRateSchedule {
    /// How the rate moves inside a phase.
    public enum AnnealStrategy: String, CaseIterable, Sendable {
        /// Half a cosine from start to end.
        case cosine = "cos"
        /// A straight line from start to end.
        case linear
    }

    private struct Phase {
        let endStep: Double
        let startRate, endRate: Double
        let startMomentum, endMomentum: Double
    }

    /// The peak learning rate.
    public let maxLearningRate: Double
    /// The number of steps in the cycle.
    public let totalSteps: Int
    /// The fraction of the cycle spent increasing the rate.
    public let pctStart: Double
    /// The initial rate is `maxLearningRate / divFactor`.
    public let divFactor: Double
    /// The final rate is the initial rate divided by `finalDivFactor`.
    public let finalDivFactor: Double
    /// Cosine or linear annealing.
    public let annealStrategy: AnnealStrategy
    /// Whether to use three phases (up, down to the initial rate, annihilation).
    public let threePhase: Bool
    /// Whether the schedule cycles momentum (or β₁).
    public let cycleMomentum: Bool
    /// The momentum at the peak learning rate.
    public let baseMomentum: Double
    /// The momentum at the lowest learning rates.
    public let maxMomentum: Double
    private let phases: [Phase]

    /// The learning rate at step 0: `maxLearningRate / divFactor`.
    public var initialLearningRate: Double { maxLearningRate / divFactor }
    /// The learning rate at the end: `initialLearningRate / finalDivFactor`.
    public var minimumLearningRate: Double { initialLearningRate / finalDivFactor }

    /// Creates the schedule; the defaults are PyTorch's.
    public init(maxLearningRate: Double, totalSteps: Int, pctStart: Double = 0.3, divFactor: Double = 25,
                finalDivFactor: Double = 1e4, annealStrategy: AnnealStrategy = .cosine, threePhase: Bool = false,
                cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95) {
        precondition(totalSteps > 0, "OneCycleLR: totalSteps \(totalSteps) must be positive")
        precondition(pctStart >= 0 && pctStart <= 1, "OneCycleLR: pctStart \(pctStart) must lie in [0, 1]")
        precondition(divFactor > 0 && finalDivFactor > 0,
                     "OneCycleLR: divFactor \(divFactor) and finalDivFactor \(finalDivFactor) must be positive")
        self.maxLearningRate = maxLearningRate
        self.totalSteps = totalSteps
        self.pctStart = pctStart
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        self.annealStrategy = annealStrategy
        self.threePhase = threePhase
        self.cycleMomentum = cycleMomentum
        self.baseMomentum = baseMomentum
        self.maxMomentum = maxMomentum
        let initial = maxLearningRate / divFactor
        let minimum = initial / finalDivFactor
        let total = Double(totalSteps)
        if threePhase {
            phases = [
                Phase(endStep: pctStart * total - 1, startRate: initial, endRate: maxLearningRate,
                      startMomentum: maxMomentum, endMomentum: baseMomentum),
                Phase(endStep: 2 * pctStart * total - 2, startRate: maxLearningRate, endRate: initial,
                      startMomentum: baseMomentum, endMomentum: maxMomentum),
                Phase(endStep: total - 1, startRate: initial, endRate: minimum,
                      startMomentum: maxMomentum, endMomentum: maxMomentum),
            ]
        } else {
            phases = [
                Phase(endStep: pctStart * total - 1, startRate: initial, endRate: maxLearningRate,
                      startMomentum: maxMomentum, endMomentum: baseMomentum),
                Phase(endStep: total - 1, startRate: maxLearningRate, endRate: minimum,
                      startMomentum: baseMomentum, endMomentum: maxMomentum),
            ]
        }
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch annealStrategy {
        case .cosine: return end + (start - end) / 2 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    private func evaluate(_ step: Int) -> (rate: Double, momentum: Double) {
        checkStep(step, "OneCycleLR")
        let s = Double(min(step, totalSteps))
        var start = 0.0
        for (i, phase) in phases.enumerated() {
            if s <= phase.endStep || i == phases.count - 1 {
                let span = phase.endStep - start
                let pct = span == 0 ? 1 : (s - start) / span
                return (anneal(phase.startRate, phase.endRate, pct), anneal(phase.startMomentum, phase.endMomentum, pct))
            }
            start = phase.endStep
        }
        preconditionFailure("OneCycleLR: no phase")
    }

    public func learningRate(atStep step: Int) -> Double { evaluate(step).rate }

    /// The cycled momentum, or `nil` when `cycleMomentum` is off.
    public func momentum(atStep step: Int) -> Double? { cycleMomentum ? evaluate(step).momentum : nil }
}
