import ConvergeCore

/// A fully connected layer `y = x·Wᵀ + b`, with PyTorch's default initialization:
/// Kaiming-uniform with a = √5 for the weight (bound 1/√fan_in) and U(−1/√fan_in, 1/√fan_in)
/// for the bias.
public final class Linear: Module {
    /// Weight of shape [outFeatures, inFeatures].
    @Parameter public var weight: Tensor
    /// Bias of shape [outFeatures], or `nil`.
    @OptionalParameter public var bias: Tensor?
    /// Input size.
    public let inFeatures: Int
    /// Output size.
    public let outFeatures: Int

    /// Creates a layer mapping `inFeatures` to `outFeatures`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: RandomGenerator = Random.generator) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: sizes must be positive, got \(inFeatures) → \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Tensor.randomUniform([outFeatures, inFeatures], low: -bound, high: bound, generator: generator)
        self.bias = bias ? Tensor.randomUniform([outFeatures], low: -bound, high: bound, generator: generator) : nil
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        input.linear(weight: weight, bias: bias)
    }
}
