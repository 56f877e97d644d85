import ConvergeCore
import Foundation

/// Writes the history as it grows: `history.csv`, `history.jsonl` and TensorBoard scalar events
/// (in `tensorboard/`) inside a run folder, one record per epoch. When a run is resumed, records
/// from epochs after the checkpoint are discarded first so the files match the history.
///
/// With a `stepInterval`, TensorBoard also gets per-step scalars every that many optimizer steps,
/// at the global step: `step/loss` (the last batch's), `step/learning_rate` (the first group's) and
/// `step/grad_norm` (the global gradient norm of the step).
public final class HistoryLogger: Callback {
    /// The run folder.
    public let directory: URL
    private var writers: [HistoryWriter] = []
    private var tensorBoard: TensorBoardWriter?
    /// Whether TensorBoard events are written.
    public let writesTensorBoard: Bool
    /// Optimizer steps between per-step TensorBoard scalars (0: none).
    public let stepInterval: Int

    /// Creates the logger for `directory` (created if needed).
    public init(directory: URL, tensorBoard: Bool = true, stepInterval: Int = 0) {
        precondition(stepInterval >= 0, "HistoryLogger: stepInterval \(stepInterval) is negative")
        self.directory = directory
        self.writesTensorBoard = tensorBoard
        self.stepInterval = stepInterval
    }

    /// Per-step scalars every ``stepInterval`` steps.
    public func afterStep(_ trainer: Trainer) throws {
        guard let tensorBoard, stepInterval > 0, trainer.globalStep % stepInterval == 0 else { return }
        var scalars: [(String, Double)] = [("step/loss", Double(trainer.lastLoss)),
                                           ("step/learning_rate", trainer.optimizer.learningRate)]
        if let norm = trainer.lastGradientNorm { scalars.append(("step/grad_norm", norm)) }
        tensorBoard.add(scalars: scalars, step: trainer.globalStep)
    }

    public func beforeFit(_ trainer: Trainer) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        writers = [try CSVHistoryWriter(url: directory.appendingPathComponent("history.csv")),
                   try JSONLinesHistoryWriter(url: directory.appendingPathComponent("history.jsonl"))]
        let firstNew = trainer.history.records.count + 1
        for w in writers { try w.discardRecords(fromEpoch: firstNew) }
        if writesTensorBoard {
            tensorBoard = try TensorBoardWriter(directory: directory.appendingPathComponent("tensorboard"))
        }
    }

    public func afterEpoch(_ trainer: Trainer) throws {
        guard let record = trainer.history.records.last else { return }
        for w in writers { try w.append(record) }
        if let tensorBoard {
            tensorBoard.add(scalars: record.values.map { (HistoryLogger.tensorBoardTag($0.0), $0.1) }, step: record.epoch)
            try tensorBoard.flush()
        }
    }

    public func afterFit(_ trainer: Trainer) throws { try tensorBoard?.close() }

    /// `train_loss` → `loss/train`, `val_loss` → `loss/validation`, `val_auc` → `auc/validation`.
    static func tensorBoardTag(_ key: String) -> String {
        if key.hasPrefix("train_") { return String(key.dropFirst(6)) + "/train" }
        if key.hasPrefix("val_") { return String(key.dropFirst(4)) + "/validation" }
        return key
    }
}
