import ConvergeCore

/// Scales the loss before `backward()` and the gradients back before the optimizer step, as
/// ``Trainer`` asks of its ``Trainer/lossScaler``.
///
/// The trainer owns this protocol so that it needs nothing from the precision code;
/// ``DynamicLossScaler`` implements it with PyTorch's `GradScaler` rules.
public protocol LossScaling: AnyObject {
    /// `loss` multiplied by the current scale (differentiable).
    func scale(_ loss: Tensor) -> Tensor
    /// Divides the gradients of `parameters` by the scale in place; whether all were finite.
    @discardableResult
    func unscale(_ parameters: [Tensor]) -> Bool
    /// Adjusts the scale after a step: `foundInf` is whether that step's gradients were not finite
    /// (the trainer then skips the step).
    func update(foundInf: Bool)
}
