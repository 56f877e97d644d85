import ConvergeCore
import Foundation

/// The largest eigenvalue of the loss Hessian (the sharpness), by power iteration on
/// Hessian-vector products computed as finite differences of gradients,
///
///     H·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε,
///
/// on part of the current batch (`probeFraction`), and from it the edge-of-stability diagnosis:
/// gradient descent at learning rate η is stable along a direction of curvature λ only while
/// λ < 2/η (with heavy-ball momentum β, (2 + 2β)/η). Training typically sharpens until λ reaches
/// that edge and then hovers there (Cohen et al., 2021); a sharpness far beyond it means the
/// learning rate is too high for the landscape.
///
/// During training the iteration is warm-started: every `interval` steps it does
/// `iterationsPerMeasurement` iterations from the previous eigenvector, so the estimate tracks
/// the sharpness at a small cost; ``estimate(trainer:inputs:targets:iterations:)``
/// runs a full iteration once. Side effects of the extra passes are undone.
public final class SharpnessMonitor: Callback {
    /// One measurement.
    public struct Measurement: Equatable, Sendable {
        /// The optimizer step.
        public var step: Int
        /// The estimated largest Hessian eigenvalue.
        public var sharpness: Double
        /// The stability threshold 2/η (with momentum, (2 + 2β)/η) at that step.
        public var threshold: Double
    }

    /// Steps between measurements.
    public let interval: Int
    /// Power iterations per measurement (warm-started).
    public let iterationsPerMeasurement: Int
    /// The part of the batch the Hessian is measured on.
    public let probeFraction: Double
    /// Every measurement.
    public internal(set) var measurements: [Measurement] = []
    /// Wall-clock seconds spent measuring.
    public internal(set) var secondsSpent = 0.0
    /// Whether the optimizer is plain or momentum SGD, for which the 2/η threshold holds.
    public internal(set) var thresholdApplies = true
    private var probe: InstrumentProbe?
    private var vector: [[Float]]?

    /// Creates the instrument.
    public init(interval: Int = 10, iterationsPerMeasurement: Int = 1, probeFraction: Double = 0.25) {
        precondition(interval >= 1 && iterationsPerMeasurement >= 1 && probeFraction > 0 && probeFraction <= 1,
                     "SharpnessMonitor: need interval ≥ 1, iterationsPerMeasurement ≥ 1, probeFraction in (0, 1]")
        self.interval = interval
        self.iterationsPerMeasurement = iterationsPerMeasurement
        self.probeFraction = probeFraction
    }

    public func beforeFit(_ trainer: Trainer) throws {
        probe = InstrumentProbe(trainer: trainer)
        thresholdApplies = trainer.optimizer is SGD
    }

    /// The stability threshold of the trainer's optimizer: (2 + 2β)/η for SGD with momentum β.
    static func threshold(_ optimizer: Optimizer) -> Double {
        let rate = optimizer.learningRate
        let momentum = optimizer is SGD ? (optimizer.momentum ?? 0) : 0
        return (2 + 2 * momentum) / Swift.max(rate, 1e-300)
    }

    public func afterBackward(_ trainer: Trainer) throws {
        guard trainer.globalStep % interval == 0, let probe, let batch = trainer.lastBatch else { return }
        let start = Date()
        defer { secondsSpent += Date().timeIntervalSince(start) }
        let n = batch.inputs.shape.first ?? 0
        let minimum = probe.minimumRows
        let size = Swift.min(n, Swift.max(minimum, Int(Double(n) * probeFraction)))
        guard size >= minimum else { return }
        let inputs = InstrumentProbe.rows(batch.inputs, 0..<size), targets = InstrumentProbe.rows(batch.targets, 0..<size)
        let (value, v) = SharpnessMonitor.powerIteration(probe: probe, loss: trainer.loss, inputs: inputs, targets: targets,
                                                        start: vector, iterations: iterationsPerMeasurement)
        vector = v
        measurements.append(Measurement(step: trainer.globalStep, sharpness: value, threshold: SharpnessMonitor.threshold(trainer.optimizer)))
    }

    /// Runs `iterations` power iterations from `start` (a seeded random direction when nil) and
    /// returns the Rayleigh quotient vᵀHv of the last unit vector and the next vector.
    static func powerIteration(probe: InstrumentProbe, loss: (Tensor, Tensor) -> Tensor, inputs: Tensor, targets: Tensor,
                               start: [[Float]]?, iterations: Int) -> (Double, [[Float]]) {
        probe.withoutSideEffects {
            let theta = probe.values()
            defer { probe.setParameters(theta) }
            var v = start ?? {
                let g = RandomGenerator(seed: 12345)
                return theta.map { $0.map { _ in Float(g.nextUniformDouble() * 2 - 1) } }
            }()
            func normalize(_ x: inout [[Float]]) {
                let norm = Float(InstrumentProbe.squaredNorm(x).squareRoot())
                guard norm > 0, norm.isFinite else { return }
                for i in x.indices { for j in x[i].indices { x[i][j] /= norm } }
            }
            normalize(&v)
            let thetaNorm = InstrumentProbe.squaredNorm(theta).squareRoot()
            let epsilon = Float(1e-3 * Swift.max(1, thetaNorm / Double(Swift.max(1, theta.reduce(0) { $0 + $1.count })).squareRoot()))
            let random = Random.generator.state
            var value = Double.nan
            for _ in 0..<iterations {
                Random.generator.state = random
                probe.setParameters(theta, plus: epsilon, direction: v)
                let plus = probe.lossAndGradient(loss, inputs: inputs, targets: targets).1
                Random.generator.state = random
                probe.setParameters(theta, plus: -epsilon, direction: v)
                let minus = probe.lossAndGradient(loss, inputs: inputs, targets: targets).1
                var hv = plus
                for i in hv.indices { for j in hv[i].indices { hv[i][j] = (plus[i][j] - minus[i][j]) / (2 * epsilon) } }
                value = InstrumentProbe.dot(v, hv)
                v = hv
                normalize(&v)
            }
            return (value, v)
        }
    }

    /// A full power-iteration estimate of the largest Hessian eigenvalue of `loss` at the model's
    /// current parameters on one batch (training mode; side effects undone).
    public static func estimate(trainer: Trainer, inputs: Tensor, targets: Tensor, iterations: Int = 20) -> Double {
        let probe = InstrumentProbe(trainer: trainer)
        return powerIteration(probe: probe, loss: trainer.loss, inputs: inputs, targets: targets, start: nil, iterations: iterations).0
    }

    /// The edge-of-stability diagnosis (check `sharpness`): fail when the sharpness stayed above
    /// twice the threshold (the learning rate is far too high for the curvature), warn above the
    /// threshold, ok below. For adaptive optimizers (Adam, RMSprop) the 2/η threshold does not
    /// apply to the raw Hessian; the sharpness is reported without a verdict.
    public func findings() -> [DoctorFinding] {
        let finite = measurements.filter { $0.sharpness.isFinite }
        guard let last = finite.last else { return [] }
        let recent = finite.suffix(Swift.max(1, finite.count / 3))
        let ratio = recent.map { $0.sharpness / $0.threshold }.sorted()[recent.count / 2]
        let what = "largest Hessian eigenvalue (power iteration on finite-difference Hessian-vector products): \(DoctorFormat.number(last.sharpness)) at step \(last.step)"
        guard thresholdApplies else {
            return [DoctorFinding(check: "sharpness", status: .ok,
                                  message: what + "; the 2/lr stability edge (\(DoctorFormat.number(last.threshold))) applies to SGD, not to adaptive optimizers, so no verdict")]
        }
        let edge = "\(DoctorFormat.number(ratio))× the stability edge 2/lr (\(DoctorFormat.number(last.threshold)))"
        if ratio > 2 {
            return [DoctorFinding(check: "sharpness", status: .fail,
                                  message: what + ": \(edge) over the last measurements; gradient descent is unstable along the sharpest direction",
                                  remedies: [.learningRate(1 / Swift.max(last.sharpness, 1e-12))])]
        }
        if ratio > 1 {
            return [DoctorFinding(check: "sharpness", status: .warn,
                                  message: what + ": \(edge): at the edge of stability, where the loss oscillates along the sharpest direction (normal late in full-batch training)")]
        }
        return [DoctorFinding(check: "sharpness", status: .ok, message: what + ": \(edge), below the edge")]
    }
}
