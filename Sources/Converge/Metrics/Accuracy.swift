import ConvergeCore

/// Binary predictions (1 or 0) from logits: positive when the logit is above 0.
public func binaryPredictions(logits: [Float]) -> [Int] { logits.map { $0 > 0 ? 1 : 0 } }

/// Binary predictions (1 or 0) from probabilities: positive when the probability is above 0.5.
public func binaryPredictions(probabilities: [Float]) -> [Int] { probabilities.map { $0 > 0.5 ? 1 : 0 } }

/// Binary class ids from targets: 1 for a target of at least 0.5, else 0 (so smoothed labels
/// such as 0.95 count as positive).
public func binaryLabels(_ targets: [Float]) -> [Int] { targets.map { $0 >= 0.5 ? 1 : 0 } }

/// The predicted class of each row of `logits` `[N, C]` (the first maximum; NaN counts as the
/// maximum, as in PyTorch's `argmax`).
public func classPredictions(logits: Tensor) -> [Int] {
    precondition(logits.rank == 2, "classPredictions: logits must have shape [N, C], got \(logits.shape)")
    return logits.argmax(alongAxis: 1).scalars.map { Int($0) }
}

/// Class ids from a tensor of whole-number targets (any shape), in row-major order.
public func classLabels(_ targets: Tensor) -> [Int] {
    targets.scalars.map { value in
        precondition(value >= 0 && value.rounded() == value, "classLabels: target \(value) is not a class id")
        return Int(value)
    }
}

/// The fraction of `predictions` equal to `targets` (NaN for no examples).
public func accuracy(predictions: [Int], targets: [Int]) -> Double {
    precondition(predictions.count == targets.count, "accuracy: \(predictions.count) predictions for \(targets.count) targets")
    guard !targets.isEmpty else { return .nan }
    return Double(zip(predictions, targets).filter { $0 == $1 }.count) / Double(targets.count)
}

/// Binary accuracy from logits (positive above 0) against 0/1 targets.
public func binaryAccuracy(logits: [Float], targets: [Float]) -> Double {
    accuracy(predictions: binaryPredictions(logits: logits), targets: binaryLabels(targets))
}

/// Binary accuracy from probabilities (positive above 0.5) against 0/1 targets.
public func binaryAccuracy(probabilities: [Float], targets: [Float]) -> Double {
    accuracy(predictions: binaryPredictions(probabilities: probabilities), targets: binaryLabels(targets))
}

/// Binary accuracy from logits of shape `[N]` or `[N, 1]` against targets of the same count.
public func binaryAccuracy(logits: Tensor, targets: Tensor) -> Double {
    precondition(logits.count == targets.count, "binaryAccuracy: logits \(logits.shape) and targets \(targets.shape) differ in count")
    return binaryAccuracy(logits: logits.scalars, targets: targets.scalars)
}

/// Multiclass accuracy: the fraction of rows of `logits` `[N, C]` whose argmax is the target
/// class id in `targets` `[N]`.
public func accuracy(logits: Tensor, targets: Tensor) -> Double {
    precondition(logits.rank == 2 && targets.count == logits.shape[0],
                 "accuracy: logits must be [N, C] and targets [N], got \(logits.shape) and \(targets.shape)")
    return accuracy(predictions: classPredictions(logits: logits), targets: classLabels(targets))
}
