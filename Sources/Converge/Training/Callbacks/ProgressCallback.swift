import ConvergeCore

/// Shows training progress through a ``ProgressReporter``: a live bar on a terminal, one line
/// per epoch otherwise.
public final class ProgressCallback: Callback {
    /// The reporter drawing the output.
    public let reporter: ProgressReporter

    /// Creates the callback (by default drawing on standard error).
    public init(reporter: ProgressReporter = ProgressReporter()) { self.reporter = reporter }

    public func beforeEpoch(_ trainer: Trainer) throws {
        reporter.beginEpoch(trainer.epoch + 1, of: trainer.totalEpochs, batches: trainer.batchesPerEpoch)
    }

    public func afterBatch(_ trainer: Trainer) throws {
        reporter.update(batch: trainer.batchIndex + 1, loss: Double(trainer.lastLoss),
                        samples: trainer.lastBatch?.inputs.shape.first ?? 0)
    }

    public func afterEpoch(_ trainer: Trainer) throws {
        guard let record = trainer.history.records.last else { return }
        reporter.endEpoch(record.values.filter { $0.0 != "time_s" })
    }
}
