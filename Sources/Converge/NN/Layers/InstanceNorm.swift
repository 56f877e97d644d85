import ConvergeCore

/// Instance normalization over (N, C, L) or (N, C, H, W) inputs, as PyTorch's
/// `nn.InstanceNorm1d` / `nn.InstanceNorm2d` (one class; ``InstanceNorm1d`` and
/// ``InstanceNorm2d`` are aliases): each channel of each sample is normalized over its positions.
///
/// Like PyTorch, the affine transform and running statistics are off by default. With
/// `trackRunningStatistics`, training updates ``runningMean`` and ``runningVar`` (batch averages of
/// the instance means and unbiased variances, with ``momentum``) and evaluation mode uses them.
public final class InstanceNorm: Module {
    /// Per-channel scale, or `nil` (the default) without affine.
    @OptionalParameter public var weight: Tensor?
    /// Per-channel shift, or `nil` (the default) without affine.
    @OptionalParameter public var bias: Tensor?
    /// Running mean (C), or `nil` (the default) when statistics are not tracked.
    @OptionalBuffer public var runningMean: Tensor?
    /// Running variance (C), or `nil` when statistics are not tracked.
    @OptionalBuffer public var runningVar: Tensor?
    /// Present when statistics are tracked, for state-dictionary compatibility with PyTorch, which
    /// keeps this buffer for instance normalization but never advances it; it stays 0 here too.
    @OptionalBuffer public var numBatchesTracked: Tensor?
    /// Number of channels C.
    public let features: Int
    /// Added to the variance for stability.
    public let epsilon: Float
    /// Weight of the newest batch in the running statistics.
    public let momentum: Float

    /// Creates the layer with PyTorch's defaults (eps 1e-5, momentum 0.1, no affine, no tracking).
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = false,
                trackRunningStatistics: Bool = false) {
        precondition(features > 0, "InstanceNorm: the number of features must be positive, got \(features)")
        self.features = features
        self.epsilon = epsilon
        self.momentum = momentum
        weight = affine ? Tensor.ones([features]) : nil
        bias = affine ? Tensor.zeros([features]) : nil
        runningMean = trackRunningStatistics ? Tensor.zeros([features]) : nil
        runningVar = trackRunningStatistics ? Tensor.ones([features]) : nil
        numBatchesTracked = trackRunningStatistics ? Tensor.zeros([]) : nil
        super.init()
    }

    /// Normalizes an (N, C, …) input.
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 3 && input.shape[1] == features,
                     "InstanceNorm: expected input (N, \(features), L) or (N, \(features), H, W), got shape \(input.shape)")
        let useInputStatistics = isTraining || runningMean == nil
        return input.instanceNorm(runningMean: isTraining || !useInputStatistics ? runningMean : nil,
                                  runningVariance: isTraining || !useInputStatistics ? runningVar : nil,
                                  weight: weight, bias: bias, useInputStatistics: useInputStatistics,
                                  momentum: momentum, epsilon: epsilon)
    }
}

/// `nn.InstanceNorm1d`: ``InstanceNorm`` over (N, C, L) inputs.
public typealias InstanceNorm1d = InstanceNorm
/// `nn.InstanceNorm2d`: ``InstanceNorm`` over (N, C, H, W) inputs.
public typealias InstanceNorm2d = InstanceNorm
