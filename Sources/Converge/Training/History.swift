import Foundation

/// One epoch of training: losses, metrics, learning rate, gradient norm and time.
public struct EpochRecord: Equatable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Values in insertion order: `train_loss`, `val_loss`, `val_auc`, `lr`, `grad_norm`, `time_s`, …
    public private(set) var values: [(String, Double)]

    /// Creates an empty record for `epoch`.
    public init(epoch: Int) {
        self.epoch = epoch
        values = []
    }

    /// The value named `key`, or nil.
    public subscript(key: String) -> Double? {
        get { values.first { $0.0 == key }?.1 }
        set {
            if let i = values.firstIndex(where: { $0.0 == key }) {
                if let newValue { values[i].1 = newValue } else { values.remove(at: i) }
            } else if let newValue {
                values.append((key, newValue))
            }
        }
    }

    public static func == (a: EpochRecord, b: EpochRecord) -> Bool {
        a.epoch == b.epoch && a.values.count == b.values.count
            && zip(a.values, b.values).allSatisfy { $0.0 == $1.0 && ($0.1 == $1.1 || ($0.1.isNaN && $1.1.isNaN)) }
    }
}

/// The per-epoch history of a run.
public struct History: Equatable {
    /// Records in epoch order.
    public var records: [EpochRecord] = []

    /// Creates an empty history.
    public init() {}

    /// Appends a record.
    public mutating func append(_ record: EpochRecord) { records.append(record) }

    /// The series named `key` (NaN where an epoch lacks it).
    public func series(_ key: String) -> [Double] { records.map { $0[key] ?? .nan } }

    /// Every key that appears, in first-seen order.
    public var keys: [String] {
        var seen: [String] = []
        for r in records { for (k, _) in r.values where !seen.contains(k) { seen.append(k) } }
        return seen
    }

    /// The history as CSV: header `epoch,<keys…>`, one row per epoch.
    public func csv() -> String {
        let keys = self.keys
        var lines = [(["epoch"] + keys).joined(separator: ",")]
        for r in records {
            lines.append(([String(r.epoch)] + keys.map { r[$0].map(History.format) ?? "" }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The history as JSON Lines: one object per epoch.
    public func jsonLines() -> String {
        records.map { r in
            let fields = [("epoch", String(r.epoch))] + r.values.map { ($0.0, History.jsonNumber($0.1)) }
            return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }.joined(separator: "\n") + (records.isEmpty ? "" : "\n")
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return String(v)
    }

    static func jsonNumber(_ v: Double) -> String { v.isFinite ? String(v) : "null" }

    /// Encodes the history for checkpoints.
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
            var r = EpochRecord(epoch: Int(d["epoch"] ?? 0))
            let entries = d.compactMap { (key, value) -> (Int, String, Double)? in
                guard let colon = key.firstIndex(of: ":"), let i = Int(key[..<colon]) else { return nil }
                return (i, String(key[key.index(after: colon)...]), value)
            }.sorted { $0.0 < $1.0 }
            for (_, k, v) in entries { r[k] = v }
            return r
        }
    }
}
