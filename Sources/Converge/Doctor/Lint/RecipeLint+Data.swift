import ConvergeCore
import Foundation

extension RecipeLint.Context {
    /// Mean and population standard deviation of one sampled feature column.
    func columnStatistics(_ j: Int) -> (mean: Double, std: Double, values: [Double]) {
        let values = features.map { $0[j] }.filter(\.isFinite)
        let n = Double(Swift.max(values.count, 1))
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        return (mean, variance.squareRoot(), values)
    }

    /// Pearson correlation of two equally long series (0 when either is constant).
    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        guard n > 1 else { return 0 }
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in a.indices {
            let da = a[i] - ma, db = b[i] - mb
            sab += da * db; saa += da * da; sbb += db * db
        }
        guard saa > 0, sbb > 0 else { return 0 }
        return sab / (saa * sbb).squareRoot()
    }

    /// The features and labels of the training sample.
    mutating func checkData() {
        guard !features.isEmpty else { return }
        let width = features[0].count
        let rows = features.count
        let f: (Double) -> String = DoctorFormat.number

        // NaN / Inf cells (the loader rejects them too; this names the first and counts them).
        if !findings.contains(where: { $0.check == "data-finite" }) {
            let bad = features.indices.filter { r in features[r].contains { !$0.isFinite } }
            if let first = bad.first {
                add("data-finite", .error, field: "data.train",
                    "\(bad.count) of \(rows) sampled rows hold NaN or Inf (first at line \(rowLines.indices.contains(first) ? rowLines[first] : first + 2))",
                    fix: "remove or impute the missing values: one NaN input makes the loss NaN")
            }
        }

        // Magnitudes that overflow float32 arithmetic (a product or square past 3.4e38): NaN from the data.
        // (Standardization computes its statistics in double precision, so it is safe.)
        if !recipe.data.standardize, !findings.contains(where: { $0.check == "data-finite" }),
           let largest = features.lazy.flatMap({ $0 }).filter(\.isFinite).map(Swift.abs).max(), largest > 1e15 {
            add("data-finite", .error, field: "data.standardize",
                "feature values reach \(f(largest)) and data.standardize is false: in float32 their squares and products overflow to Inf, and the loss becomes NaN",
                fix: "set data.standardize: true, or rescale the column before training")
        }

        var constant: [String] = [], unscaled: [String] = [], huge: [String] = [], coded: [String] = []
        for j in 0..<width {
            let (mean, std, values) = columnStatistics(j)
            let name = featureNames.indices.contains(j) ? featureNames[j] : "feature \(j)"
            if std == 0 { constant.append(name); continue }
            if Swift.abs(mean) > 1e4 || std > 1e4 { huge.append("\(name) (mean \(f(mean)), std \(f(std)))") }
            else if Swift.abs(mean) > 10 || std > 10 || std < 0.01 { unscaled.append("\(name) (mean \(f(mean)), std \(f(std)))") }
            if values.allSatisfy({ $0 == $0.rounded() }) {
                let distinct = Set(values)
                if distinct.count >= 3 && distinct.count <= 20, let lo = distinct.min(), let hi = distinct.max(), hi - lo + 1 == Double(distinct.count) {
                    coded.append("\(name) (\(distinct.count) codes \(Int(lo))…\(Int(hi)))")
                }
            }
        }
        if !constant.isEmpty {
            add("constant-feature", .warning, field: "data.train",
                "\(constant.count) constant feature\(constant.count == 1 ? "" : "s") in \(rows) sampled rows: \(constant.prefix(6).joined(separator: ", "))",
                fix: "drop columns that never vary; they carry no information (and standardizing them divides by zero)")
        }
        if !recipe.data.standardize && !(huge.isEmpty && unscaled.isEmpty) {
            let severity: LintFinding.Severity = huge.isEmpty ? .warning : .error
            add("feature-scale", severity, field: "data.standardize",
                "features are not normalized and data.standardize is false: \((huge + unscaled).prefix(4).joined(separator: ", "))",
                fix: "set data.standardize: true (zero mean, unit variance per feature, fitted on the training split)")
        }
        if !coded.isEmpty {
            add("integer-coded-feature", .warning, field: "data.train",
                "integer-coded feature\(coded.count == 1 ? "" : "s") \(coded.prefix(4).joined(separator: ", ")): if categorical, the model reads the codes as magnitudes",
                fix: "one-hot encode categorical codes (one column per value)")
        }

        guard let labels, labels.count == rows else { return }
        // Label range.
        if isClassification, labels.allSatisfy({ $0 == $0.rounded() && $0 >= 0 }) {
            let distinct = Set(labels.map { Int($0) })
            if let lo = distinct.min(), let hi = distinct.max() {
                if lo >= 1 && distinct.count == hi - lo + 1 && distinct.count >= 2 {
                    add("label-range", .warning, field: "data.label",
                        "class labels run from \(lo) to \(hi): no example of class\(lo == 1 ? "" : "es") 0…\(lo - 1), so the model gets \(hi + 1) outputs for \(distinct.count) classes",
                        fix: "re-encode the labels as 0…\(distinct.count - 1)")
                }
                if let k = recipe.data.numClasses, hi >= k {
                    add("label-range", .error, field: "data.num_classes",
                        "data.num_classes is \(k) but the labels reach \(hi)", fix: "set data.num_classes: \(hi + 1)")
                }
            }
        }
        // Leakage: a feature that gives the label away.
        var leaks: [String] = []
        for j in 0..<width {
            let column = features.map { $0[j] }
            let name = featureNames.indices.contains(j) ? featureNames[j] : "feature \(j)"
            if column == labels { leaks.append("\(name) equals the label"); continue }
            let r = Self.correlation(column, labels)
            if Swift.abs(r) > 0.995 { leaks.append("\(name) has correlation \(String(format: "%.4f", r)) with the label") }
        }
        if !leaks.isEmpty {
            add("label-leakage", .error, field: "data.train",
                "\(leaks.joined(separator: "; ")) in \(rows) sampled rows: the model can read the answer, so validation looks perfect and predictions on new data fail",
                fix: "remove the leaking column (it is computed from, or recorded after, the label)")
        }
        // A label-sorted file read in order.
        if isClassification && !recipe.training.shuffle {
            var changes = 0
            for i in 1..<labels.count where labels[i] != labels[i - 1] { changes += 1 }
            let classes = Set(labels).count
            if classes >= 2 && changes < 2 * classes {
                add("unshuffled-sorted", .error, field: "training.shuffle",
                    "training.shuffle is false and the training file is sorted by label (\(changes) label changes in \(rows) rows): most batches hold one class, and the model chases each in turn",
                    fix: "set training.shuffle: true")
            } else {
                add("unshuffled-sorted", .info, field: "training.shuffle",
                    "training.shuffle is false: every epoch sees the examples in file order", fix: "set training.shuffle: true unless the order matters")
            }
        }
    }
}
