import ConvergeCore

/// A 1-D convolution over (N, C, L) inputs, as PyTorch's `nn.Conv1d` (zero padding):
/// weight (out, in / groups, kernelSize), optional bias (out).
///
/// Initialized as PyTorch does: U(−1/√fan_in, 1/√fan_in) with fan_in = (in / groups)·kernelSize
/// for weight and bias (Kaiming-uniform with a = √5). One fused op per call (see
/// `Tensor.conv1d(weight:bias:stride:padding:dilation:groups:)`).
public final class Conv1d: Module {
    /// Weight of shape [outChannels, inChannels / groups, kernelSize].
    @Parameter public var weight: Tensor
    /// Bias of shape [outChannels], or `nil`.
    @OptionalParameter public var bias: Tensor?
    /// Input channels.
    public let inChannels: Int
    /// Output channels.
    public let outChannels: Int
    /// Kernel length.
    public let kernelSize: Int
    /// Step between windows.
    public let stride: Int
    /// Zeros added on each side.
    public let padding: Int
    /// Spacing between kernel taps.
    public let dilation: Int
    /// Number of channel groups (both channel counts must be multiples of it).
    public let groups: Int

    /// Creates a convolution.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: RandomGenerator = Random.generator) {
        precondition(inChannels > 0 && outChannels > 0, "Conv1d: channel counts must be positive, got \(inChannels) → \(outChannels)")
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv1d: groups \(groups) must divide both \(inChannels) input and \(outChannels) output channels")
        precondition(kernelSize > 0 && stride > 0 && dilation > 0 && padding >= 0,
                     "Conv1d: kernel \(kernelSize), stride \(stride), dilation \(dilation) must be positive and padding \(padding) non-negative")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        let bound = 1 / Float(inChannels / groups * kernelSize).squareRoot()
        weight = Tensor.randomUniform([outChannels, inChannels / groups, kernelSize], low: -bound, high: bound, generator: generator)
        self.bias = bias ? Tensor.randomUniform([outChannels], low: -bound, high: bound, generator: generator) : nil
        super.init()
    }

    /// Convolves an (N, inChannels, L) input into (N, outChannels, L′).
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 3 && input.shape[1] == inChannels,
                     "Conv1d: expected input (N, \(inChannels), L), got shape \(input.shape)")
        return input.conv1d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
