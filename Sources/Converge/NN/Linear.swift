import ConvergeCore

/// A fully connected layer `y = x·Wᵀ + b`, with PyTorch's default initialization:
/// Kaiming-uniform with a = √5 for the weight (bound 1/√fan_in) and U(−1/√fan_in, 1/√fan_in)
/// for the bias.
///
/// An optional fused ``activation`` computes `activation(x·Wᵀ + b)` in one op (see
/// `Tensor.linear(weight:bias:activation:)`); it adds no parameters, so the state dictionary
/// is the same as PyTorch's `nn.Linear`.
public final class Linear: Module {
    /// Weight of shape [outFeatures, inFeatures].
    @Parameter public var weight: Tensor
    /// Bias of shape [outFeatures], or `nil`.
    @OptionalParameter public var bias: Tensor?
    /// Input size.
    public let inFeatures: Int
    /// Output size.
    public let outFeatures: Int
    /// The activation applied to the output in the same fused op (`.identity` for none).
    public let activation: Activation

    /// Creates a layer mapping `inFeatures` to `outFeatures`, optionally followed by a fused
    /// `activation`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, activation: Activation = .identity,
                generator: RandomGenerator = Random.generator) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: sizes must be positive, got \(inFeatures) → \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.activation = activation
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Tensor.randomUniform([outFeatures, inFeatures], low: -bound, high: bound, generator: generator)
        self.bias = bias ? Tensor.randomUniform([outFeatures], low: -bound, high: bound, generator: generator) : nil
        super.init()
    }

    /// When `layers[index]` is a `Linear` without a fused activation and `layers[index + 1]` a
    /// `ReLU`, neither with a forward hook: their output through one op with the ReLU applied in
    /// the GEMM's epilogue (the same values and gradients), else `nil`. ``Sequential`` uses it.
    public static func fusedForward(_ layers: [Module], at index: Int, _ input: Tensor) -> Tensor? {
        guard index + 1 < layers.count, let linear = layers[index] as? Linear, linear.activation == .identity,
              layers[index + 1] is ReLU, !linear.hasForwardHooks, !layers[index + 1].hasForwardHooks else { return nil }
        return Anomaly.withModulePath(linear.path ?? "Linear") { linear.forward(input, activation: .relu) }
    }

    /// Maps (…, inFeatures) to (…, outFeatures), applying ``activation``.
    ///
    /// Under bfloat16 autocast (`Kernels.gemmPrecision == .bfloat16`, set by ``MixedPrecision``)
    /// the product runs in bfloat16 from a bfloat16 copy of the weight and the output is held in
    /// bfloat16 storage (`Tensor.bfloat16Linear(weight:bias:activation:)`).
    public override func forward(_ input: Tensor) -> Tensor { forward(input, activation: activation) }

    private func forward(_ input: Tensor, activation: Activation) -> Tensor {
        if Kernels.gemmPrecision == .bfloat16 {
            return input.bfloat16Linear(weight: weight.castToBFloat16(), bias: bias, activation: activation)
        }
        return input.linear(weight: weight, bias: bias, activation: activation)
    }
}
