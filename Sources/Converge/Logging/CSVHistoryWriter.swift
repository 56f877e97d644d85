import Foundation

/// Logs per-epoch records to a CSV file: an `epoch` column, then one column per value name.
///
/// Opening an existing file continues it (its header fixes the first columns). A record with a
/// name the header lacks rewrites the file atomically with the new column added (earlier rows get
/// empty cells); a record lacking a column leaves its cell empty. Non-finite values are written as
/// `nan`, `inf`, `-inf`, which pandas and NumPy read back.
public final class CSVHistoryWriter: HistoryWriter {
    /// The file.
    public let url: URL
    /// The value columns, in order (the `epoch` column comes before them).
    public private(set) var columns: [String]

    /// Opens `url`, continuing an existing history file or starting a new one on the first
    /// ``append(_:)``.
    ///
    /// - Throws: ``DataFileError`` when an existing file is not a history CSV, ``FileIOError``
    ///   when it cannot be read.
    public init(url: URL) throws {
        self.url = url
        if let text = try HistoryFile.repairedContents(of: url), !text.isEmpty {
            let table = try CSVTable(parsing: text, file: url.path)
            guard table.columnNames.first == "epoch" else {
                throw DataFileError(file: url.path, line: 1, reason: .malformed("a history file's first column must be \"epoch\""))
            }
            columns = Array(table.columnNames.dropFirst())
        } else {
            columns = []
        }
    }

    /// Appends one row (adding columns first if the record brings new names).
    public func append(_ record: HistoryRecord) throws {
        let newNames = record.values.map { $0.0 }.filter { !columns.contains($0) }
        let size = Self.fileSize(url)
        if !newNames.isEmpty || size == 0 {
            let previous = size > 0 ? try Self.read(contentsOf: url) : []
            columns += newNames
            try rewrite(previous + [record])
            return
        }
        try HistoryFile.append(row(record), to: url)
    }

    /// Removes the rows of epoch `epoch` and later.
    public func discardRecords(fromEpoch epoch: Int) throws {
        guard Self.fileSize(url) > 0 else { return }
        try rewrite(try Self.read(contentsOf: url).filter { $0.epoch < epoch })
    }

    private func rewrite(_ records: [HistoryRecord]) throws {
        var text = (["epoch"] + columns).map(Self.quoted).joined(separator: ",") + "\n"
        for record in records { text += row(record) }
        try AtomicFile.write(Data(text.utf8), to: url)
    }

    private func row(_ record: HistoryRecord) -> String {
        let cells = columns.map { name in record[name].map(HistoryFile.format) ?? "" }
        return ([String(record.epoch)] + cells).joined(separator: ",") + "\n"
    }

    /// The file's size in bytes (0 when it does not exist).
    private static func fileSize(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    private static func quoted(_ name: String) -> String {
        guard name.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return name }
        return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Reads a history CSV: one record per row, values in column order, empty cells left out.
    ///
    /// - Throws: ``DataFileError`` naming the file, line and column for a cell that is not a number.
    public static func read(contentsOf url: URL) throws -> [HistoryRecord] {
        let table = try CSVTable(contentsOf: url)
        guard table.columnNames.first == "epoch" else {
            throw DataFileError(file: url.path, line: 1, reason: .malformed("a history file's first column must be \"epoch\""))
        }
        return try zip(table.rows, table.lineNumbers).map { row, line in
            let epochText = row[0].trimmingCharacters(in: .whitespaces)
            guard let epoch = Int(epochText) else {
                throw DataFileError(file: url.path, line: line, column: "epoch", reason: .notANumber(row[0]))
            }
            var values: [(String, Double)] = []
            for (name, cell) in zip(table.columnNames, row).dropFirst() {
                let text = cell.trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                guard let value = Double(text) else {
                    throw DataFileError(file: url.path, line: line, column: name, reason: .notANumber(cell))
                }
                values.append((name, value))
            }
            return HistoryRecord(epoch: epoch, values: values)
        }
    }
}
