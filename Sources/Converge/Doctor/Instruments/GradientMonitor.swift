import ConvergeCore
import Foundation

/// A training-loop instrument that records gradient statistics after every backward pass: the
/// global norm before and after clipping at every step, and per-parameter and per-layer
/// statistics (``GradientStatistics``) with the gradient flow (``GradientFlow``) every
/// ``interval`` steps.
///
/// Put it *after* ``GradientClipping`` in the callback list: clipping records the norm before
/// clipping in ``Trainer/lastGradientNorm``, and this monitor then measures what the optimizer
/// will apply.
///
/// ```swift
/// let gradients = GradientMonitor(interval: 10)
/// let trainer = Trainer(model: model, optimizer: optimizer, loss: .crossEntropy,
///                       callbacks: [GradientClipping(maxNorm: 1), gradients])
/// try trainer.fit(train: loader, epochs: 5)
/// for finding in gradients.findings() { print(finding) }
/// ```
public final class GradientMonitor: Callback {
    /// One step's global gradient norms.
    public struct StepNorm: Equatable, Sendable {
        /// The optimizer step (0-based: the step about to be taken).
        public var step: Int
        /// Global L2 norm before clipping.
        public var beforeClipping: Double
        /// Global L2 norm after clipping (equal to ``beforeClipping`` without clipping).
        public var afterClipping: Double
    }

    /// Detailed statistics taken at one step.
    public struct Snapshot: Equatable, Sendable {
        /// The optimizer step.
        public var step: Int
        /// The epoch (0-based).
        public var epoch: Int
        /// Every parameter's gradient statistics (after clipping).
        public var parameters: [GradientStatistics]
        /// Every layer's gradient statistics (its parameters together, after clipping).
        public var layers: [GradientStatistics]
        /// Per-layer weight-gradient norms, input side first, and their verdict.
        public var flow: GradientFlow
    }

    /// Steps between detailed snapshots (1: every step).
    public let interval: Int
    /// The global norms of every step so far.
    public private(set) var norms: [StepNorm] = []
    /// Detailed snapshots taken every ``interval`` steps (the first step always).
    public private(set) var snapshots: [Snapshot] = []

    /// Creates a monitor taking a detailed snapshot every `interval` steps.
    public init(interval: Int = 50) {
        precondition(interval >= 1, "GradientMonitor: interval must be at least 1, got \(interval)")
        self.interval = interval
    }

    /// Forgets earlier runs.
    public func beforeFit(_ trainer: Trainer) throws {
        norms.removeAll()
        snapshots.removeAll()
    }

    /// Records the step's global norms and, every ``interval`` steps, a snapshot.
    public func afterBackward(_ trainer: Trainer) throws {
        let parameters = trainer.model.trainableParameters
        let after = gradNorm(parameters)
        let before = trainer.lastGradientNorm ?? after
        norms.append(StepNorm(step: trainer.globalStep, beforeClipping: before, afterClipping: after))
        if trainer.globalStep % interval == 0 {
            snapshots.append(Snapshot(step: trainer.globalStep, epoch: trainer.epoch,
                                      parameters: GradientStatistics.parameters(of: trainer.model),
                                      layers: GradientStatistics.layers(of: trainer.model),
                                      flow: GradientFlow(model: trainer.model)))
        }
        if trainer.lastGradientNorm == nil { trainer.lastGradientNorm = before }
    }

    /// What the recorded gradients show, as doctor findings:
    /// - `gradient-norm`: a NaN/Inf global norm (naming the first step), or norms jumping by
    ///   more than `fluctuationLimit` × (or below 1/`fluctuationLimit` ×) the median of the 10
    ///   steps before (unstable training); `ok` with the range of norms otherwise;
    /// - `gradient-flow`: the verdict of the last snapshot (vanishing, exploding, no gradient);
    /// - `dead-gradients`: parameters whose gradient was more than half exact zeros in the last
    ///   snapshot (dead ReLUs).
    public func findings(fluctuationLimit: Double = 100) -> [DoctorFinding] {
        var result: [DoctorFinding] = []
        if let bad = norms.first(where: { !$0.beforeClipping.isFinite }) {
            result.append(DoctorFinding(check: "gradient-norm", status: .fail,
                                        message: "the global gradient norm became \(DoctorFormat.number(bad.beforeClipping)) at step \(bad.step)",
                                        suggestion: "run with anomaly detection to find the op that produced it",
                                        remedies: [.lowerLearningRate, .clipGradients(maxNorm: 1)]))
        } else if !norms.isEmpty {
            var jumps: [(step: Int, norm: Double, median: Double)] = []
            for i in norms.indices where i >= 10 {
                let previous = norms[(i - 10)..<i].map(\.beforeClipping).sorted()
                let median = (previous[4] + previous[5]) / 2
                let n = norms[i].beforeClipping
                if median > 0 && (n > fluctuationLimit * median || n < median / fluctuationLimit) {
                    jumps.append((norms[i].step, n, median))
                }
            }
            let values = norms.map(\.beforeClipping)
            let low = values.min()!, high = values.max()!
            if let first = jumps.first {
                result.append(DoctorFinding(check: "gradient-norm", status: .warn,
                                            message: "the global gradient norm jumps by orders of magnitude in \(jumps.count) of \(norms.count) steps, first at step \(first.step): \(DoctorFormat.number(first.norm)) against a median of \(DoctorFormat.number(first.median)) over the 10 steps before",
                                            suggestion: "the training is unstable",
                                            remedies: [.clipGradients(maxNorm: 1), .warmup, .batchNorm]))
            } else {
                let clipped = norms.filter { $0.afterClipping < $0.beforeClipping * (1 - 1e-6) }.count
                result.append(DoctorFinding(check: "gradient-norm", status: .ok,
                                            message: "global gradient norm finite and steady over \(norms.count) steps, from \(DoctorFormat.number(low)) to \(DoctorFormat.number(high)) (last \(DoctorFormat.number(values.last!))); \(clipped) step\(clipped == 1 ? "" : "s") clipped"))
            }
        }
        if let last = snapshots.last {
            var flow = last.flow.finding
            flow.message = "at step \(last.step): " + flow.message
            result.append(flow)
            let dead = last.parameters.filter { $0.zeroFraction > 0.5 && $0.count > 1 }
            if !dead.isEmpty {
                result.append(DoctorFinding(check: "dead-gradients", status: .warn,
                                            message: "at step \(last.step), " + dead.map { "\($0.name) has \(DoctorFormat.percent($0.zeroFraction)) zero gradients" }.joined(separator: ", "),
                                            suggestion: "dead ReLU units: use LeakyReLU or GELU, a lower learning rate, or less weight decay"))
            }
        }
        return result
    }
}
