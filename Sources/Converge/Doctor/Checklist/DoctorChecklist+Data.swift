import ConvergeCore
import Foundation

extension DoctorChecklist {
    /// Step 1: are the labels right, the inputs scaled, the values finite, the shapes consistent?
    func checkData() throws -> DoctorReport.Section {
        var findings: [DoctorFinding] = []
        var details: [String] = []
        let f = DoctorChecklist.f
        let splits: [(String, TensorDataset)] = [("training", session.train)]
            + (session.validation.map { [("validation", $0)] } ?? []) + (session.test.map { [("test", $0)] } ?? [])

        // NaN / Inf.
        var nonFinite: [String] = []
        for (name, data) in splits {
            for (what, tensor) in [("features", data.features), ("labels", data.labels)] {
                let bad = tensor.withUnsafeBufferPointer { b in b.indices.filter { !b[$0].isFinite } }
                if let first = bad.first {
                    let row = first / Swift.max(1, tensor.count / Swift.max(1, tensor.shape[0]))
                    nonFinite.append("\(bad.count) NaN/Inf \(what) in the \(name) data (first in example \(row))")
                }
            }
        }
        if nonFinite.isEmpty {
            findings.append(DoctorFinding(check: "data-finite", status: .ok,
                                          message: "no NaN or Inf in " + splits.map { "\($0.0) (\($0.1.count) examples)" }.joined(separator: ", ")))
        } else {
            findings.append(DoctorFinding(check: "data-finite", status: .fail, message: nonFinite.joined(separator: "; "),
                                          suggestion: "remove or impute the missing values before training; a single NaN input makes the loss NaN"))
        }

        // Labels.
        let labels = session.train.labels.scalars
        if let k = session.numClasses {
            var counts = [Int](repeating: 0, count: k)
            for l in labels where l.isFinite && l >= 0 && Int(l) < k { counts[Int(l)] += 1 }
            let distribution = counts.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: ", ")
            details.append("Training labels per class: \(distribution).")
            let present = counts.filter { $0 > 0 }
            if present.count < 2 {
                findings.append(DoctorFinding(check: "labels", status: .fail,
                                              message: "the training labels hold a single class (\(distribution))",
                                              suggestion: "check the label column and the data loading: a constant label cannot be learned"))
            } else if present.count < k {
                let missing = counts.indices.filter { counts[$0] == 0 }.map(String.init).joined(separator: ", ")
                findings.append(DoctorFinding(check: "labels", status: .warn,
                                              message: "\(k) classes but none of class \(missing) in the training data (\(distribution))",
                                              suggestion: "check data.num_classes and the label encoding"))
            } else if let low = present.min(), let high = present.max(), Double(high) > 10 * Double(low) {
                findings.append(DoctorFinding(check: "labels", status: .warn,
                                              message: "imbalanced classes: \(distribution) (\(f(Double(high) / Double(low)))× between the largest and smallest)",
                                              suggestion: "watch AUC/F1 rather than accuracy; consider class weights or resampling"))
            } else {
                findings.append(DoctorFinding(check: "labels", status: .ok,
                                              message: "\(k) classes, all present in the training data (\(distribution))"))
            }
        } else {
            let values = labels.map(Double.init).filter(\.isFinite)
            let mean = values.reduce(0, +) / Double(Swift.max(values.count, 1))
            let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(values.count - 1, 1))).squareRoot()
            if std == 0 {
                findings.append(DoctorFinding(check: "labels", status: .fail, message: "every training target is \(f(mean))",
                                              suggestion: "check the label column: a constant target cannot be learned"))
            } else if Swift.abs(mean) > 100 || std > 100 || std < 1e-3 {
                findings.append(DoctorFinding(check: "labels", status: .warn,
                                              message: "regression targets have mean \(f(mean)) and std \(f(std)): far from unit scale",
                                              suggestion: "standardize the target (and invert the scaling at prediction) so the loss and gradients start near 1"))
            } else {
                findings.append(DoctorFinding(check: "labels", status: .ok, message: "regression targets have mean \(f(mean)) and std \(f(std))"))
            }
        }

        // Scaling.
        let x = session.train.features
        let width = Swift.max(1, x.count / Swift.max(1, x.shape[0]))
        var means = [Double](repeating: 0, count: width), squares = [Double](repeating: 0, count: width)
        x.withUnsafeBufferPointer { b in
            for (i, v) in b.enumerated() where v.isFinite { means[i % width] += Double(v); squares[i % width] += Double(v) * Double(v) }
        }
        let n = Double(Swift.max(x.shape[0], 1))
        let stds = means.indices.map { Swift.max(0, squares[$0] / n - (means[$0] / n) * (means[$0] / n)).squareRoot() }
        means = means.map { $0 / n }
        func name(_ j: Int) -> String { j < session.featureNames.count ? session.featureNames[j] : "feature \(j)" }
        let constant = stds.indices.filter { stds[$0] == 0 }
        // Token ids (a language model's inputs) are indices, not values to standardize.
        let unscaled = session.tokenSequence != nil ? [] : stds.indices.filter { stds[$0] > 10 || Swift.abs(means[$0]) > 10 || (stds[$0] > 0 && stds[$0] < 0.01) }
        let state = session.recipe.data.standardize ? "standardized" : "not standardized"
        details.append("Inputs (\(state)): \(width) values per example; means from \(f(means.min() ?? 0)) to \(f(means.max() ?? 0)), standard deviations from \(f(stds.min() ?? 0)) to \(f(stds.max() ?? 0)).")
        if !unscaled.isEmpty {
            let listed = unscaled.prefix(5).map { "\(name($0)) (mean \(f(means[$0])), std \(f(stds[$0])))" }.joined(separator: ", ")
            findings.append(DoctorFinding(check: "scaling", status: .warn,
                                          message: "inputs are not normalized: \(listed)\(unscaled.count > 5 ? ", …" : "")",
                                          remedies: [.standardizeInputs]))
        } else {
            findings.append(DoctorFinding(check: "scaling", status: .ok,
                                          message: "inputs \(state): every feature's mean within ±10 and std within [0.01, 10]"))
        }
        if !constant.isEmpty {
            findings.append(DoctorFinding(check: "constant-features", status: .warn,
                                          message: "\(constant.count) constant feature\(constant.count == 1 ? "" : "s"): " + constant.prefix(8).map(name).joined(separator: ", "),
                                          suggestion: "drop features that never vary; they carry no information"))
        }

        // Shapes.
        let batch = firstBatch()
        let model = try session.makeModel()
        let output = withNoGrad { () -> Tensor in
            model.eval()
            return model(batch.inputs)
        }
        let expected: String
        switch session.outputKind {
        case .multiclass(let k) where session.tokenSequence != nil:
            expected = "[\(batch.targets.count), \(k)] logits (one row per token) for targets \(batch.targets.shape)"
        case .multiclass(let k): expected = "[\(batch.count), \(k)] logits for targets \(batch.targets.shape)"
        default: expected = "\(batch.targets.shape), the targets' shape"
        }
        let shapesMatch: Bool = {
            switch session.outputKind {
            case .multiclass(let k) where session.tokenSequence != nil: return output.shape == [batch.targets.count, k]
            case .multiclass(let k): return output.shape == [batch.count, k] && batch.targets.shape == [batch.count]
            default: return output.shape == batch.targets.shape
            }
        }()
        findings.append(DoctorFinding(check: "shapes", status: shapesMatch ? .ok : .fail,
                                      message: "a batch of inputs \(batch.inputs.shape) gives outputs \(output.shape); expected \(expected)",
                                      suggestion: shapesMatch ? "" : "fix the model's last layer or the label layout"))
        let firstRows = (0..<Swift.min(3, batch.count)).map { i -> String in
            let features = session.train.featureShape.reduce(1, *)
            let row = batch.inputs.scalars[(i * features)..<((i + 1) * features)].prefix(6).map { String(format: "%.3g", $0) }
            let label = batch.targets.scalars[i * batch.targets.count / batch.count]
            return "- inputs [\(row.joined(separator: ", "))\(features > 6 ? ", …" : "")] → label \(String(format: "%g", label))"
        }
        details += ["", "First examples of the first training batch:"] + firstRows

        // Validation.
        if session.validation == nil {
            findings.append(DoctorFinding(check: "validation", status: .warn, message: "no validation data: overfitting cannot be seen",
                                          suggestion: "set data.validation to a fraction (e.g. 0.2) or a file"))
        } else {
            findings.append(DoctorFinding(check: "validation", status: .ok,
                                          message: "\(session.validation!.count) validation examples, \(session.train.count) training examples"))
        }
        return DoctorReport.Section(title: "", findings: findings, details: details)
    }
}
