/// The per-epoch history of a run: one ``HistoryRecord`` per epoch with `train_loss`,
/// `val_loss`, validation metrics (`val_auc`, …), `lr`, `grad_norm` and `time_s`.
public struct History: Equatable {
    /// Records in epoch order.
    public var records: [HistoryRecord] = []

    /// Creates an empty history.
    public init() {}

    /// Appends a record.
    public mutating func append(_ record: HistoryRecord) { records.append(record) }

    /// The series named `key` (NaN where an epoch lacks it).
    public func series(_ key: String) -> [Double] { records.map { $0[key] ?? .nan } }

    /// Every key that appears, in first-seen order.
    public var keys: [String] {
        var seen: [String] = []
        for r in records { for (k, _) in r.values where !seen.contains(k) { seen.append(k) } }
        return seen
    }

    /// Encodes the history for checkpoints (order-preserving).
    public func encoded() -> [[String: Double]] {
        records.map { r in
            var d: [String: Double] = ["epoch": Double(r.epoch)]
            for (i, (k, v)) in r.values.enumerated() { d["\(i):\(k)"] = v }
            return d
        }
    }

    /// Decodes what ``encoded()`` produced.
    public init(encoded: [[String: Double]]) {
        records = encoded.map { d in
            var r = HistoryRecord(epoch: Int(d["epoch"] ?? 0))
            let entries = d.compactMap { (key, value) -> (Int, String, Double)? in
                guard let colon = key.firstIndex(of: ":"), let i = Int(key[..<colon]) else { return nil }
                return (i, String(key[key.index(after: colon)...]), value)
            }.sorted { $0.0 < $1.0 }
            for (_, k, v) in entries { r[k] = v }
            return r
        }
    }
}
