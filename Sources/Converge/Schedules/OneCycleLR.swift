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
///
/// **Parameter groups**, as in PyTorch: with one maximum rate every group follows the same curve
/// (whatever its own learning rate was); with a list (``init(maxLearningRates:totalSteps:pctStart:divFactor:finalDivFactor:annealStrategy:threePhase:cycleMomentum:baseMomentum:maxMomentum:)``)
/// group `i` cycles up to `maxLearningRates[i]`.
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

    /// The peak learning rate (the first group's when there is a list).
    public let maxLearningRate: Double
    /// Each parameter group's peak learning rate, or nil when every group peaks at
    /// ``maxLearningRate``.
    public let maxLearningRates: [Double]?
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
    /// The phases of every group (with ``maxLearningRates``).
    private let groupPhases: [[Phase]]

    /// The learning rate at step 0: `maxLearningRate / divFactor`.
    public var initialLearningRate: Double { maxLearningRate / divFactor }
    /// The learning rate at the end: `initialLearningRate / finalDivFactor`.
    public var minimumLearningRate: Double { initialLearningRate / finalDivFactor }

    /// Creates the schedule; the defaults are PyTorch's.
    public init(maxLearningRate: Double, totalSteps: Int, pctStart: Double = 0.3, divFactor: Double = 25,
                finalDivFactor: Double = 1e4, annealStrategy: AnnealStrategy = .cosine, threePhase: Bool = false,
                cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95) {
        self.init(peaks: [maxLearningRate], isList: false, totalSteps: totalSteps, pctStart: pctStart, divFactor: divFactor,
                  finalDivFactor: finalDivFactor, annealStrategy: annealStrategy, threePhase: threePhase,
                  cycleMomentum: cycleMomentum, baseMomentum: baseMomentum, maxMomentum: maxMomentum)
    }

    /// Creates the schedule with a peak learning rate per parameter group (PyTorch's `max_lr`
    /// list); ``LearningRateSchedule/apply(to:step:)`` needs an optimizer with as many groups.
    public init(maxLearningRates: [Double], totalSteps: Int, pctStart: Double = 0.3, divFactor: Double = 25,
                finalDivFactor: Double = 1e4, annealStrategy: AnnealStrategy = .cosine, threePhase: Bool = false,
                cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95) {
        precondition(!maxLearningRates.isEmpty, "OneCycleLR: maxLearningRates is empty")
        self.init(peaks: maxLearningRates, isList: true, totalSteps: totalSteps, pctStart: pctStart, divFactor: divFactor,
                  finalDivFactor: finalDivFactor, annealStrategy: annealStrategy, threePhase: threePhase,
                  cycleMomentum: cycleMomentum, baseMomentum: baseMomentum, maxMomentum: maxMomentum)
    }

    private init(peaks: [Double], isList: Bool, totalSteps: Int, pctStart: Double, divFactor: Double,
                 finalDivFactor: Double, annealStrategy: AnnealStrategy, threePhase: Bool,
                 cycleMomentum: Bool, baseMomentum: Double, maxMomentum: Double) {
        precondition(totalSteps > 0, "OneCycleLR: totalSteps \(totalSteps) must be positive")
        precondition(pctStart >= 0 && pctStart <= 1, "OneCycleLR: pctStart \(pctStart) must lie in [0, 1]")
        precondition(divFactor > 0 && finalDivFactor > 0,
                     "OneCycleLR: divFactor \(divFactor) and finalDivFactor \(finalDivFactor) must be positive")
        self.maxLearningRate = peaks[0]
        self.maxLearningRates = isList ? peaks : nil
        self.totalSteps = totalSteps
        self.pctStart = pctStart
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        self.annealStrategy = annealStrategy
        self.threePhase = threePhase
        self.cycleMomentum = cycleMomentum
        self.baseMomentum = baseMomentum
        self.maxMomentum = maxMomentum
        let groupPhases = peaks.map {
            Self.makePhases(maxLearningRate: $0, totalSteps: totalSteps, pctStart: pctStart, divFactor: divFactor,
                            finalDivFactor: finalDivFactor, threePhase: threePhase, baseMomentum: baseMomentum, maxMomentum: maxMomentum)
        }
        self.phases = groupPhases[0]
        self.groupPhases = groupPhases
    }

    private static func makePhases(maxLearningRate: Double, totalSteps: Int, pctStart: Double, divFactor: Double,
                                   finalDivFactor: Double, threePhase: Bool, baseMomentum: Double, maxMomentum: Double) -> [Phase] {
        let initial = maxLearningRate / divFactor
        let minimum = initial / finalDivFactor
        let total = Double(totalSteps)
        if threePhase {
            return [
                Phase(endStep: pctStart * total - 1, startRate: initial, endRate: maxLearningRate,
                      startMomentum: maxMomentum, endMomentum: baseMomentum),
                Phase(endStep: 2 * pctStart * total - 2, startRate: maxLearningRate, endRate: initial,
                      startMomentum: baseMomentum, endMomentum: maxMomentum),
                Phase(endStep: total - 1, startRate: initial, endRate: minimum,
                      startMomentum: maxMomentum, endMomentum: maxMomentum),
            ]
        }
        return [
            Phase(endStep: pctStart * total - 1, startRate: initial, endRate: maxLearningRate,
                  startMomentum: maxMomentum, endMomentum: baseMomentum),
            Phase(endStep: total - 1, startRate: maxLearningRate, endRate: minimum,
                  startMomentum: baseMomentum, endMomentum: maxMomentum),
        ]
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch annealStrategy {
        case .cosine: return end + (start - end) / 2 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    private func evaluate(_ step: Int, _ phases: [Phase]? = nil) -> (rate: Double, momentum: Double) {
        checkStep(step, "OneCycleLR")
        let phases = phases ?? self.phases
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

    /// With one maximum rate, every group gets ``learningRate(atStep:)``; with a list, group `i`
    /// follows its own cycle.
    /// - Precondition: with a list, as many groups as maximum rates.
    public func learningRates(atStep step: Int, initialLearningRates: [Double]) -> [Double] {
        guard let maxLearningRates else { return initialLearningRates.map { _ in evaluate(step).rate } }
        precondition(maxLearningRates.count == initialLearningRates.count,
                     "OneCycleLR: \(maxLearningRates.count) maximum learning rates for \(initialLearningRates.count) parameter groups")
        return groupPhases.map { evaluate(step, $0).rate }
    }

    /// The cycled momentum, or `nil` when `cycleMomentum` is off.
    public func momentum(atStep step: Int) -> Double? { cycleMomentum ? evaluate(step).momentum : nil }
}
