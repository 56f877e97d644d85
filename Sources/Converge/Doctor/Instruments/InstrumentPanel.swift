import ConvergeCore
import Foundation

/// Every instrument at once, cheap enough to leave on: gradient signal-to-noise, the
/// update-to-weight ratio, the sharpness (largest Hessian eigenvalue) and the step-size quality
/// α, every `interval` steps, sharing their extra passes on one probe — the first
/// `probeFraction` of the step's batch (at least ``minimumProbeRows`` examples, at most half the
/// batch when that floor applies), with the step's own dropout masks:
///
/// 1. after the trainer's backward pass, one forward/backward pass on the probe at θₜ gives the
///    probe's gradient `gₚ`. Signal-to-noise per layer comes from `gₚ` against the batch
///    gradient `g_B` (the trainer's, free): for a probe of `s` of the batch's `B` examples,
///    E‖gₚ − g_B‖² = tr Σ · (1/s − 1/B), so tr Σ and then SNR = (‖g_B‖² − tr Σ/B) / (tr Σ/B);
/// 2. one forward/backward pass on the probe at θₜ + εv advances the warm-started power
///    iteration for the sharpness, H·v ≈ (∇Lₚ(θₜ + εv) − gₚ)/ε: one Hessian-vector product per
///    measurement, the iteration carried from one measurement to the next (Cockpit's warm start);
/// 3. after the optimizer step, the update-to-weight ratio per layer (in the same pass over the
///    parameters as the slope of the step for α, whose time it is counted with);
/// 4. α as Cockpit computes it, from the two ends of the step: the loss and the directional
///    derivative along the step `d = θₜ₊₁ − θₜ` at its start (the step's batch loss and
///    `g_B·d`) and at its end (the next step's batch loss and gradient, which the trainer computes
///    anyway), fitted by a parabola in the least-squares sense (the two ends see different
///    batches, so the four values do not fit exactly). No extra pass.
///
/// So the instruments cost two small forward/backward passes (an eighth of the batch each, by
/// default) every `interval` steps, and
/// reductions over the parameters into buffers allocated once (`converge bench instruments`
/// measures it). Put the panel before gradient clipping in the callback list, so that it reads
/// the unclipped batch gradient. Every side effect (gradients, BatchNorm statistics, the random
/// generator) is undone: the run's trajectory is the same with the panel as without it. With
/// gradient accumulation the panel measures nothing (its probe would not be the step's batch).
public final class InstrumentPanel: Callback {
    /// Steps between measurements.
    public let interval: Int
    /// The part of the batch the probe passes use.
    public let probeFraction: Double
    /// The fewest examples in the probe (up to half the batch): small batches keep a probe
    /// large enough to estimate from, large ones do not pay for a big one.
    public let minimumProbeRows: Int
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
    /// θₜ, the batch gradient, the power-iteration vector and the Hessian-vector product:
    /// allocated once per fit, filled in place.
    private final class Workspace {
        var theta, batchGradient, vector, product: ParameterVector
        init(_ shape: ParameterVector, vector: ParameterVector) {
            theta = shape
            batchGradient = shape
            product = shape
            self.vector = vector
        }
    }
    private var workspace: Workspace?
    /// What the step-size quality of a measured step waits for (the next step's loss and slope).
    private var pendingAlpha: (step: Int, loss: Double, slope: Double)?
    /// Whether θₜ was captured at this step (the update ratio and α read it after the step).
    private var measuring = false

    /// Creates the panel.
    public init(interval: Int = 10, probeFraction: Double = 0.125, minimumProbeRows: Int = 8) {
        precondition(interval >= 1 && probeFraction > 0 && probeFraction <= 1 && minimumProbeRows >= 1,
                     "InstrumentPanel: need interval ≥ 1, probeFraction in (0, 1] and minimumProbeRows ≥ 1")
        self.interval = interval
        self.probeFraction = probeFraction
        self.minimumProbeRows = minimumProbeRows
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
        let probe = InstrumentProbe(trainer: trainer)
        self.probe = probe
        sharpness.thresholdApplies = trainer.optimizer is SGD
        let shape = ParameterVector(shapedLike: probe.parameters)
        var vector = shape
        if let previous = workspace?.vector, previous.offsets == shape.offsets {
            vector = previous   // warm start from the last fit's direction
        } else {
            vector.randomize(seed: 12345)
            vector.normalize()
        }
        workspace = Workspace(shape, vector: vector)
        pendingAlpha = nil
        measuring = false
    }

    public func beforeBatch(_ trainer: Trainer) throws {
        random = trainer.accumulationSteps == 1 && trainer.globalStep % interval == 0 ? Random.generator.state : nil
    }

    private static func time(_ counter: inout Double, _ start: UInt64) {
        counter += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    public func afterBackward(_ trainer: Trainer) throws {
        guard let probe, let ws = workspace, trainer.accumulationSteps == 1 else { return }
        // The end of the last measured step: the loss and the slope along its update here.
        if let pending = pendingAlpha, pending.slope.isFinite {
            let start = DispatchTime.now().uptimeNanoseconds
            var slope = 0.0
            let theta = ws.theta
            theta.storage.withUnsafeBufferPointer { t in
                for (i, p) in probe.parameters.enumerated() {
                    guard let g = p.grad else { continue }
                    slope += ParameterVector.dotWithDifference(g.storage.pointer, p.storage.pointer, t.baseAddress! + theta.offsets[i], p.count)
                }
            }
            stepQuality.measurements.append(StepQualityMonitor.measurement(step: pending.step, lossBefore: pending.loss, slopeBefore: pending.slope,
                                                                           lossAfter: Double(trainer.lastLoss), slopeAfter: slope))
            InstrumentPanel.time(&stepQuality.secondsSpent, start)
        }
        pendingAlpha = nil
        measuring = false
        guard let random, let batch = trainer.lastBatch else { return }
        let n = batch.inputs.shape.first ?? 0
        let minimum = probe.minimumRows
        let rows = Swift.min(n, Swift.max(minimum, Swift.min(minimumProbeRows, n / 2), Int((Double(n) * probeFraction).rounded())))
        guard rows >= minimum, n >= 2 else { return }
        let inputs = InstrumentProbe.rows(batch.inputs, 0..<rows), targets = InstrumentProbe.rows(batch.targets, 0..<rows)
        var start = DispatchTime.now().uptimeNanoseconds
        ws.theta.copyValues(of: probe.parameters)
        ws.batchGradient.copyGradients(of: probe.parameters)
        let epsilon = Float(1e-3 * Swift.max(1, (ws.theta.squaredNorm / Double(Swift.max(1, ws.theta.storage.count))).squareRoot()))
        // Both passes in one guard (BatchNorm in training mode normalizes with the probe's own
        // statistics, so the second pass does not see the first's running-statistics update);
        // their gradient tensors are kept, not copied.
        var probeGradients: [Tensor?] = [], shiftedGradients: [Tensor?] = []
        var passes: (UInt64, UInt64) = (0, 0)
        probe.withoutSideEffects {
            defer { ws.theta.write(to: probe.parameters) }
            Random.generator.state = random
            probe.backward(trainer.loss, inputs: inputs, targets: targets)
            probeGradients = probe.parameters.map(\.grad)
            passes.0 = DispatchTime.now().uptimeNanoseconds
            Random.generator.state = random
            ws.theta.write(to: probe.parameters, plus: epsilon, direction: ws.vector)
            probe.backward(trainer.loss, inputs: inputs, targets: targets)
            shiftedGradients = probe.parameters.map(\.grad)
            passes.1 = DispatchTime.now().uptimeNanoseconds
        }
        let offsets = ws.theta.offsets
        // Signal-to-noise from the probe against the batch.
        if rows < n {
            var layers: [(String, Double)] = []
            layers.reserveCapacity(probe.layers.count)
            let factor = 1 / Double(rows) - 1 / Double(n)
            ws.batchGradient.storage.withUnsafeBufferPointer { bg in
                for layer in probe.layers {
                    var difference = 0.0, squared = 0.0
                    for i in layer.indices {
                        let at = bg.baseAddress! + offsets[i], count = offsets[i + 1] - offsets[i]
                        if let g = probeGradients[i] {
                            let (d, q) = ParameterVector.squaredDistanceAndNorm(g.storage.pointer, at, count)
                            difference += d
                            squared += q
                        } else {
                            let q = ParameterVector.dot(at, at, count)
                            difference += q
                            squared += q
                        }
                    }
                    let noise = difference / factor / Double(n)
                    let signal = Swift.max(0, squared - noise)
                    layers.append((layer.name, noise > 0 ? signal / noise : (signal > 0 ? .infinity : .nan)))
                }
            }
            signalToNoise.measurements.append(.init(step: trainer.globalStep, layers: layers))
        }
        // The SNR's share: the copies, the first pass and its reductions; the sharpness's: the second pass and the product.
        let now = DispatchTime.now().uptimeNanoseconds
        signalToNoise.secondsSpent += Double(passes.0 - start + now - passes.1) * 1e-9
        sharpness.secondsSpent += Double(passes.1 - passes.0) * 1e-9
        // One warm-started power iteration on the probe, one-sided from gₚ: H·v ≈ (∇Lₚ(θ + εv) − gₚ)/ε.
        start = now
        var value = 0.0, length = 0.0
        let inverse = 1 / epsilon
        ws.product.storage.withUnsafeMutableBufferPointer { h in ws.vector.storage.withUnsafeBufferPointer { v in
            for i in 0..<(offsets.count - 1) {
                let at = offsets[i], count = offsets[i + 1] - at
                switch (shiftedGradients[i], probeGradients[i]) {
                case (let s?, let g?):
                    let (d, q) = ParameterVector.differenceQuotient(s.storage.pointer, g.storage.pointer, scale: inverse,
                                                                    into: h.baseAddress! + at, against: v.baseAddress! + at, count)
                    value += d
                    length += q
                default:
                    (h.baseAddress! + at).update(repeating: 0, count: count)   // no gradient reached this parameter
                }
            }
        } }
        if length > 0 && length.isFinite {
            ws.product.normalize()
            swap(&ws.vector, &ws.product)   // the next measurement starts from H·v/‖H·v‖
        }
        sharpness.measurements.append(.init(step: trainer.globalStep, sharpness: value, threshold: SharpnessMonitor.threshold(trainer.optimizer)))
        InstrumentPanel.time(&sharpness.secondsSpent, start)
        // The start of the step for α: its batch loss and the batch gradient (the slope needs d, after the step).
        pendingAlpha = (trainer.globalStep, Double(trainer.lastLoss), .nan)
        measuring = true
    }

    public func afterStep(_ trainer: Trainer) throws {
        guard measuring, let probe, let ws = workspace else { return }
        random = nil
        let theta = ws.theta, batchGradient = ws.batchGradient
        let start = DispatchTime.now().uptimeNanoseconds
        var layers: [(String, Double)] = []
        layers.reserveCapacity(probe.layers.count)
        // One pass per parameter: the update-to-weight ratio and the slope g_B·d at the start of
        // the step for α (its end waits for the next step's gradient).
        var slope = 0.0
        theta.storage.withUnsafeBufferPointer { t in batchGradient.storage.withUnsafeBufferPointer { g in
            for layer in probe.layers {
                var change = 0.0, size = 0.0
                for i in layer.indices {
                    let p = probe.parameters[i], at = theta.offsets[i]
                    let step = ParameterVector.stepStatistics(p.storage.pointer, t.baseAddress! + at, g.baseAddress! + at, p.count)
                    change += step.change
                    size += step.size
                    slope += step.slope
                }
                layers.append((layer.name, size > 0 ? (change / size).squareRoot() : (change > 0 ? .infinity : 0)))
            }
        } }
        updateRatio.measurements.append(.init(step: trainer.globalStep, layers: layers))
        InstrumentPanel.time(&updateRatio.secondsSpent, start)
        pendingAlpha?.slope = slope
    }
}
