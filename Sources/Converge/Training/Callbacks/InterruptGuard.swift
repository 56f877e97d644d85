import Foundation

/// Stops training cleanly on Ctrl-C (SIGINT): the step in progress finishes, a checkpoint is
/// written, and the run ends by throwing ``Interrupted``, which `converge train` reports with the
/// command that resumes the run (exit status 130). A second Ctrl-C ends the process at once.
///
/// The guard waits for a whole optimizer step (with gradient accumulation, the last
/// micro-batch), so the checkpoint it writes resumes bit-identically. Put it after the
/// checkpointing callback.
///
/// ```swift
/// let interrupt = InterruptGuard(checkpoint: runFolder.appendingPathComponent("checkpoint"))
/// interrupt.install()
/// defer { interrupt.uninstall() }
/// trainer.callbacks.append(interrupt)
/// ```
public final class InterruptGuard: Callback {
    /// Thrown at the first step boundary after Ctrl-C, once the checkpoint is written.
    public struct Interrupted: Error, CustomStringConvertible {
        /// 1-based epoch that was running.
        public let epoch: Int
        /// 1-based batch within that epoch after which training stopped.
        public let batch: Int
        /// Optimizer steps taken.
        public let step: Int
        /// One line.
        public var description: String {
            "interrupted at epoch \(epoch), batch \(batch) (step \(step)); a checkpoint was written"
        }
    }

    /// The checkpoint folder written when training stops (nil: write none, e.g. on ranks that
    /// do not own the run folder).
    public let checkpoint: URL?
    /// Stored with the checkpoint (the run's fingerprint).
    public var metadata: [String: String]
    /// Set when the guard stopped the run.
    public private(set) var stop: Interrupted?

    /// Creates the guard; call ``install()`` to catch SIGINT.
    public init(checkpoint: URL?, metadata: [String: String] = [:]) {
        self.checkpoint = checkpoint
        self.metadata = metadata
    }

    /// Catches SIGINT from now on: the first one asks the run to stop at the next step
    /// boundary, the second exits at once with status 130.
    public func install() {
        interruptCount.pointee = 0
        signal(SIGINT, interruptHandler)
    }

    /// Restores the default SIGINT behaviour.
    public func uninstall() { signal(SIGINT, SIG_DFL) }

    /// Whether Ctrl-C was pressed since ``install()``.
    public var isRequested: Bool { interruptCount.pointee > 0 }

    /// Asks the run to stop as Ctrl-C would (tests, embedding applications).
    public func request() { interruptCount.pointee = max(interruptCount.pointee, 1) }

    public func afterBatch(_ trainer: Trainer) throws {
        // Only between optimizer steps, so that the checkpoint holds no half-accumulated
        // gradient; at the last batch of an epoch, the epoch is finished first (afterEpoch).
        guard isRequested, trainer.microBatch == 0, trainer.batchIndex < trainer.batchesPerEpoch - 1 else { return }
        try halt(trainer, epoch: trainer.epoch + 1, batch: trainer.batchIndex + 1)
    }

    public func afterEpoch(_ trainer: Trainer) throws {
        guard isRequested, trainer.epoch < trainer.totalEpochs, !trainer.shouldStop else { return }
        try halt(trainer, epoch: trainer.epoch, batch: trainer.batchesPerEpoch)
    }

    private func halt(_ trainer: Trainer, epoch: Int, batch: Int) throws -> Never {
        if let checkpoint { try Checkpoint.save(trainer, to: checkpoint, metadata: metadata) }
        let s = Interrupted(epoch: epoch, batch: batch, step: trainer.globalStep)
        stop = s
        throw s
    }
}

/// Ctrl-C presses since the guard was installed (written by the signal handler only).
private let interruptCount: UnsafeMutablePointer<sig_atomic_t> = {
    let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
    p.initialize(to: 0)
    return p
}()

/// Async-signal-safe: bumps the counter, and on the second press writes one line and exits.
private func interruptHandler(_ signal: Int32) {
    interruptCount.pointee += 1
    if interruptCount.pointee >= 2 {
        let message: StaticString = "\nconverge: interrupted again; stopping now without a checkpoint\n"
        _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
        _exit(130)
    }
    let message: StaticString = "\nconverge: stopping after this step and writing a checkpoint (Ctrl-C again to stop at once)\n"
    _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
}
