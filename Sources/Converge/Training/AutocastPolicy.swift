import ConvergeCore

/// Runs a training forward pass in a chosen way (for example with matmul layers in low
/// precision), as ``Trainer`` asks of its ``Trainer/autocast``.
///
/// The trainer owns this protocol so that it needs nothing from the precision code;
/// ``MixedPrecision`` implements it.
public protocol AutocastPolicy: AnyObject {
    /// The output of `model` for `input`, computed under this policy.
    func forward(_ model: Module, _ input: Tensor) -> Tensor
}
