import ConvergeCore

/// The squared error `(prediction − target)²` per element, reduced by `reduction`
/// (PyTorch's `mse_loss`).
///
/// - Precondition: `predictions` and `targets` have the same shape.
public func meanSquaredError(predictions: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    pointwiseLoss("meanSquaredError", predictions: predictions, targets: targets, reduction: reduction,
                  value: { $0 * $0 }, derivative: { 2 * $0 })
}
