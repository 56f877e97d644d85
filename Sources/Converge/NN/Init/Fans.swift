import ConvergeCore

/// Which fan an initializer scales by: the inputs each output sees (preserving the variance of
/// activations in the forward pass) or the outputs each input feeds (preserving the variance of
/// gradients in the backward pass).
public enum FanMode: String, Sendable, CaseIterable {
    /// Scale by the number of inputs per output (PyTorch's `mode="fan_in"`).
    case fanIn
    /// Scale by the number of outputs per input (PyTorch's `mode="fan_out"`).
    case fanOut
}

/// The fan-in and fan-out of a weight of `shape`, as PyTorch computes them: for a weight of shape
/// `[out, in, k₁, k₂, …]` (a linear layer's `[out, in]` or a convolution's kernel),
/// `fanIn = in · k₁ · k₂ · …` and `fanOut = out · k₁ · k₂ · …`.
///
/// - Precondition: `shape` has at least 2 dimensions (a vector has no fans).
public func fans(ofShape shape: [Int]) -> (fanIn: Int, fanOut: Int) {
    precondition(shape.count >= 2,
                 "fans: a tensor of shape \(shape) has fewer than 2 dimensions, so fan-in and fan-out are undefined")
    let receptiveField = Shape.count(Array(shape.dropFirst(2)))
    return (shape[1] * receptiveField, shape[0] * receptiveField)
}

/// The fan of a weight of `shape` selected by `mode` (see ``fans(ofShape:)``).
public func fan(ofShape shape: [Int], mode: FanMode) -> Int {
    let f = fans(ofShape: shape)
    return mode == .fanIn ? f.fanIn : f.fanOut
}
