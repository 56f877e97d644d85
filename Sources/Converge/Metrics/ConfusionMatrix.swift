/// Counts of (target class, predicted class) pairs, with the precision, recall and F1 scores
/// derived from them.
///
/// Where a score's denominator is zero (no predictions of a class, or no examples of it) the
/// score is 0, as scikit-learn's default `zero_division` gives.
public struct ConfusionMatrix: Equatable {
    /// The number of classes.
    public let numClasses: Int
    /// `counts[target][prediction]`.
    public private(set) var counts: [[Int]]

    /// An empty matrix for `numClasses` classes.
    public init(numClasses: Int) {
        precondition(numClasses >= 1, "ConfusionMatrix: numClasses must be at least 1, got \(numClasses)")
        self.numClasses = numClasses
        self.counts = Array(repeating: Array(repeating: 0, count: numClasses), count: numClasses)
    }

    /// A matrix counting `predictions` against `targets`.
    public init(predictions: [Int], targets: [Int], numClasses: Int) {
        self.init(numClasses: numClasses)
        add(predictions: predictions, targets: targets)
    }

    /// Counts more pairs.
    public mutating func add(predictions: [Int], targets: [Int]) {
        precondition(predictions.count == targets.count, "ConfusionMatrix: \(predictions.count) predictions for \(targets.count) targets")
        for (p, t) in zip(predictions, targets) {
            precondition(p >= 0 && p < numClasses && t >= 0 && t < numClasses,
                         "ConfusionMatrix: class \(t) or prediction \(p) is outside 0..<\(numClasses)")
            counts[t][p] += 1
        }
    }

    /// The number of pairs counted.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Correct predictions over all.
    public var accuracy: Double {
        total == 0 ? .nan : Double((0..<numClasses).reduce(0) { $0 + counts[$1][$1] }) / Double(total)
    }

    /// Of the examples predicted as `c`, the fraction that are `c`.
    public func precision(of c: Int) -> Double {
        let predicted = (0..<numClasses).reduce(0) { $0 + counts[$1][c] }
        return predicted == 0 ? 0 : Double(counts[c][c]) / Double(predicted)
    }

    /// Of the examples of class `c`, the fraction predicted as `c`.
    public func recall(of c: Int) -> Double {
        let actual = counts[c].reduce(0, +)
        return actual == 0 ? 0 : Double(counts[c][c]) / Double(actual)
    }

    /// The harmonic mean of ``precision(of:)`` and ``recall(of:)`` (0 when both are 0).
    public func f1(of c: Int) -> Double {
        let p = precision(of: c), r = recall(of: c)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    /// The classes that occur as a target or a prediction (scikit-learn's default label set).
    public var observedClasses: [Int] {
        (0..<numClasses).filter { c in counts[c].reduce(0, +) > 0 || (0..<numClasses).contains { counts[$0][c] > 0 } }
    }

    /// Unweighted means of the per-class scores over ``observedClasses`` (scikit-learn's
    /// `average="macro"`; F1 is the mean of per-class F1, not the F1 of the means).
    public var macroScores: ClassificationScores {
        let classes = observedClasses
        guard !classes.isEmpty else { return ClassificationScores(precision: .nan, recall: .nan, f1: .nan) }
        let n = Double(classes.count)
        return ClassificationScores(precision: classes.map(precision(of:)).reduce(0, +) / n,
                                    recall: classes.map(recall(of:)).reduce(0, +) / n,
                                    f1: classes.map(f1(of:)).reduce(0, +) / n)
    }

    /// The scores of one class treated as the positive one.
    public func scores(of c: Int) -> ClassificationScores {
        ClassificationScores(precision: precision(of: c), recall: recall(of: c), f1: f1(of: c))
    }
}

/// Precision, recall and F1 of a classifier.
public struct ClassificationScores: Equatable {
    /// Of the predicted positives, the fraction that are positive.
    public var precision: Double
    /// Of the positives, the fraction predicted positive.
    public var recall: Double
    /// The harmonic mean of precision and recall.
    public var f1: Double

    /// Creates scores.
    public init(precision: Double, recall: Double, f1: Double) {
        self.precision = precision
        self.recall = recall
        self.f1 = f1
    }
}

/// Binary precision, recall and F1 of 0/1 `predictions` against 0/1 `targets`, for class 1.
public func binaryPrecisionRecallF1(predictions: [Int], targets: [Int]) -> ClassificationScores {
    ConfusionMatrix(predictions: predictions, targets: targets, numClasses: 2).scores(of: 1)
}

/// Macro-averaged precision, recall and F1 over the classes that occur in `targets` or
/// `predictions` (class ids in `0..<numClasses`; by default the largest id plus one).
public func macroPrecisionRecallF1(predictions: [Int], targets: [Int], numClasses: Int? = nil) -> ClassificationScores {
    let k = numClasses ?? ((predictions + targets).max() ?? 0) + 1
    return ConfusionMatrix(predictions: predictions, targets: targets, numClasses: k).macroScores
}
