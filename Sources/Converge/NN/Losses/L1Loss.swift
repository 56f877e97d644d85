import ConvergeCore

/// The absolute error `|prediction − target|` per element, reduced by `reduction`
/// (PyTorch's `l1_loss`; the gradient at a zero difference is 0).
///
/// - Precondition: `predictions` and `targets` have the same shape.
public func l1Loss(predictions: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    pointwiseLoss("l1Loss", predictions: predictions, targets: targets, reduction: reduction,
                  value: { Swift.abs($0) }, derivative: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
}
