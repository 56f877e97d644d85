import Foundation

/// One epoch's logged values, e.g. `epoch 3: loss 0.41, val_loss 0.47, accuracy 0.86`.
public struct HistoryRecord: Equatable, CustomStringConvertible {
    /// The epoch number.
    public var epoch: Int
    /// Named values in display order (NaN where a value was undefined or missing).
    public var values: [(String, Double)]

    /// Creates a record.
    public init(epoch: Int, values: [(String, Double)]) {
        self.epoch = epoch
        self.values = values
    }

    /// Creates an empty record for `epoch`.
    public init(epoch: Int) { self.init(epoch: epoch, values: []) }

    /// The value named `name`, if present; setting appends a new name, replaces an existing
    /// value, or (with nil) removes it.
    public subscript(name: String) -> Double? {
        get { values.first { $0.0 == name }?.1 }
        set {
            if let i = values.firstIndex(where: { $0.0 == name }) {
                if let newValue { values[i].1 = newValue } else { values.remove(at: i) }
            } else if let newValue {
                values.append((name, newValue))
            }
        }
    }

    /// Equal epochs and equal names and values in the same order (NaN equals NaN).
    public static func == (a: HistoryRecord, b: HistoryRecord) -> Bool {
        a.epoch == b.epoch && a.values.count == b.values.count
            && zip(a.values, b.values).allSatisfy { $0.0 == $1.0 && ($0.1 == $1.1 || ($0.1.isNaN && $1.1.isNaN)) }
    }

    /// `epoch 3: loss 0.41, accuracy 0.86`.
    public var description: String {
        "epoch \(epoch): " + values.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    }
}

/// A per-epoch log file that grows by one record per epoch.
///
/// Implementations append each record with a single `write` and `fsync`, so a crash leaves at
/// most one incomplete last line, which the next writer opened on the file drops.
public protocol HistoryWriter: AnyObject {
    /// The file.
    var url: URL { get }
    /// Appends one record.
    func append(_ record: HistoryRecord) throws
    /// Removes every record whose epoch is `epoch` or later (for resuming from a checkpoint
    /// taken before them), rewriting the file atomically.
    func discardRecords(fromEpoch epoch: Int) throws
}
