import ConvergeCore
import Foundation

/// Every instrument at once, cheap enough to leave on: gradient signal-to-noise, the
/// update-to-weight ratio, the sharpness (largest Hessian eigenvalue) and the step-size quality
/// α, every `interval` steps, sharing their extra passes on one probe — the first
/// `probeFraction` of the step's batch, with the step's own dropout masks:
///
/// 1. after the trainer's backward pass, one forward/backward pass on the probe at θₜ gives the
///    probe's loss and gradient `gₚ`. Signal-to-noise per layer comes from `gₚ` against the
///    batch gradient `g_B` (the trainer's, free): for a probe of `s` of the batch's `B` examples,
///    E‖gₚ − g_B‖² = tr Σ · (1/s − 1/B), so tr Σ and then SNR = (‖g_B‖² − tr Σ/B) / (tr Σ/B);
/// 2. one forward/backward pass on the probe at θₜ + εv advances the warm-started power
///    iteration for the sharpness, H·v ≈ (∇Lₚ(θₜ + εv) − gₚ)/ε;
/// 3. after the optimizer step, the update-to-weight ratio per layer, and one forward pass on
///    the probe at θₜ₊₁ gives α from Lₚ(θₜ), gₚ·d and Lₚ(θₜ₊₁).
///
/// So the instruments cost about two small forward/backward passes and one small forward pass
/// every `interval` steps (`converge bench instruments` measures it). Put the panel before
/// gradient clipping in the callback list, so that it reads the unclipped batch gradient. Every
/// side effect (gradients, BatchNorm statistics, the random generator) is undone: the run's
/// trajectory is the same with the panel as without it. With gradient accumulation the panel
/// measures nothing (its probe would not be the step's batch).
public final class InstrumentPanel: Callback {
    /// Steps between measurements.
    public let interval: Int
    /// The part of the batch the probe passes use.
    public let probeFraction: Double
    /// Signal-to-noise measurements and findings.
    public let signalToNoise: GradientSignalToNoise
    /// Update-to-weight ratio measurements and findings.
    public let updateRatio: UpdateRatioMonitor
    /// Sharpness measurements and findings.
    public let sharpness: SharpnessMonitor
    /// Step-size quality measurements and findings.
    public let stepQuality: StepQualityMonitor
    private var probe: InstrumentProbe?
    private var random: [UInt64]?
    private var vector: [[Float]]?
    private var pending: (theta: [[Float]], probeGradient: [[Float]], probeLoss: Double, rows: Int)?

    /// Creates the panel.
    public init(interval: Int = 10, probeFraction: Double = 0.25) {
        precondition(interval >= 1 && probeFraction > 0 && probeFraction <= 1, "InstrumentPanel: need interval ≥ 1 and probeFraction in (0, 1]")
        self.interval = interval
        self.probeFraction = probeFraction
        signalToNoise = GradientSignalToNoise(interval: interval, probeFraction: probeFraction)
        updateRatio = UpdateRatioMonitor(interval: interval)
        sharpness = SharpnessMonitor(interval: interval, probeFraction: probeFraction)
        stepQuality = StepQualityMonitor(interval: interval)
    }

    /// Wall-clock seconds the panel spent measuring.
    public var secondsSpent: Double { signalToNoise.secondsSpent + updateRatio.secondsSpent + sharpness.secondsSpent + stepQuality.secondsSpent }

    /// The findings of every instrument.
    public func findings() -> [DoctorFinding] {
        signalToNoise.findings() + updateRatio.findings() + sharpness.findings() + stepQuality.findings()
    }

    public func beforeFit(_ trainer: Trainer) throws {
        probe = InstrumentProbe(trainer: trainer)
        sharpness.thresholdApplies = trainer.optimizer is SGD
    }

    public func beforeBatch(_ trainer: Trainer) throws {
        random = trainer.accumulationSteps == 1 && trainer.globalStep % interval == 0 ? Random.generator.state : nil
    }

    private static func time(_ counter: inout Double, _ start: Date) { counter += Date().timeIntervalSince(start) }

    public func afterBackward(_ trainer: Trainer) throws {
        guard let random, let probe, let batch = trainer.lastBatch else { return }
        let n = batch.inputs.shape.first ?? 0
        let minimum = probe.minimumRows
        let rows = Swift.min(n, Swift.max(minimum, Int((Double(n) * probeFraction).rounded())))
        guard rows >= minimum, n >= 2 else { return }
        let inputs = InstrumentProbe.rows(batch.inputs, 0..<rows), targets = InstrumentProbe.rows(batch.targets, 0..<rows)
        var start = Date()
        let theta = probe.values()
        let batchGradient = probe.gradients()
        let (probeLoss, probeGradient): (Double, [[Float]]) = probe.withoutSideEffects {
            Random.generator.state = random
            return probe.lossAndGradient(trainer.loss, inputs: inputs, targets: targets)
        }
        // Signal-to-noise from the probe against the batch.
        if rows < n {
            var layers: [(String, Double)] = []
            let factor = 1 / Double(rows) - 1 / Double(n)
            for layer in probe.layers {
                let difference = layer.indices.reduce(0.0) { sum, i in
                    sum + InstrumentProbe.squaredDistance(probeGradient[i], batchGradient[i])
                }
                let squared = InstrumentProbe.squaredNorm(batchGradient, indices: layer.indices)
                let noise = difference / factor / Double(n)
                let signal = Swift.max(0, squared - noise)
                layers.append((layer.name, noise > 0 ? signal / noise : (signal > 0 ? .infinity : .nan)))
            }
            signalToNoise.measurements.append(.init(step: trainer.globalStep, layers: layers))
        }
        InstrumentPanel.time(&signalToNoise.secondsSpent, start)
        // One warm-started power iteration on the probe, one-sided from gₚ.
        start = Date()
        var v = vector ?? {
            let g = RandomGenerator(seed: 12345)
            return theta.map { $0.map { _ in Float(g.nextUniformDouble() * 2 - 1) } }
        }()
        InstrumentProbe.normalize(&v)
        let epsilon = InstrumentProbe.finiteDifferenceStep(theta)
        let shifted: [[Float]] = probe.withoutSideEffects {
            defer { probe.setParameters(theta) }
            Random.generator.state = random
            probe.setParameters(theta, plus: epsilon, direction: v)
            return probe.lossAndGradient(trainer.loss, inputs: inputs, targets: targets).1
        }
        var hv = shifted
        for i in hv.indices {
            hv[i].withUnsafeMutableBufferPointer { h in probeGradient[i].withUnsafeBufferPointer { g in
                for j in 0..<h.count { h[j] = (h[j] - g[j]) / epsilon }
            } }
        }
        let value = InstrumentProbe.dot(v, hv)
        InstrumentProbe.normalize(&hv)
        vector = hv
        sharpness.measurements.append(.init(step: trainer.globalStep, sharpness: value, threshold: SharpnessMonitor.threshold(trainer.optimizer)))
        InstrumentPanel.time(&sharpness.secondsSpent, start)
        pending = (theta, probeGradient, probeLoss, rows)
    }

    public func afterStep(_ trainer: Trainer) throws {
        guard let pending, let random, let probe, let batch = trainer.lastBatch else { return }
        self.pending = nil
        self.random = nil
        var start = Date()
        let after = probe.values()
        var layers: [(String, Double)] = []
        for layer in probe.layers {
            let change = layer.indices.reduce(0.0) { $0 + InstrumentProbe.squaredDistance(after[$1], pending.theta[$1]) }
            let size = InstrumentProbe.squaredNorm(pending.theta, indices: layer.indices)
            layers.append((layer.name, size > 0 ? (change / size).squareRoot() : (change > 0 ? .infinity : 0)))
        }
        updateRatio.measurements.append(.init(step: trainer.globalStep, layers: layers))
        InstrumentPanel.time(&updateRatio.secondsSpent, start)
        start = Date()
        var slope = 0.0
        for i in after.indices {
            after[i].withUnsafeBufferPointer { a in pending.theta[i].withUnsafeBufferPointer { b in pending.probeGradient[i].withUnsafeBufferPointer { g in
                var s: Float = 0
                for j in 0..<a.count { s += g[j] * (a[j] - b[j]) }
                slope += Double(s)
            } } }
        }
        let rows = pending.rows
        let lossAfter: Double = probe.withoutSideEffects {
            Random.generator.state = random
            return probe.loss(trainer.loss, inputs: InstrumentProbe.rows(batch.inputs, 0..<rows), targets: InstrumentProbe.rows(batch.targets, 0..<rows))
        }
        stepQuality.measurements.append(StepQualityMonitor.measurement(step: trainer.globalStep, lossBefore: pending.probeLoss, slope: slope, lossAfter: lossAfter))
        InstrumentPanel.time(&stepQuality.secondsSpent, start)
    }
}
