import ConvergeCore
import Foundation

/// A dataset read from a table: the examples plus what is needed to interpret them.
public struct LabeledDataset {
    /// Features `[N, F]` and labels `[N]` (class ids as whole floats for classification).
    public var dataset: TensorDataset
    /// The feature columns' names, in feature order.
    public var featureNames: [String]
    /// The label column's name.
    public var labelName: String
    /// How the labels were interpreted.
    public var task: LearningTask
    /// For classification, the number of classes (given, or the largest label plus one).
    public var numClasses: Int?
}

extension CSVTable {
    /// Turns the table into a dataset: `labelColumn` becomes the labels and the other columns
    /// (or `featureColumns`, in that order) the features.
    ///
    /// - Throws: ``DataFileError`` naming the file, line and column for a missing column, a cell
    ///   that is not a number, NaN or infinity in a feature or regression target, and, for
    ///   classification, a label that is not a whole number, is negative, or is not below
    ///   `task.numClasses`; also for a table without rows or without feature columns.
    public func labeledDataset(labelColumn: String, task: LearningTask, featureColumns: [String]? = nil) throws -> LabeledDataset {
        guard let labelIndex = columnIndex(named: labelColumn) else {
            throw DataFileError(file: file, line: 1, reason: .missingColumn(labelColumn, available: columnNames))
        }
        let featureIndices: [Int]
        if let featureColumns {
            featureIndices = try featureColumns.map { name in
                guard let index = columnIndex(named: name) else {
                    throw DataFileError(file: file, line: 1, reason: .missingColumn(name, available: columnNames))
                }
                return index
            }
        } else {
            featureIndices = columnNames.indices.filter { $0 != labelIndex }
        }
        guard !featureIndices.isEmpty else { throw DataFileError(file: file, line: 1, reason: .noFeatureColumns) }
        guard !rows.isEmpty else { throw DataFileError(file: file, reason: .noRows) }

        var features = [Float]()
        features.reserveCapacity(rows.count * featureIndices.count)
        var labels = [Float]()
        labels.reserveCapacity(rows.count)
        var largestClass = -1
        for (r, row) in rows.enumerated() {
            let line = lineNumbers[r]
            for c in featureIndices {
                features.append(try number(row[c], line: line, column: c))
            }
            let labelText = row[labelIndex]
            if task.isClassification {
                let trimmed = labelText.trimmingCharacters(in: .whitespaces)
                guard let value = Double(trimmed) else {
                    throw DataFileError(file: file, line: line, column: labelColumn, reason: .notANumber(labelText))
                }
                guard value.isFinite, value.rounded() == value else {
                    throw DataFileError(file: file, line: line, column: labelColumn, reason: .labelNotIntegral(trimmed))
                }
                guard value >= 0, task.numClasses.map({ value < Double($0) }) ?? true else {
                    throw DataFileError(file: file, line: line, column: labelColumn,
                                        reason: .labelOutOfRange(trimmed, numClasses: task.numClasses))
                }
                guard value < 1_000_000 else {   // Recipe.maxClasses: a larger label is a data error, not a class count
                    throw DataFileError(file: file, line: line, column: labelColumn, reason: .labelOutOfRange(trimmed, numClasses: 1_000_000))
                }
                largestClass = Swift.max(largestClass, Int(value))
                labels.append(Float(value))
            } else {
                labels.append(try number(labelText, line: line, column: labelIndex))
            }
        }
        let featureTensor = Tensor(shape: [rows.count, featureIndices.count], scalars: features)
        return LabeledDataset(dataset: TensorDataset(features: featureTensor, labels: Tensor(labels)),
                              featureNames: featureIndices.map { columnNames[$0] }, labelName: labelColumn,
                              task: task, numClasses: task.isClassification ? (task.numClasses ?? largestClass + 1) : nil)
    }

    /// A cell as a finite float, or a ``DataFileError`` naming where it is.
    private func number(_ text: String, line: Int, column: Int) throws -> Float {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = Float(trimmed) else {
            throw DataFileError(file: file, line: line, column: columnNames[column], reason: .notANumber(text))
        }
        guard value.isFinite else {
            throw DataFileError(file: file, line: line, column: columnNames[column], reason: .nonFinite(trimmed))
        }
        return value
    }
}

/// Reads a CSV file with a header row into a dataset: `labelColumn` holds the labels, every other
/// column (or just `featureColumns`) a numeric feature.
///
/// ```swift
/// let data = try loadCSV(url, labelColumn: "clicked", task: .classification(numClasses: 2))
/// let (train, validation) = randomSplit(data.dataset, validationFraction: 0.2, seed: 7)
/// ```
///
/// - Throws: ``DataFileError`` whose description names the file, line and column (see
///   ``CSVTable/labeledDataset(labelColumn:task:featureColumns:)``).
public func loadCSV(_ url: URL, labelColumn: String, task: LearningTask, featureColumns: [String]? = nil,
                    delimiter: Character = ",") throws -> LabeledDataset {
    try CSVTable(contentsOf: url, delimiter: delimiter)
        .labeledDataset(labelColumn: labelColumn, task: task, featureColumns: featureColumns)
}
