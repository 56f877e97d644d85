import ConvergeCore

/// The Huber loss of `d = prediction − target` per element: `d²/2` where `|d| < delta`, and
/// `delta · (|d| − delta/2)` beyond — quadratic near zero, linear (robust to outliers) far away
/// (PyTorch's `huber_loss`).
///
/// - Precondition: `predictions` and `targets` have the same shape; `delta > 0`.
public func huberLoss(predictions: Tensor, targets: Tensor, delta: Float = 1, reduction: Reduction = .mean) -> Tensor {
    precondition(delta > 0, "huberLoss: delta must be positive, got \(delta)")
    return pointwiseLoss("huberLoss", predictions: predictions, targets: targets, reduction: reduction,
                         value: { d in Swift.abs(d) < delta ? 0.5 * d * d : delta * (Swift.abs(d) - 0.5 * delta) },
                         derivative: { d in d < -delta ? -delta : (d > delta ? delta : d) })
}
