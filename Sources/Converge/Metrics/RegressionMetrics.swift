import ConvergeCore

/// The mean of `(prediction − target)²` (accumulated in double precision; NaN for no values).
public func meanSquaredErrorScore(predictions: [Float], targets: [Float]) -> Double {
    precondition(predictions.count == targets.count, "meanSquaredError: \(predictions.count) predictions for \(targets.count) targets")
    guard !targets.isEmpty else { return .nan }
    return zip(predictions, targets).reduce(0.0) { let d = Double($1.0) - Double($1.1); return $0 + d * d } / Double(targets.count)
}

/// The mean of `|prediction − target|` (accumulated in double precision; NaN for no values).
public func meanAbsoluteErrorScore(predictions: [Float], targets: [Float]) -> Double {
    precondition(predictions.count == targets.count, "meanAbsoluteError: \(predictions.count) predictions for \(targets.count) targets")
    guard !targets.isEmpty else { return .nan }
    return zip(predictions, targets).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(targets.count)
}

/// ``meanSquaredErrorScore(predictions:targets:)`` of two tensors with the same number of elements
/// (`[N]` against `[N, 1]` is fine).
public func meanSquaredErrorScore(predictions: Tensor, targets: Tensor) -> Double {
    precondition(predictions.count == targets.count, "meanSquaredError: shapes \(predictions.shape) and \(targets.shape) differ in count")
    return meanSquaredErrorScore(predictions: predictions.scalars, targets: targets.scalars)
}

/// ``meanAbsoluteErrorScore(predictions:targets:)`` of two tensors with the same number of elements.
public func meanAbsoluteErrorScore(predictions: Tensor, targets: Tensor) -> Double {
    precondition(predictions.count == targets.count, "meanAbsoluteError: shapes \(predictions.shape) and \(targets.shape) differ in count")
    return meanAbsoluteErrorScore(predictions: predictions.scalars, targets: targets.scalars)
}
