import ConvergeCore
import Foundation

/// Static checks on a recipe and a sample of its data, before any training (`converge lint`,
/// and the doctor's first step), in the spirit of NeuraLint and UMLAUT:
///
/// - **model and loss**: an output activation in front of a loss that expects logits, an output
///   size that does not match the classes, regression targets with a classification loss (and
///   the reverse), dropout right before or after the output;
/// - **data**: NaN/Inf cells, unnormalized, constant or integer-coded features, the label range,
///   a feature that gives the label away (leakage), a label-sorted file read without shuffling;
/// - **architecture**: the initializer against the activation, BatchNorm with tiny batches;
/// - **optimization**: weight decay on normalization and bias parameters, a learning rate far
///   outside the usual range of the optimizer, a schedule whose length does not fit the run.
///
/// Every finding names the recipe line and a fix.
///
/// ```swift
/// let report = RecipeLint().lint(try Recipe.load(from: url))
/// print(report.text())
/// if report.hasErrors { exit(1) }
/// ```
public struct RecipeLint {
    /// Most data rows read from the training file.
    public var sampleRows = 5000

    /// Creates a linter.
    public init() {}

    /// Runs every check on `recipe` and returns the findings. Problems that keep the recipe from
    /// loading (a missing file, a label that is not a class) become error findings too.
    public func lint(_ recipe: Recipe) -> LintReport {
        var context = Context(recipe: recipe, sampleRows: sampleRows)
        context.loadSample()
        context.loadSession()
        context.checkModelAndLoss()
        context.checkData()
        context.checkArchitecture()
        context.checkOptimization()
        return LintReport(file: recipe.file.relativePath, findings: context.findings)
    }

    /// The state the checks share.
    struct Context {
        let recipe: Recipe
        let map: RecipeSourceMap
        let sampleRows: Int
        var findings: [LintFinding] = []
        /// Raw training features (before standardization), row-major, and their names.
        var features: [[Double]] = []
        var featureNames: [String] = []
        /// Raw label values in file order (nil when the labels are not numeric or not read).
        var labels: [Double]?
        /// The file line of each sampled row.
        var rowLines: [Int] = []
        /// The loaded recipe, when it loads.
        var session: RecipeSession?

        init(recipe: Recipe, sampleRows: Int) {
            self.recipe = recipe
            self.map = RecipeSourceMap(source: recipe.source)
            self.sampleRows = sampleRows
        }

        mutating func add(_ check: String, _ severity: LintFinding.Severity, field: String, line: Int? = nil,
                          _ message: String, fix: String = "") {
            findings.append(LintFinding(check: check, severity: severity, field: field, line: line ?? map.line(of: field),
                                        message: message, fix: fix))
        }

        var isClassification: Bool { recipe.data.task == .classification }

        /// Reads up to `sampleRows` rows of the training file as numbers.
        mutating func loadSample() {
            let url = recipe.resolve(recipe.data.train)
            guard FileManager.default.fileExists(atPath: url.path) else { return }
            if url.pathExtension.lowercased() == "npy" {
                guard let x = try? NPY.read(contentsOf: url), x.rank >= 2 else { return }
                let width = x.count / Swift.max(1, x.shape[0])
                let rows = Swift.min(x.shape[0], sampleRows)
                let values = x.scalars
                features = (0..<rows).map { r in (0..<width).map { Double(values[r * width + $0]) } }
                featureNames = (0..<width).map { "f\($0)" }
                return
            }
            guard let table = try? CSVTable(contentsOf: url), let labelIndex = table.columnIndex(named: recipe.data.label) else { return }
            let featureIndices = table.columnNames.indices.filter { $0 != labelIndex }
            featureNames = featureIndices.map { table.columnNames[$0] }
            var labelValues: [Double]? = []
            for (r, row) in table.rows.prefix(sampleRows).enumerated() where row.count == table.columnNames.count {
                let line = table.lineNumbers[r]
                var values: [Double] = []
                for c in featureIndices {
                    let text = row[c].trimmingCharacters(in: .whitespaces)
                    guard let v = Double(text) else { return }   // not numeric: the loader's error says where
                    values.append(v)
                }
                features.append(values)
                rowLines.append(line)
                let text = row[labelIndex].trimmingCharacters(in: .whitespaces)
                if let v = Double(text) { labelValues?.append(v) } else { labelValues = nil }
            }
            labels = labelValues
        }

        /// Loads the recipe as training would; a failure becomes an error finding.
        mutating func loadSession() {
            do {
                session = try RecipeSession(recipe)
                if let session { _ = try session.makeModel() }
            } catch let error as RecipeError {
                if session == nil || !error.field.hasPrefix("model") {
                    add(error.field.hasPrefix("model") ? "output-size" : "recipe", .error, field: error.field, line: error.line, error.message)
                } else {
                    add("output-size", .error, field: error.field, line: error.line, error.message,
                        fix: "end the model with a linear layer whose out is \(session?.outputCount ?? 1)")
                }
            } catch let error as DataFileError {
                let description = "\(error)"
                if case .labelNotIntegral = error.reason, isClassification {
                    add("target-kind", .error, field: "data.task",
                        "classification, but the label column holds non-integer values (\(description)): these look like regression targets",
                        fix: "set data.task: regression (a classification loss cannot fit continuous targets)")
                } else if case .labelOutOfRange = error.reason {
                    add("label-range", .error, field: "data.label", description,
                        fix: "class labels must be 0, 1, …, k−1: re-encode the labels (or fix data.num_classes)")
                } else if case .nonFinite = error.reason {
                    add("data-finite", .error, field: "data.train", description,
                        fix: "remove or impute the missing values: one NaN input makes the loss NaN")
                } else {
                    add("data", .error, field: "data.train", description)
                }
            } catch {
                add("recipe", .error, field: "", "\(error)")
            }
        }
    }
}
