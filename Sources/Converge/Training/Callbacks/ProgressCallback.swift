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
        reporter.endEpoch(Self.byImportance(record.values.filter { $0.0 != "time_s" }))
    }

    /// The epoch's values, most important first (the line keeps as many as fit in
    /// ``ProgressReporter/maximumLineWidth``): the losses, the validation metrics, the learning
    /// rate, then the rest.
    static func byImportance(_ values: [(String, Double)]) -> [(String, Double)] {
        func rank(_ name: String) -> Int {
            if name == "train_loss" { return 0 }
            if name == "val_loss" { return 1 }
            if name.hasPrefix("val_") { return 2 }
            if name == "lr" { return 3 }
            return 4
        }
        return values.enumerated().sorted { (rank($0.element.0), $0.offset) < (rank($1.element.0), $1.offset) }.map(\.element)
    }
}
