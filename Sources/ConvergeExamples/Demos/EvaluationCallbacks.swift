import Converge
import ConvergeCore

/// Measures the loss (and the trainer's metrics) on a fixed set of *training* examples in eval
/// mode at the end of every epoch, and records them as `train_eval_loss`, `train_eval_auc`, ….
///
/// The trainer's own `train_loss` is the running mean over the epoch's batches in training mode:
/// dropout is active, batch normalization uses batch statistics, and the weights change during
/// the epoch. Comparing it with the validation loss (measured in eval mode with the end-of-epoch
/// weights) overstates the training loss of a model with dropout, so the train–validation gap
/// looks smaller than it is. This callback gives the like-for-like training loss.
public final class EvalModeTrainingLoss: Callback {
    /// The training examples evaluated (a fixed subset keeps the cost bounded).
    public let data: BatchProvider

    /// Evaluates `data` at the end of every epoch.
    public init(data: BatchProvider) { self.data = data }

    /// After the epoch's last batch (weights final for the epoch, record not yet written).
    public func afterBatch(_ trainer: Trainer) throws {
        guard trainer.batchIndex == trainer.batchesPerEpoch - 1 else { return }
        for (key, value) in trainer.evaluate(data) {
            trainer.extraEpochValues.append(("train_eval_" + key, value))
        }
    }
}

/// Hands one line per epoch to a closure: the epoch, the losses, validation metrics, learning
/// rate and gradient norm, like the seed's `print` in its training loop.
public final class EpochLog: Callback {
    /// A prefix for every line (the run's name).
    public let prefix: String
    /// Log every this many epochs (the first and last epochs are always logged).
    public let every: Int
    private let write: (String) -> Void

    /// Calls `write` with a line starting with `prefix` after the first epoch, every `every`
    /// epochs and after the last epoch.
    public init(prefix: String, every: Int = 1, write: @escaping (String) -> Void) {
        precondition(every >= 1, "EpochLog: every must be at least 1, got \(every)")
        self.prefix = prefix
        self.every = every
        self.write = write
    }

    public func afterEpoch(_ trainer: Trainer) throws {
        guard let record = trainer.history.records.last else { return }
        guard record.epoch == 1 || record.epoch % every == 0 || record.epoch == trainer.totalEpochs || trainer.shouldStop else { return }
        var parts = ["\(prefix) epoch \(record.epoch)/\(trainer.totalEpochs)"]
        let shown: [(String, String, Int)] = [("train_loss", "train", 4), ("train_eval_loss", "train(eval)", 4),
                                              ("val_loss", "val", 4), ("val_auc", "val AUC", 4),
                                              ("val_accuracy", "val acc", 4), ("lr", "lr", -1),
                                              ("grad_norm", "grad", 3), ("time_s", "time", 1)]
        for (key, label, digits) in shown {
            guard let value = record[key] else { continue }
            let text = digits < 0 ? DemoFormat.scientific(value) : DemoFormat.fixed(value, digits)
            parts.append("\(label) \(text)\(key == "time_s" ? "s" : "")")
        }
        write(parts.joined(separator: " | "))
    }
}
