import ConvergeCore

/// Stops training at the first sign of divergence, before a checkpoint can record it: a NaN or
/// infinite training loss, a NaN or infinite gradient norm on a step that was taken, or (under
/// dynamic loss scaling, where Inf/NaN gradients skip the step by design) more than
/// ``maxSkippedSteps`` skipped steps in a row.
///
/// Put it first in the callback list: it throws from `afterStep`/`afterBatch`, so the
/// checkpointing callback after it never saves the diverged state and the last checkpoint stays
/// the last good one.
public final class DivergenceGuard: Callback {
    /// Where and how the run diverged.
    public struct Stop: Equatable {
        /// 0-based epoch.
        public var epoch: Int
        /// 0-based batch within the epoch.
        public var batch: Int
        /// Optimizer steps taken before it.
        public var step: Int
        /// The offending loss (or the last loss when the gradients were the problem).
        public var loss: Float
        /// What was not finite: `loss`, `gradients`, or `skipped steps`.
        public var what: String
    }

    /// Consecutive skipped steps tolerated under loss scaling.
    public let maxSkippedSteps: Int
    /// Set when the guard stopped the run.
    public private(set) var stop: Stop?
    private var skipped = 0

    /// Thrown when the run diverges.
    public struct Diverged: Error, CustomStringConvertible {
        /// Where.
        public let stop: Stop
        /// One line.
        public var description: String {
            "training diverged: \(stop.what) became non-finite at epoch \(stop.epoch + 1), batch \(stop.batch + 1) (step \(stop.step)), loss \(stop.loss)"
        }
    }

    /// Creates the guard.
    public init(maxSkippedSteps: Int = 100) { self.maxSkippedSteps = max(1, maxSkippedSteps) }

    private func halt(_ trainer: Trainer, _ what: String) throws -> Never {
        let s = Stop(epoch: trainer.epoch, batch: trainer.batchIndex, step: trainer.globalStep, loss: trainer.lastLoss, what: what)
        stop = s
        throw Diverged(stop: s)
    }

    public func afterStep(_ trainer: Trainer) throws {
        if let norm = trainer.lastGradientNorm, !norm.isFinite { try halt(trainer, "the gradient norm") }
    }

    public func afterBatch(_ trainer: Trainer) throws {
        if trainer.lossScaler == nil {
            if !trainer.lastLoss.isFinite { try halt(trainer, "the loss") }
            return
        }
        guard trainer.microBatch == 0 else { return }   // no step was attempted at this batch
        skipped = trainer.lastStepSkipped ? skipped + 1 : 0
        if skipped > maxSkippedSteps { try halt(trainer, "the gradients of \(skipped) steps in a row") }
    }
}
