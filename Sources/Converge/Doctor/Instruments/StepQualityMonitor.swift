import ConvergeCore
import Foundation

/// The quality of each step's size, in the spirit of Cockpit's α: where along the update
/// direction the step lands on the local parabola of the loss.
///
/// Every `interval` steps, with `d = θₜ₊₁ − θₜ` the step the optimizer took, the loss along the
/// line `f(s) = L(θₜ + s·d)` on the step's own batch (same dropout masks) is fitted by a parabola
/// from `f(0)` (the step's loss), `f′(0) = ∇L(θₜ)·d` (its gradient) and `f(1)` (one extra forward
/// pass after the step). With the parabola's minimum at `s*`,
///
///     α = 1/s* − 1
///
/// is 0 when the step lands at the minimum, −1 for a vanishingly small step (understepping),
/// and 1 when it lands as high on the other side as it started (overshooting); above 1 the
/// loss went up. A concave line (no minimum) gives −1: the step could have gone further.
///
/// This monitor measures on the step's own batch with one extra forward pass; the
/// ``InstrumentPanel`` takes α from both ends of the step as Cockpit does, without an extra pass
/// (``measurement(step:lossBefore:slopeBefore:lossAfter:slopeAfter:)``).
public final class StepQualityMonitor: Callback {
    /// One measurement.
    public struct Measurement: Equatable, Sendable {
        /// The optimizer step.
        public var step: Int
        /// α (nil when the update did not point downhill: `f′(0) ≥ 0`).
        public var alpha: Double?
        /// The loss before and after the step, on the same batch.
        public var lossBefore: Double
        public var lossAfter: Double
    }

    /// Steps between measurements.
    public let interval: Int
    /// Every measurement.
    public internal(set) var measurements: [Measurement] = []
    /// Wall-clock seconds spent measuring.
    public internal(set) var secondsSpent = 0.0
    private var probe: InstrumentProbe?
    private var random: [UInt64]?
    private var pending: (theta: [[Float]], gradient: [[Float]], loss: Double)?

    /// Creates the instrument.
    public init(interval: Int = 10) {
        precondition(interval >= 1, "StepQualityMonitor: interval must be at least 1")
        self.interval = interval
    }

    public func beforeFit(_ trainer: Trainer) throws { probe = InstrumentProbe(trainer: trainer) }

    public func beforeBatch(_ trainer: Trainer) throws {
        guard trainer.accumulationSteps == 1, trainer.globalStep % interval == 0 else { random = nil; return }
        random = Random.generator.state
    }

    public func afterBackward(_ trainer: Trainer) throws {
        guard random != nil, let probe else { return }
        let start = Date()
        pending = (probe.values(), probe.gradients(), Double(trainer.lastLoss))
        secondsSpent += Date().timeIntervalSince(start)
    }

    public func afterStep(_ trainer: Trainer) throws {
        guard let pending, let random, let probe, let batch = trainer.lastBatch else { return }
        self.pending = nil
        self.random = nil
        let start = Date()
        defer { secondsSpent += Date().timeIntervalSince(start) }
        let after = probe.values()
        var slope = 0.0
        for i in after.indices {
            after[i].withUnsafeBufferPointer { a in pending.theta[i].withUnsafeBufferPointer { b in pending.gradient[i].withUnsafeBufferPointer { g in
                var s: Float = 0
                for j in 0..<a.count { s += g[j] * (a[j] - b[j]) }
                slope += Double(s)
            } } }
        }
        let lossAfter: Double = probe.withoutSideEffects {
            Random.generator.state = random   // the step's own dropout masks
            return probe.loss(trainer.loss, inputs: batch.inputs, targets: batch.targets)
        }
        measurements.append(StepQualityMonitor.measurement(step: trainer.globalStep, lossBefore: pending.loss, slope: slope, lossAfter: lossAfter))
    }

    /// α from the loss before the step, the directional derivative along it and the loss after.
    static func measurement(step: Int, lossBefore: Double, slope: Double, lossAfter: Double) -> Measurement {
        let curvature = lossAfter - lossBefore - slope
        var alpha: Double?
        if slope < 0 && lossAfter.isFinite {
            if curvature <= 0 { alpha = -1 } else {
                let minimum = -slope / (2 * curvature)
                alpha = 1 / minimum - 1
            }
        }
        return Measurement(step: step, alpha: alpha, lossBefore: lossBefore, lossAfter: lossAfter)
    }

    /// α from both ends of the step, as Cockpit takes it: the loss and the directional derivative
    /// along the step at its start (`lossBefore`, `slopeBefore`) and at its end (`lossAfter`,
    /// `slopeAfter`, from the next step's batch), fitted by the parabola p(s) = a·s² + b·s + c that
    /// matches p(0), p′(0), p(1) and p′(1) best in the least-squares sense (the two ends see
    /// different batches, so the four values need not fit exactly). On a quadratic with the same
    /// batch at both ends the fit is exact.
    static func measurement(step: Int, lossBefore: Double, slopeBefore: Double, lossAfter: Double, slopeAfter: Double) -> Measurement {
        var alpha: Double?
        if slopeBefore < 0 && lossAfter.isFinite && slopeAfter.isFinite && lossBefore.isFinite {
            // Normal equations of the rows (a, b, c): p(0) = [0 0 1], p′(0) = [0 1 0], p(1) = [1 1 1], p′(1) = [2 1 0].
            let m: [[Double]] = [[5, 3, 1], [3, 3, 1], [1, 1, 2]]
            let r = [lossAfter + 2 * slopeAfter, slopeBefore + lossAfter + slopeAfter, lossBefore + lossAfter]
            func det(_ x: [[Double]]) -> Double {
                x[0][0] * (x[1][1] * x[2][2] - x[1][2] * x[2][1]) - x[0][1] * (x[1][0] * x[2][2] - x[1][2] * x[2][0])
                    + x[0][2] * (x[1][0] * x[2][1] - x[1][1] * x[2][0])
            }
            func column(_ k: Int) -> [[Double]] { (0..<3).map { i in (0..<3).map { j in j == k ? r[i] : m[i][j] } } }
            let d = det(m)
            let a = det(column(0)) / d, b = det(column(1)) / d
            if a <= 0 { alpha = -1 } else if b < 0 {
                let minimum = -b / (2 * a)
                alpha = 1 / minimum - 1
            }
        }
        return Measurement(step: step, alpha: alpha, lossBefore: lossBefore, lossAfter: lossAfter)
    }

    /// The median α over the measurements (nil when none was defined).
    public var medianAlpha: Double? {
        let values = measurements.compactMap(\.alpha).sorted()
        return values.isEmpty ? nil : values[values.count / 2]
    }

    /// What the measurements show (check `step-size`).
    public func findings() -> [DoctorFinding] {
        guard !measurements.isEmpty else { return [] }
        guard let alpha = medianAlpha else {
            return [DoctorFinding(check: "step-size", status: .ok,
                                  message: "step-size quality α undefined in \(measurements.count) measurements (the updates did not point downhill on their batch, as with momentum or weight decay dominating)")]
        }
        let rises = measurements.filter { $0.lossAfter > $0.lossBefore }.count
        let what = "step-size quality α (Cockpit) over \(measurements.count) measurements: median \(String(format: "%.2f", alpha)) (0: lands at the minimum along the step; −1: tiny step; 1: overshoots to the same height); the loss after the step was above the loss before it in \(rises)"
        if alpha > 1 {
            return [DoctorFinding(check: "step-size", status: .warn, message: what + ": the steps overshoot the minimum along their direction",
                                  remedies: [.lowerLearningRate])]
        }
        return [DoctorFinding(check: "step-size", status: .ok, message: what)]
    }
}
