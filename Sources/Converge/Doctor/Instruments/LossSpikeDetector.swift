import ConvergeCore
import Foundation

/// Detects loss spikes during training: a batch loss whose z-score against the preceding
/// ``window`` batch losses exceeds ``threshold`` (or a NaN/Inf loss), reported with its step.
///
/// The rolling statistics use only finite losses that were not themselves spikes, so one spike
/// does not mask the next. Use it as a callback, or feed losses to ``observe(loss:step:epoch:)``.
///
/// ```swift
/// let spikes = LossSpikeDetector(window: 50, threshold: 4)
/// let trainer = Trainer(model: model, optimizer: optimizer, loss: .crossEntropy, callbacks: [spikes])
/// try trainer.fit(train: loader, epochs: 10)
/// for spike in spikes.spikes { print(spike) }
/// ```
public final class LossSpikeDetector: Callback {
    /// One detected spike.
    public struct Spike: Equatable, Sendable, CustomStringConvertible {
        /// The optimizer step (0-based) of the batch.
        public var step: Int
        /// The epoch (0-based).
        public var epoch: Int
        /// The batch loss.
        public var loss: Double
        /// Mean of the window before it.
        public var windowMean: Double
        /// Standard deviation of the window before it.
        public var windowStd: Double
        /// (loss − mean) / std; infinite for a NaN/Inf loss.
        public var zScore: Double

        /// `step 120 (epoch 3): loss 2.31, 8.2σ above the rolling mean 0.41`.
        public var description: String {
            if !loss.isFinite { return "step \(step) (epoch \(epoch + 1)): loss \(DoctorFormat.number(loss))" }
            return "step \(step) (epoch \(epoch + 1)): loss \(DoctorFormat.number(loss)), \(String(format: "%.1f", zScore))σ above the rolling mean \(DoctorFormat.number(windowMean))"
        }
    }

    /// Losses in the rolling window.
    public let window: Int
    /// The z-score above which a loss is a spike.
    public let threshold: Double
    /// Losses needed before spikes are reported.
    public let warmup: Int
    /// The spikes found so far.
    public private(set) var spikes: [Spike] = []
    /// Losses observed so far.
    public private(set) var observedCount = 0
    private var recent: [Double] = []

    /// Creates a detector with a window of `window` losses, a z-score `threshold`, reporting only
    /// after `warmup` losses (default: `min(window, 10)`).
    public init(window: Int = 50, threshold: Double = 4, warmup: Int? = nil) {
        precondition(window >= 2, "LossSpikeDetector: window must be at least 2, got \(window)")
        precondition(threshold > 0, "LossSpikeDetector: threshold must be positive, got \(threshold)")
        self.window = window
        self.threshold = threshold
        self.warmup = Swift.max(2, warmup ?? Swift.min(window, 10))
    }

    /// Forgets everything observed.
    public func reset() {
        spikes.removeAll()
        recent.removeAll()
        observedCount = 0
    }

    /// Adds one batch loss; returns the spike if it is one.
    @discardableResult
    public func observe(loss: Double, step: Int, epoch: Int = 0) -> Spike? {
        observedCount += 1
        let n = Double(recent.count)
        let mean = recent.reduce(0, +) / Swift.max(n, 1)
        let variance = recent.count > 1 ? recent.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
        let std = variance.squareRoot()
        var spike: Spike?
        if !loss.isFinite {
            spike = Spike(step: step, epoch: epoch, loss: loss, windowMean: mean, windowStd: std, zScore: .infinity)
        } else if recent.count >= warmup {
            // A floor on the spread keeps a perfectly flat window from flagging rounding noise.
            let spread = Swift.max(std, 1e-3 * Swift.abs(mean), 1e-12)
            let z = (loss - mean) / spread
            if z > threshold {
                spike = Spike(step: step, epoch: epoch, loss: loss, windowMean: mean, windowStd: std, zScore: z)
            }
        }
        if let spike {
            spikes.append(spike)
        } else {
            recent.append(loss)
            if recent.count > window { recent.removeFirst(recent.count - window) }
        }
        return spike
    }

    /// Forgets earlier runs.
    public func beforeFit(_ trainer: Trainer) throws { reset() }

    /// Observes the batch's loss.
    public func afterBatch(_ trainer: Trainer) throws {
        observe(loss: Double(trainer.lastLoss), step: Swift.max(0, trainer.globalStep - 1), epoch: trainer.epoch)
    }

    /// The spikes as a doctor finding (check `loss-spikes`): `fail` when the loss became NaN/Inf;
    /// `warn` when spikes are frequent (at least 2 and more than 1 % of the batches) or one rose
    /// above 10× the rolling mean; `ok` for none, or for an isolated outlier batch (named in the
    /// message).
    public var finding: DoctorFinding {
        guard let first = spikes.first else {
            return DoctorFinding(check: "loss-spikes", status: .ok,
                                 message: "no loss spikes in \(observedCount) batches (rolling z-score over \(window) batches, threshold \(DoctorFormat.number(threshold)))")
        }
        let nonFinite = spikes.contains { !$0.loss.isFinite }
        let frequent = spikes.count >= 2 && Double(spikes.count) > 0.01 * Double(observedCount)
        let large = spikes.contains { $0.windowMean > 0 && $0.loss > 10 * $0.windowMean }
        let status: DoctorFinding.Status = nonFinite ? .fail : (frequent || large ? .warn : .ok)
        let listed = spikes.prefix(5).map(\.description).joined(separator: "; ") + (spikes.count > 5 ? "; …" : "")
        let what = "\(spikes.count) \(status == .ok ? "isolated " : "")loss spike\(spikes.count == 1 ? "" : "s")"
        return DoctorFinding(check: "loss-spikes", status: status,
                             message: "\(what) in \(observedCount) batches, first at step \(first.step): \(listed)",
                             suggestion: status == .ok ? "occasional outlier batches are usually harmless; if spikes recur, look at the examples of those batches"
                                 : "check the data for outliers or mislabeled batches",
                             remedies: status == .ok ? [] : [.lowerLearningRate, .warmup, .clipGradients(maxNorm: 1)])
    }
}
