import Foundation

/// Logs per-epoch records to a JSON Lines file: one object per line,
/// `{"epoch":3,"loss":0.41,"accuracy":0.86}`, keys in record order.
///
/// Values that JSON cannot express (NaN, ±infinity) are written as `null` and read back as NaN.
/// Each line is appended with one `write`; opening a file whose last line was torn by a crash
/// drops that line.
public final class JSONLinesHistoryWriter: HistoryWriter {
    /// The file.
    public let url: URL

    /// Opens `url`, continuing an existing file.
    public init(url: URL) throws {
        self.url = url
        _ = try HistoryFile.repairedContents(of: url)
    }

    /// Appends one line.
    public func append(_ record: HistoryRecord) throws {
        try HistoryFile.append(Self.line(record), to: url)
    }

    /// Removes the lines of epoch `epoch` and later.
    public func discardRecords(fromEpoch epoch: Int) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let kept = try Self.read(contentsOf: url).filter { $0.epoch < epoch }
        try AtomicFile.write(Data(kept.map(Self.line).joined().utf8), to: url)
    }

    /// The JSON line for `record`, with its newline.
    static func line(_ record: HistoryRecord) -> String {
        let fields = ["\"epoch\":\(record.epoch)"] + record.values.map { name, value in
            Safetensors.jsonString(name) + ":" + (value.isFinite ? "\(value)" : "null")
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// Reads a JSON Lines history: one record per non-empty line, keys in line order.
    ///
    /// - Throws: ``DataFileError`` naming the file and line of a line that is not a flat JSON
    ///   object with an integer `epoch` and numeric (or null) values.
    public static func read(contentsOf url: URL) throws -> [HistoryRecord] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataFileError(file: url.path, reason: .unreadable(error.localizedDescription))
        }
        var records: [HistoryRecord] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let pairs = FlatJSONObject.parse(Array(text.utf8)) else {
                throw DataFileError(file: url.path, line: index + 1, reason: .malformed("not a flat JSON object of numbers"))
            }
            guard let epochValue = pairs.first(where: { $0.0 == "epoch" })?.1, let epoch = Int(exactly: epochValue) else {
                throw DataFileError(file: url.path, line: index + 1, column: "epoch", reason: .malformed("missing or non-integer \"epoch\""))
            }
            records.append(HistoryRecord(epoch: epoch, values: pairs.filter { $0.0 != "epoch" }))
        }
        return records
    }
}

/// Parses `{"name": number-or-null, …}` keeping key order.
enum FlatJSONObject {
    static func parse(_ bytes: [UInt8]) -> [(String, Double)]? {
        var i = 0
        func skip() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 } }
        func take(_ c: Character) -> Bool {
            skip()
            guard i < bytes.count, bytes[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        func string() -> String? {
            skip()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            let start = i
            i += 1
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
            guard i < bytes.count else { return nil }
            i += 1
            let literal = Data(bytes[start..<i])
            return (try? JSONSerialization.jsonObject(with: literal, options: .fragmentsAllowed)) as? String
        }
        func number() -> Double? {
            skip()
            let start = i
            while i < bytes.count, let c = Optional(bytes[i]), c != UInt8(ascii: ","), c != UInt8(ascii: "}"), c != 0x20 { i += 1 }
            let word = String(decoding: bytes[start..<i], as: UTF8.self)
            if word == "null" { return .nan }
            return Double(word)
        }
        guard take("{") else { return nil }
        var pairs: [(String, Double)] = []
        if take("}") { skip(); return i == bytes.count ? pairs : nil }
        repeat {
            guard let key = string(), take(":"), let value = number() else { return nil }
            pairs.append((key, value))
        } while take(",")
        guard take("}") else { return nil }
        skip()
        return i == bytes.count ? pairs : nil
    }
}
