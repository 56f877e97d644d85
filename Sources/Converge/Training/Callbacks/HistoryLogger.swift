import ConvergeCore
import Foundation

/// Writes the history as it grows: `history.csv`, `history.jsonl` and TensorBoard scalar events
/// (in `tensorboard/`) inside a run folder, one record per epoch. When a run is resumed, records
/// from epochs after the checkpoint are discarded first so the files match the history.
public final class HistoryLogger: Callback {
    /// The run folder.
    public let directory: URL
    private var writers: [HistoryWriter] = []
    private var tensorBoard: TensorBoardWriter?
    /// Whether TensorBoard events are written.
    public let writesTensorBoard: Bool

    /// Creates the logger for `directory` (created if needed).
    public init(directory: URL, tensorBoard: Bool = true) {
        self.directory = directory
        self.writesTensorBoard = tensorBoard
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
