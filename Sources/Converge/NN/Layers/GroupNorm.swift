import ConvergeCore

/// Group normalization, as PyTorch's `nn.GroupNorm`: the channels of each sample are split into
/// ``groups`` groups, each normalized over its channels and positions (biased variance), then
/// scaled and shifted per channel when affine. Works on (N, C) and (N, C, …) inputs, is the same in
/// training and evaluation, and keeps no running statistics. One fused op
/// (`Tensor.groupNorm(groups:weight:bias:epsilon:)`).
public final class GroupNorm: Module {
    /// Per-channel scale (ones at creation), or `nil` without affine.
    @OptionalParameter public var weight: Tensor?
    /// Per-channel shift (zeros at creation), or `nil` without affine.
    @OptionalParameter public var bias: Tensor?
    /// Number of groups; divides ``channels``.
    public let groups: Int
    /// Number of channels C.
    public let channels: Int
    /// Added to the variance for stability.
    public let epsilon: Float

    /// Creates the layer with PyTorch's defaults (eps 1e-5, affine).
    public init(groups: Int, channels: Int, epsilon: Float = 1e-5, affine: Bool = true) {
        precondition(groups > 0 && channels > 0 && channels % groups == 0,
                     "GroupNorm: \(groups) groups must divide \(channels) channels")
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        weight = affine ? Tensor.ones([channels]) : nil
        bias = affine ? Tensor.zeros([channels]) : nil
        super.init()
    }

    /// Normalizes an (N, C, …) input.
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 2 && input.shape[1] == channels,
                     "GroupNorm: expected input (N, \(channels), …), got shape \(input.shape)")
        return input.groupNorm(groups: groups, weight: weight, bias: bias, epsilon: epsilon)
    }
}
