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
    /// For classification, the number of classes (given, the largest label plus one, or the
    /// number of class names).
    public var numClasses: Int?
    /// For classification with named classes, the names in class-id order (see ``TableEncoding``).
    public var classNames: [String]? = nil
}

extension CSVTable {
    /// Turns the table into a dataset: `labelColumn` becomes the labels and the other columns
    /// (or `featureColumns`, in that order) the features.
    ///
    /// - Throws: ``DataFileError`` naming the file, line and column for a missing column, a cell
    ///   that is not a number, NaN or infinity in a feature or regression target, and, for
    ///   classification, a label that is not a whole number, is negative, or is not below
    ///   `task.numClasses`; also for a table without rows or without feature columns. Labels that
    ///   are not numbers are class names (see ``TableEncoding``).
    public func labeledDataset(labelColumn: String, task: LearningTask, featureColumns: [String]? = nil) throws -> LabeledDataset {
        try TableEncoding(fitting: self, labelColumn: labelColumn, task: task, featureColumns: featureColumns)
            .dataset(of: self, task: task)
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
