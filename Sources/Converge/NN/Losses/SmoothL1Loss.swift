import ConvergeCore

/// The smooth L1 loss of `d = prediction − target` per element: `d²/(2·beta)` where
/// `|d| < beta`, and `|d| − beta/2` beyond (PyTorch's `smooth_l1_loss`; it equals the Huber loss
/// divided by `beta`, and the L1 loss when `beta` is 0).
///
/// - Precondition: `predictions` and `targets` have the same shape; `beta ≥ 0`.
public func smoothL1Loss(predictions: Tensor, targets: Tensor, beta: Float = 1, reduction: Reduction = .mean) -> Tensor {
    precondition(beta >= 0, "smoothL1Loss: beta must be non-negative, got \(beta)")
    if beta == 0 { return l1Loss(predictions: predictions, targets: targets, reduction: reduction) }
    return pointwiseLoss("smoothL1Loss", predictions: predictions, targets: targets, reduction: reduction,
                         value: { d in Swift.abs(d) < beta ? 0.5 * d * d / beta : Swift.abs(d) - 0.5 * beta },
                         derivative: { d in d < -beta ? -1 : (d > beta ? 1 : d / beta) })
}
