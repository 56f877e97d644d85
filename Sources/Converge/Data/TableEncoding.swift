import ConvergeCore
import Foundation

/// How the columns of a table become a model's features and labels, fitted on the training file
/// and applied unchanged to validation, test and prediction files (and saved with a trained
/// model).
///
/// - **Numeric columns** are read as numbers; an empty cell follows the ``MissingValuePolicy``
///   (an error by default, else the fill value fitted on the training column).
/// - **Categorical columns** (named in `categorical`) are one-hot encoded: one feature
///   `column=value` per category seen in training, in sorted order. A category not seen in
///   training is an error naming the cell.
/// - **Labels.** For classification, labels that are all whole numbers are class ids (`0, 1, …`);
///   labels with any non-numeric value are class names: the sorted distinct names of the
///   training file become ids `0..<k` (``classNames``), and `converge predict` prints names.
///
/// ```swift
/// let table = try CSVTable(contentsOf: trainURL)
/// let encoding = try TableEncoding(fitting: table, labelColumn: "species", task: .classification,
///                                  categorical: ["island"], missing: .median)
/// let train = try encoding.dataset(of: table)
/// let test = try encoding.dataset(of: CSVTable(contentsOf: testURL))
/// ```
public struct TableEncoding: Codable, Equatable {
    /// How one source column becomes features.
    public enum Column: Codable, Equatable {
        /// A number; `fill` replaces an empty cell (nil: an empty cell is an error).
        case numeric(name: String, fill: Float?)
        /// One-hot over `categories`; `fill` replaces an empty cell (nil: an error).
        case oneHot(name: String, categories: [String], fill: String?)

        /// The source column's name.
        public var name: String {
            switch self {
            case .numeric(let name, _), .oneHot(let name, _, _): return name
            }
        }

        /// The features it produces, by name.
        public var featureNames: [String] {
            switch self {
            case .numeric(let name, _): return [name]
            case .oneHot(let name, let categories, _): return categories.map { "\(name)=\($0)" }
            }
        }
    }

    /// The feature columns, in feature order.
    public var columns: [Column]
    /// The label column's name.
    public var labelColumn: String
    /// Whether labels are classes.
    public var isClassification: Bool
    /// The class names in id order, when the training labels are names (nil: numeric ids).
    public var classNames: [String]?

    /// Every feature's name (`age`, `island=Biscoe`, …), in order.
    public var featureNames: [String] { columns.flatMap(\.featureNames) }

    /// Fits the encoding to a training table.
    ///
    /// - Parameters:
    ///   - table: the training data.
    ///   - labelColumn: the label column (not a feature).
    ///   - task: what is predicted (classification labels may be names).
    ///   - featureColumns: the feature columns in order (nil: every column but the label).
    ///   - categorical: the columns to one-hot encode.
    ///   - missing: what to do with empty feature cells.
    /// - Throws: ``DataFileError`` naming the file, line and column: a missing column, an empty
    ///   cell under ``MissingValuePolicy/error``, a non-numeric cell in a numeric column, a
    ///   non-finite number, a bad class id; also a table without rows or feature columns.
    public init(fitting table: CSVTable, labelColumn: String, task: LearningTask, featureColumns: [String]? = nil,
                categorical: [String] = [], missing: MissingValuePolicy = .error) throws {
        let file = table.file
        guard let labelIndex = table.columnIndex(named: labelColumn) else {
            throw DataFileError(file: file, line: 1, reason: .missingColumn(labelColumn, available: table.columnNames))
        }
        for name in categorical where table.columnIndex(named: name) == nil {
            throw DataFileError(file: file, line: 1, reason: .missingColumn(name, available: table.columnNames))
        }
        let names: [String]
        if let featureColumns {
            for name in featureColumns where table.columnIndex(named: name) == nil {
                throw DataFileError(file: file, line: 1, reason: .missingColumn(name, available: table.columnNames))
            }
            names = featureColumns
        } else {
            names = table.columnNames.filter { $0 != labelColumn }
        }
        guard !names.isEmpty else { throw DataFileError(file: file, line: 1, reason: .noFeatureColumns) }
        guard !table.rows.isEmpty else { throw DataFileError(file: file, reason: .noRows) }

        self.labelColumn = labelColumn
        self.isClassification = task.isClassification
        columns = try names.map { name in
            let c = table.columnIndex(named: name)!
            let cells = table.rows.map { $0[c].trimmingCharacters(in: .whitespaces) }
            if categorical.contains(name) {
                let present = cells.filter { !$0.isEmpty }
                var counts: [String: Int] = [:]
                for v in present { counts[v, default: 0] += 1 }
                let fill = missing == .error ? nil : counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
                return .oneHot(name: name, categories: counts.keys.sorted(), fill: fill)
            }
            var values: [Float] = []
            for (r, text) in cells.enumerated() where !text.isEmpty {
                values.append(try Self.number(text, raw: table.rows[r][c], file: file, line: table.lineNumbers[r], column: name))
            }
            let fill = missing.fill(for: values)
            if missing != .error, fill == nil {
                throw DataFileError(file: file, line: nil, column: name,
                                    reason: .malformed("every cell is empty, so there is nothing to impute from"))
            }
            return .numeric(name: name, fill: fill)
        }
        if task.isClassification {
            let labels = table.rows.map { $0[labelIndex].trimmingCharacters(in: .whitespaces) }
            if labels.contains(where: { !$0.isEmpty && Double($0) == nil }) {
                let distinct = Set(labels.filter { !$0.isEmpty }).sorted()
                if let k = task.numClasses, distinct.count > k {
                    throw DataFileError(file: file, line: nil, column: labelColumn,
                                        reason: .malformed("\(distinct.count) class names (\(distinct.joined(separator: ", "))), more than the \(k) classes asked for"))
                }
                classNames = distinct
            }
        }
    }

    /// The features of `table` `[N, featureNames.count]`.
    /// - Throws: ``DataFileError`` naming the cell (see ``init(fitting:labelColumn:task:featureColumns:categorical:missing:)``),
    ///   or a category not seen in training.
    public func features(of table: CSVTable) throws -> Tensor {
        let file = table.file
        let indices = try columns.map { column -> Int in
            guard let i = table.columnIndex(named: column.name) else {
                throw DataFileError(file: file, line: 1, reason: .missingColumn(column.name, available: table.columnNames))
            }
            return i
        }
        guard !table.rows.isEmpty else { throw DataFileError(file: file, reason: .noRows) }
        let width = featureNames.count
        var values = [Float](repeating: 0, count: table.rows.count * width)
        for (r, row) in table.rows.enumerated() {
            let line = table.lineNumbers[r]
            var offset = r * width
            for (column, c) in zip(columns, indices) {
                let text = row[c].trimmingCharacters(in: .whitespaces)
                switch column {
                case .numeric(let name, let fill):
                    if text.isEmpty {
                        guard let fill else { throw DataFileError(file: file, line: line, column: name, reason: .missingValue) }
                        values[offset] = fill
                    } else {
                        values[offset] = try Self.number(text, raw: row[c], file: file, line: line, column: name)
                    }
                    offset += 1
                case .oneHot(let name, let categories, let fill):
                    var category = text
                    if category.isEmpty {
                        guard let fill else { throw DataFileError(file: file, line: line, column: name, reason: .missingValue) }
                        category = fill
                    }
                    guard let k = categories.firstIndex(of: category) else {
                        throw DataFileError(file: file, line: line, column: name, reason: .unknownCategory(category, known: categories))
                    }
                    values[offset + k] = 1
                    offset += categories.count
                }
            }
        }
        return Tensor(shape: [table.rows.count, width], scalars: values)
    }

    /// The labels of `table` `[N]`: class ids as whole floats (checked against `task`'s number of
    /// classes, or mapped from ``classNames``), or regression targets.
    /// - Throws: ``DataFileError`` naming the cell: an empty label, a class name not seen in
    ///   training, a class id that is not a whole number, negative or out of range, a target that
    ///   is not a finite number.
    public func labels(of table: CSVTable, task: LearningTask) throws -> Tensor {
        let file = table.file
        guard let labelIndex = table.columnIndex(named: labelColumn) else {
            throw DataFileError(file: file, line: 1, reason: .missingColumn(labelColumn, available: table.columnNames))
        }
        guard !table.rows.isEmpty else { throw DataFileError(file: file, reason: .noRows) }
        let labels = try table.rows.enumerated().map { r, row -> Float in
            let line = table.lineNumbers[r]
            let raw = row[labelIndex]
            let text = raw.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { throw DataFileError(file: file, line: line, column: labelColumn, reason: .missingLabel) }
            if let classNames {
                guard let id = classNames.firstIndex(of: text) else {
                    throw DataFileError(file: file, line: line, column: labelColumn, reason: .unknownClass(text, known: classNames))
                }
                return Float(id)
            }
            guard task.isClassification else { return try Self.number(text, raw: raw, file: file, line: line, column: labelColumn) }
            guard let value = Double(text) else {
                throw DataFileError(file: file, line: line, column: labelColumn, reason: .notANumber(raw))
            }
            guard value.isFinite, value.rounded() == value else {
                throw DataFileError(file: file, line: line, column: labelColumn, reason: .labelNotIntegral(text))
            }
            guard value >= 0, task.numClasses.map({ value < Double($0) }) ?? true else {
                throw DataFileError(file: file, line: line, column: labelColumn, reason: .labelOutOfRange(text, numClasses: task.numClasses))
            }
            guard value < 1_000_000 else {   // Recipe.maxClasses: a larger label is a data error, not a class count
                throw DataFileError(file: file, line: line, column: labelColumn, reason: .labelOutOfRange(text, numClasses: 1_000_000))
            }
            return Float(value)
        }
        return Tensor(labels)
    }

    /// Features and labels of `table` as a ``LabeledDataset``.
    public func dataset(of table: CSVTable, task: LearningTask) throws -> LabeledDataset {
        let x = try features(of: table)
        let y = try labels(of: table, task: task)
        var numClasses: Int?
        if task.isClassification {
            if let classNames { numClasses = task.numClasses ?? classNames.count } else {
                numClasses = task.numClasses ?? (Int(y.scalars.max() ?? -1) + 1)
            }
        }
        return LabeledDataset(dataset: TensorDataset(features: x, labels: y), featureNames: featureNames,
                              labelName: labelColumn, task: task, numClasses: numClasses, classNames: classNames)
    }

    /// A cell as a finite float.
    private static func number(_ text: String, raw: String, file: String, line: Int, column: String) throws -> Float {
        guard let value = Float(text) else { throw DataFileError(file: file, line: line, column: column, reason: .notANumber(raw)) }
        guard value.isFinite else { throw DataFileError(file: file, line: line, column: column, reason: .nonFinite(text)) }
        return value
    }
}
