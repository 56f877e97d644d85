import Foundation

/// A CSV file read into memory: a header row of column names and rows of text cells.
///
/// The reader follows RFC 4180: cells separated by a one-byte delimiter (`,` by default), rows by
/// `\n`, `\r\n` or `\r`; a cell in double quotes may hold delimiters, line breaks and `""` for a
/// quote. A UTF-8 byte-order mark is skipped, completely empty lines are ignored, and every row
/// must have as many cells as the header. Each row remembers the line it starts on, so errors
/// found later (a cell that is not a number) still name the line.
public struct CSVTable {
    /// The file's path (or the name given to parsed text), used in error messages.
    public let file: String
    /// The header's cells, trimmed of surrounding spaces.
    public let columnNames: [String]
    /// The data rows' cells (not trimmed), each row as long as ``columnNames``.
    public let rows: [[String]]
    /// The 1-based line on which each row starts (the header is line 1).
    public let lineNumbers: [Int]

    /// Reads and parses `url`.
    ///
    /// - Throws: ``DataFileError`` naming the file (and line): unreadable, empty, a duplicate
    ///   column name, a ragged row or an unterminated quote.
    public init(contentsOf url: URL, delimiter: Character = ",") throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataFileError(file: url.path, reason: .unreadable(FileProblem.reason(error)))
        }
        let bytes = [UInt8](data)
        if String(validating: bytes, as: UTF8.self) == nil {
            // Name the first line that is not UTF-8 text.
            var line = 1, start = 0
            for (i, b) in bytes.enumerated() where b == 0x0A {
                if String(validating: bytes[start..<i], as: UTF8.self) == nil { break }
                line += 1
                start = i + 1
            }
            throw DataFileError(file: url.path, line: line, reason: .malformed("the file is not UTF-8 text (save it as UTF-8 CSV)"))
        }
        try self.init(bytes: bytes, file: url.path, delimiter: delimiter)
    }

    /// Parses CSV `text`; `file` names it in errors.
    public init(parsing text: String, file: String = "<text>", delimiter: Character = ",") throws {
        try self.init(bytes: Array(text.utf8), file: file, delimiter: delimiter)
    }

    private init(bytes: [UInt8], file: String, delimiter: Character) throws {
        precondition(delimiter.isASCII && delimiter.utf8.count == 1 && delimiter != "\"" && !delimiter.isNewline,
                     "CSVTable: the delimiter must be one ASCII character other than a quote or a line break")
        let records = try Self.records(bytes, file: file, delimiter: delimiter.utf8.first!)
        guard let header = records.first else { throw DataFileError(file: file, reason: .emptyFile) }
        let names = header.cells.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw DataFileError(file: file, line: header.line, reason: .duplicateColumn(name))
        }
        for record in records.dropFirst() where record.cells.count != names.count {
            throw DataFileError(file: file, line: record.line, reason: .raggedRow(expected: names.count, found: record.cells.count))
        }
        self.file = file
        self.columnNames = names
        self.rows = records.dropFirst().map { $0.cells }
        self.lineNumbers = records.dropFirst().map { $0.line }
    }

    /// The index of the column named `name`, if any.
    public func columnIndex(named name: String) -> Int? { columnNames.firstIndex(of: name) }

    /// Splits `bytes` into records of cells, each with the line it starts on.
    static func records(_ bytes: [UInt8], file: String, delimiter: UInt8) throws -> [(cells: [String], line: Int)] {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [(cells: [String], line: Int)] = []
        var cells: [String] = []
        var cell: [UInt8] = []
        var line = 1, recordLine = 1
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var inQuotes = false, recordHasContent = false

        func endCell() {
            cells.append(String(decoding: cell, as: UTF8.self))
            cell.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            if recordHasContent || !cells.isEmpty {
                endCell()
                records.append((cells, recordLine))
            }
            cells.removeAll()
            cell.removeAll(keepingCapacity: true)
            recordHasContent = false
        }

        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < bytes.count && bytes[i + 1] == quote { cell.append(quote); i += 1 } else { inQuotes = false }
                } else {
                    if b == lf || (b == cr && !(i + 1 < bytes.count && bytes[i + 1] == lf)) { line += 1 }
                    cell.append(b)
                }
            } else if b == quote && cell.isEmpty {
                inQuotes = true
                recordHasContent = true
            } else if b == delimiter {
                endCell()
            } else if b == lf || b == cr {
                if b == cr && i + 1 < bytes.count && bytes[i + 1] == lf { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            } else {
                cell.append(b)
                recordHasContent = true
            }
            i += 1
        }
        if inQuotes { throw DataFileError(file: file, line: recordLine, reason: .unterminatedQuote) }
        endRecord()
        return records
    }
}
