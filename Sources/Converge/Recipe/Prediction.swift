import ConvergeCore
import Foundation

/// Loading a trained run folder and predicting with it (`converge predict`).
public struct TrainedModel {
    /// The rebuilt model, in eval mode, with the trained weights.
    public let model: Sequential
    /// Input and output description saved at training time.
    public let description: ModelDescription
    /// The standardizer fitted at training time, if any.
    public let standardizer: Standardizer?

    /// Loads `directory` written by ``RecipeRun/train(_:options:)``.
    public init(directory: URL) throws {
        let fm = FileManager.default
        for name in ["recipe.yaml", "model.json", "model.safetensors"] {
            guard fm.fileExists(atPath: directory.appendingPathComponent(name).path) else {
                throw RecipeError(file: directory.appendingPathComponent(name).path, line: nil, field: "",
                                  message: "missing; is \(directory.path) a finished converge train output folder?")
            }
        }
        let recipe = try Recipe.load(from: directory.appendingPathComponent("recipe.yaml"))
        let descriptionURL = directory.appendingPathComponent("model.json")
        do { description = try JSONDecoder().decode(ModelDescription.self, from: Data(contentsOf: descriptionURL)) } catch {
            throw RecipeError(file: descriptionURL.path, line: nil, field: "", message: "cannot read: \(DecodingProblem(error))")
        }
        guard !description.inputShape.isEmpty, description.inputShape.allSatisfy({ $0 > 0 && $0 <= Recipe.maxSize }),
              CheckedSize.count(description.inputShape) != nil, (1...Recipe.maxClasses).contains(description.outputCount) else {
            throw RecipeError(file: descriptionURL.path, line: nil, field: "inputShape",
                              message: "input shape \(description.inputShape) or output count \(description.outputCount) is out of range")
        }
        model = try ModelBuilder.build(recipe.model, inputShape: description.inputShape, outputs: description.outputCount,
                                       file: recipe.file.path, perPosition: recipe.data.sequence != nil)
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        try model.loadSafetensors(from: weightsURL)
        if let bad = model.stateDict().first(where: { $0.1.scalars.contains { !$0.isFinite } }) {
            throw RecipeError(file: weightsURL.path, line: nil, field: bad.0,
                              message: "the model holds NaN or infinite weights, so its predictions would be meaningless; the run diverged — retrain it (see `converge doctor`)")
        }
        model.eval()
        let standardizerURL = directory.appendingPathComponent("standardizer.json")
        standardizer = fm.fileExists(atPath: standardizerURL.path) ? try Standardizer.load(from: standardizerURL) : nil
    }

    /// Reads the feature columns (by name; a label column is ignored) of a CSV file.
    public func features(fromCSV url: URL) throws -> Tensor {
        let table = try CSVTable(contentsOf: url)
        if let encoding = description.encoding {
            let x = try encoding.features(of: table)
            return x.reshaped([x.shape[0]] + description.inputShape)
        }
        let indices = try description.featureNames.map { name -> Int in
            guard let i = table.columnIndex(named: name) else {
                throw DataFileError(file: url.path, line: 1, reason: .missingColumn(name, available: table.columnNames))
            }
            return i
        }
        guard !table.rows.isEmpty else { throw DataFileError(file: url.path, reason: .noRows) }
        var values: [Float] = []
        values.reserveCapacity(table.rows.count * indices.count)
        for (r, row) in table.rows.enumerated() {
            for (k, c) in indices.enumerated() {
                let text = row[c].trimmingCharacters(in: .whitespaces)
                guard let v = Float(text) else {
                    throw DataFileError(file: url.path, line: table.lineNumbers[r], column: description.featureNames[k], reason: .notANumber(row[c]))
                }
                guard v.isFinite else {
                    throw DataFileError(file: url.path, line: table.lineNumbers[r], column: description.featureNames[k], reason: .nonFinite(row[c]))
                }
                values.append(v)
            }
        }
        return Tensor(shape: [table.rows.count] + description.inputShape, scalars: values)
    }

    /// The class names saved with the model (labels that were names), or nil.
    public var classNames: [String]? { description.encoding?.classNames }

    /// Predictions as CSV: `probability,prediction` (binary), `prediction,p_0,…` (multiclass),
    /// or `prediction` (regression), one row per input row. With class names the prediction is
    /// the name and the probability columns are `p_<name>`.
    public func predictionsCSV(for rawFeatures: Tensor) -> String {
        let names = classNames
        func name(_ id: Int) -> String { names.map { id < $0.count ? $0[id] : String(id) } ?? String(id) }
        let x = standardizer.map { $0.transform(rawFeatures) } ?? rawFeatures
        let out = withNoGrad { model(x) }
        let n = x.shape[0]
        var lines: [String] = []
        if description.task == "classification", let k = description.numClasses, k > 2 {
            let p = withNoGrad { out.softmax(alongAxis: 1) }.scalars
            lines.append((["prediction"] + (0..<k).map { "p_\(name($0))" }).joined(separator: ","))
            for i in 0..<n {
                let row = Array(p[(i * k)..<((i + 1) * k)])
                let best = row.indices.max { row[$0] < row[$1] } ?? 0
                lines.append(([name(best)] + row.map { String($0) }).joined(separator: ","))
            }
        } else if description.task == "classification" {
            let p = withNoGrad { out.sigmoid() }.scalars
            lines.append("probability,prediction")
            for v in p { lines.append("\(v),\(name(v > 0.5 ? 1 : 0))") }
        } else {
            lines.append("prediction")
            for v in out.scalars { lines.append(String(v)) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
