import Foundation

/// A problem with a data file a user supplied (CSV, `.npy`, a saved ``Standardizer``).
///
/// Its ``description`` is one line in the style of compiler diagnostics, naming the file and,
/// where they apply, the line and column:
/// `train.csv:7: column "age": "abc" is not a number`.
public struct DataFileError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public enum Reason: Equatable {
        /// The file could not be read; the system's message.
        case unreadable(String)
        /// The file holds no header (or no data at all).
        case emptyFile
        /// The file has a header but no data rows.
        case noRows
        /// A required column is absent; the columns that exist.
        case missingColumn(String, available: [String])
        /// Two header cells have the same name.
        case duplicateColumn(String)
        /// No column is left to use as a feature.
        case noFeatureColumns
        /// A row has a different number of cells than the header.
        case raggedRow(expected: Int, found: Int)
        /// A quoted cell is not closed before the end of the file.
        case unterminatedQuote
        /// A cell that should be a number is not (the cell's text).
        case notANumber(String)
        /// A feature or regression target is NaN or infinite (the cell's text).
        case nonFinite(String)
        /// A classification label is not a whole number (the cell's text).
        case labelNotIntegral(String)
        /// A classification label is negative or not below the number of classes.
        case labelOutOfRange(String, numClasses: Int?)
        /// The file's structure is wrong (a malformed header, a bad field); the details.
        case malformed(String)
        /// A feature cell is empty and no imputation was asked for.
        case missingValue
        /// A label cell is empty.
        case missingLabel
        /// A categorical cell holds a category not seen in the training data (the categories known).
        case unknownCategory(String, known: [String])
        /// A class name not seen in the training data (the classes known).
        case unknownClass(String, known: [String])
    }

    /// The file's path (or a name given to in-memory text).
    public let file: String
    /// The 1-based line, where one applies (the header is line 1).
    public let line: Int?
    /// The column's name, where one applies.
    public let column: String?
    /// What is wrong.
    public let reason: Reason

    /// Creates an error.
    public init(file: String, line: Int? = nil, column: String? = nil, reason: Reason) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `file:line: column "name": message`, leaving out the parts that do not apply.
    public var description: String {
        var prefix = file
        if let line { prefix += ":\(line)" }
        prefix += ": "
        if let column { prefix += "column \"\(column)\": " }
        return prefix + message
    }

    /// The reason in words.
    public var message: String {
        switch reason {
        case .unreadable(let why): return "cannot read the file: \(why)"
        case .emptyFile: return "the file is empty (expected a header row)"
        case .noRows: return "the file has a header but no data rows"
        case .missingColumn(let name, let available):
            return "no column named \"\(name)\" (columns: \(available.joined(separator: ", ")))"
        case .duplicateColumn(let name): return "the header names column \"\(name)\" more than once"
        case .noFeatureColumns: return "no feature columns are left besides the label"
        case .raggedRow(let expected, let found): return "row has \(found) cells, the header has \(expected)"
        case .unterminatedQuote: return "a quoted cell is not closed before the end of the file"
        case .notANumber(let text):
            return text.trimmingCharacters(in: .whitespaces).isEmpty ? "the cell is empty (expected a number)" : "\"\(text)\" is not a number"
        case .nonFinite(let text): return "\"\(text)\" is not a finite number (NaN and infinity are not allowed)"
        case .labelNotIntegral(let text): return "class label \"\(text)\" is not a whole number"
        case .labelOutOfRange(let text, let numClasses):
            if let numClasses { return "class label \"\(text)\" is outside 0..<\(numClasses)" }
            return "class label \"\(text)\" is negative (class ids start at 0)"
        case .malformed(let details): return details
        case .missingValue:
            return "the cell is empty (a missing value; to impute it set data.missing to mean, median, most_frequent or {constant: x})"
        case .missingLabel: return "the label is empty"
        case .unknownCategory(let text, let known):
            return "category \"\(text)\" was not in the training data (categories: \(known.joined(separator: ", ")))"
        case .unknownClass(let text, let known):
            return "class \"\(text)\" was not in the training data (classes: \(known.joined(separator: ", ")))"
        }
    }
}
