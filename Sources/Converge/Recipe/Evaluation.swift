import ConvergeCore
import Foundation

/// The metrics of a trained run on labelled data (what `converge evaluate` prints): the loss and
/// the metrics of the run's task, the same ones `converge train` reports for validation.
public struct Evaluation {
    /// The file evaluated.
    public let file: String
    /// The number of rows.
    public let rows: Int
    /// `loss` first, then the task's metrics, in the order training reports them.
    public let metrics: [(String, Double)]

    /// The metrics as a JSON object: `{"file": …, "rows": …, "loss": …, …}`.
    public var json: String {
        let values = metrics.map { "\"\($0.0)\": \($0.1.isFinite ? String($0.1) : "null")" }
        let path = file.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "{" + (["\"file\": \"\(path)\"", "\"rows\": \(rows)"] + values).joined(separator: ", ") + "}\n"
    }

    /// One line per metric: `accuracy  0.9500`.
    public var text: String {
        let width = metrics.map { $0.0.count }.max() ?? 0
        return metrics.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + String(format: "%.4f", $0.1) }
            .joined(separator: "\n") + "\n"
    }
}

extension TrainedModel {
    /// The loss, metrics and label layout of the run's task, as ``RecipeSession`` sets them up.
    var taskSetup: (outputKind: ModelOutputKind, loss: Loss, metrics: [Metric], classes: Int?) {
        if description.task == "classification" {
            let k = description.numClasses ?? 2
            if k > 2 {
                return (.multiclass(numClasses: k), .crossEntropy, [.accuracy] + (k > 5 ? [.topKAccuracy(5)] : []) + [.f1], k)
            }
            return (.binaryLogits, .binaryCrossEntropyWithLogits, [.accuracy, .rocAUC, .precision, .recall, .f1], 2)
        }
        return (.regression, .meanSquaredError, [.meanSquaredError, .meanAbsoluteError], nil)
    }

    /// Reads the labels (the training data's label column) of a CSV file.
    ///
    /// - Throws: ``DataFileError`` naming the file, line and column for a missing label column,
    ///   or a label that is not a number, not a class index, or out of range.
    public func labels(fromCSV url: URL) throws -> Tensor {
        let table = try CSVTable(contentsOf: url)
        if let encoding = description.encoding, encoding.classNames != nil {
            let ids = try encoding.labels(of: table, task: .classification)
            return (taskSetup.classes ?? 0) > 2 ? ids : ids.reshaped([ids.shape[0], 1])
        }
        let name = description.labelColumn
        guard let column = table.columnIndex(named: name) else {
            throw DataFileError(file: url.path, line: 1, reason: .missingColumn(name, available: table.columnNames))
        }
        guard !table.rows.isEmpty else { throw DataFileError(file: url.path, reason: .noRows) }
        let classes = taskSetup.classes
        let values = try table.rows.enumerated().map { r, row -> Float in
            let text = row[column].trimmingCharacters(in: .whitespaces)
            let line = table.lineNumbers[r]
            guard let v = Float(text) else { throw DataFileError(file: url.path, line: line, column: name, reason: .notANumber(row[column])) }
            guard v.isFinite else { throw DataFileError(file: url.path, line: line, column: name, reason: .nonFinite(row[column])) }
            if let k = classes {
                guard v >= 0, v == v.rounded() else {
                    throw DataFileError(file: url.path, line: line, column: name, reason: .labelNotIntegral(row[column]))
                }
                guard Int(v) < k else {
                    throw DataFileError(file: url.path, line: line, column: name, reason: .labelOutOfRange(row[column], numClasses: k))
                }
            }
            return v
        }
        let multiclass = (classes ?? 0) > 2
        return Tensor(shape: multiclass ? [values.count] : [values.count, 1], scalars: values)
    }

    /// Evaluates the model on a labelled CSV file with the training data's feature and label
    /// columns: the loss and the metrics of the run's task.
    public func evaluate(csv url: URL) throws -> Evaluation {
        let raw = try features(fromCSV: url)
        let targets = try labels(fromCSV: url)
        let x = standardizer.map { $0.transform(raw) } ?? raw
        let setup = taskSetup
        var accumulator = MetricAccumulator(outputs: setup.outputKind, metrics: [.loss] + setup.metrics)
        let n = x.shape[0], batch = 256
        withNoGrad {
            var start = 0
            while start < n {
                let end = min(n, start + batch)
                let xb = x.sliced(alongAxis: 0, start..<end)
                let yb = targets.sliced(alongAxis: 0, start..<end)
                let out = model(xb)
                accumulator.update(outputs: out, targets: yb, loss: Double(setup.loss(out, yb).item()))
                start = end
            }
        }
        return Evaluation(file: url.path, rows: n, metrics: accumulator.results())
    }
}
