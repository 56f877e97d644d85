import ConvergeCore

/// Layer normalization over the last dimensions, as PyTorch's `nn.LayerNorm`: each sample is
/// normalized over `normalizedShape` with the biased variance, then (with elementwise affine)
/// scaled by ``weight`` and shifted by ``bias``, both of `normalizedShape`. One fused op
/// (`Tensor.layerNorm(normalizedShape:weight:bias:epsilon:)`).
public final class LayerNorm: Module {
    /// Scale (ones at creation), or `nil` without elementwise affine.
    @OptionalParameter public var weight: Tensor?
    /// Shift (zeros at creation), or `nil` without elementwise affine or with `bias: false`.
    @OptionalParameter public var bias: Tensor?
    /// The trailing shape normalized over.
    public let normalizedShape: [Int]
    /// Added to the variance for stability.
    public let epsilon: Float

    /// Creates the layer with PyTorch's defaults (eps 1e-5, elementwise affine with bias).
    public init(_ normalizedShape: [Int], epsilon: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
                     "LayerNorm: normalized shape \(normalizedShape) must be non-empty with positive sizes")
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        weight = elementwiseAffine ? Tensor.ones(normalizedShape) : nil
        self.bias = elementwiseAffine && bias ? Tensor.zeros(normalizedShape) : nil
        super.init()
    }

    /// Normalizes over the last dimension of size `features`.
    public convenience init(_ features: Int, epsilon: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.init([features], epsilon: epsilon, elementwiseAffine: elementwiseAffine, bias: bias)
    }

    /// Normalizes `input`, whose shape must end with ``normalizedShape``.
    public override func forward(_ input: Tensor) -> Tensor {
        input.layerNorm(normalizedShape: normalizedShape, weight: weight, bias: bias, epsilon: epsilon)
    }
}
