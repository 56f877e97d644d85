import ConvergeCore

/// A 2-D convolution over (N, C, H, W) inputs, as PyTorch's `nn.Conv2d` (zero padding):
/// weight (out, in / groups, kH, kW), optional bias (out).
///
/// Initialized as PyTorch does: Kaiming-uniform with a = √5 for the weight, i.e.
/// U(−1/√fan_in, 1/√fan_in) with fan_in = (in / groups)·kH·kW, and the same bound for the bias.
/// The forward pass is one fused op (im2col + GEMM, see
/// `Tensor.conv2d(weight:bias:stride:padding:dilation:groups:)`).
public final class Conv2d: Module {
    /// Weight of shape [outChannels, inChannels / groups, kernelSize.height, kernelSize.width].
    @Parameter public var weight: Tensor
    /// Bias of shape [outChannels], or `nil`.
    @OptionalParameter public var bias: Tensor?
    /// Input channels.
    public let inChannels: Int
    /// Output channels.
    public let outChannels: Int
    /// Kernel height and width.
    public let kernelSize: Size2D
    /// Step between windows.
    public let stride: Size2D
    /// Zeros added on each side.
    public let padding: Size2D
    /// Spacing between kernel taps.
    public let dilation: Size2D
    /// Number of channel groups (both channel counts must be multiples of it).
    public let groups: Int

    /// Creates a convolution; sizes are a single number or `[height, width]`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
                dilation: Size2D = 1, groups: Int = 1, bias: Bool = true, generator: RandomGenerator = Random.generator) {
        precondition(inChannels > 0 && outChannels > 0, "Conv2d: channel counts must be positive, got \(inChannels) → \(outChannels)")
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: groups \(groups) must divide both \(inChannels) input and \(outChannels) output channels")
        precondition(kernelSize.height > 0 && kernelSize.width > 0 && stride.height > 0 && stride.width > 0
                     && dilation.height > 0 && dilation.width > 0 && padding.height >= 0 && padding.width >= 0,
                     "Conv2d: kernel \(kernelSize), stride \(stride), dilation \(dilation) must be positive and padding \(padding) non-negative")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        let fanIn = inChannels / groups * kernelSize.height * kernelSize.width
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Tensor.randomUniform([outChannels, inChannels / groups, kernelSize.height, kernelSize.width],
                                      low: -bound, high: bound, generator: generator)
        self.bias = bias ? Tensor.randomUniform([outChannels], low: -bound, high: bound, generator: generator) : nil
        super.init()
    }

    /// Creates a convolution from plain integers (square kernel, equal strides and paddings).
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: RandomGenerator = Random.generator) {
        self.init(inChannels, outChannels, kernelSize: Size2D(kernelSize), stride: Size2D(stride), padding: Size2D(padding),
                  dilation: Size2D(dilation), groups: groups, bias: bias, generator: generator)
    }

    /// Convolves an (N, inChannels, H, W) input into (N, outChannels, H′, W′).
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] == inChannels,
                     "Conv2d: expected input (N, \(inChannels), H, W), got shape \(input.shape)")
        return input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
