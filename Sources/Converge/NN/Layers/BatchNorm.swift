import ConvergeCore

/// Batch normalization over (N, C), (N, C, L) or (N, C, H, W) inputs, as PyTorch's
/// `nn.BatchNorm1d` / `nn.BatchNorm2d` (one class for all three; ``BatchNorm1d`` and
/// ``BatchNorm2d`` are aliases).
///
/// - Training mode: each channel is normalized with the batch mean and *biased* batch variance;
///   the running statistics are then updated with ``momentum`` using the *unbiased* variance, and
///   ``numBatchesTracked`` counts the updates.
/// - Evaluation mode: the running statistics are used (unless the layer does not track them, in
///   which case batch statistics are always used).
///
/// `y = (x − mean) / √(var + eps) · weight + bias`. The forward and backward passes are one fused op
/// (`Tensor.batchNorm(runningMean:runningVariance:weight:bias:training:momentum:epsilon:)`).
///
/// State-dictionary names are Swift's camel case (`weight`, `bias`, `runningMean`, `runningVar`,
/// `numBatchesTracked`); PyTorch's `running_mean`, `running_var`, `num_batches_tracked` are
/// produced and accepted with ``StateDictKeyStyle/pytorch``.
public final class BatchNorm: Module {
    /// Scale γ (C), ones at creation; `nil` without affine transform.
    @OptionalParameter public var weight: Tensor?
    /// Shift β (C), zeros at creation; `nil` without affine transform.
    @OptionalParameter public var bias: Tensor?
    /// Running mean (C), zeros at creation; `nil` when statistics are not tracked.
    @OptionalBuffer public var runningMean: Tensor?
    /// Running (unbiased) variance (C), ones at creation; `nil` when statistics are not tracked.
    @OptionalBuffer public var runningVar: Tensor?
    /// Number of training batches seen (a scalar); `nil` when statistics are not tracked.
    @OptionalBuffer public var numBatchesTracked: Tensor?
    /// Number of channels C.
    public let features: Int
    /// Added to the variance for stability.
    public let epsilon: Float
    /// Weight of the newest batch in the running statistics; `nil` means a cumulative average
    /// (1 / ``numBatchesTracked``), as PyTorch's `momentum=None`.
    public let momentum: Float?
    /// Whether running statistics are kept (and used in evaluation mode).
    public var tracksRunningStatistics: Bool { runningMean != nil }

    /// Creates the layer with PyTorch's defaults (eps 1e-5, momentum 0.1, affine, tracking).
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStatistics: Bool = true) {
        precondition(features > 0, "BatchNorm: the number of features must be positive, got \(features)")
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

    /// Sets the running statistics back to mean 0, variance 1 and the batch count to 0.
    public func resetRunningStatistics() {
        runningMean?.fill(0)
        runningVar?.fill(1)
        numBatchesTracked?.fill(0)
    }

    /// `dropout(relu(self(input)))` for an (N, C) input as one fused op
    /// (`Tensor.batchNormReLUDropout(...)`): the same values, running statistics, dropout masks
    /// and gradients as calling the three layers in turn, in two passes over memory each way and
    /// with nothing saved for the backward pass but the output. ``Sequential`` calls it for every
    /// `BatchNorm → ReLU → Dropout` run of layers without forward hooks (see ``fusedForward(_:at:_:)``).
    public func forwardFused(_ input: Tensor, relu: ReLU, dropout: Dropout) -> Tensor {
        Anomaly.withModulePath(path ?? "BatchNorm") { normalize(input, fusedDropout: dropout) }
    }

    /// When `layers[index...]` starts with `BatchNorm`, `ReLU`, `Dropout`, none with a forward
    /// hook, and `input` is (N, C): the three layers' output through the fused op, else `nil`.
    public static func fusedForward(_ layers: [Module], at index: Int, _ input: Tensor) -> Tensor? {
        guard index + 2 < layers.count, input.rank == 2,
              let norm = layers[index] as? BatchNorm, let relu = layers[index + 1] as? ReLU,
              let dropout = layers[index + 2] as? Dropout, input.shape[1] == norm.features,
              !norm.hasForwardHooks, !relu.hasForwardHooks, !dropout.hasForwardHooks else { return nil }
        return norm.forwardFused(input, relu: relu, dropout: dropout)
    }

    /// Normalizes an (N, C, …) input.
    public override func forward(_ input: Tensor) -> Tensor { normalize(input, fusedDropout: nil) }

    /// The forward pass, followed by ReLU and `fusedDropout` in the same op when one is given.
    private func normalize(_ input: Tensor, fusedDropout: Dropout?) -> Tensor {
        precondition(input.rank >= 2 && input.rank <= 5 && input.shape[1] == features,
                     "BatchNorm: expected input (N, \(features)), (N, \(features), L) or (N, \(features), H, W), got shape \(input.shape)")
        var factor = momentum ?? 0
        if isTraining, let counter = numBatchesTracked {
            counter.storage.pointer[0] += 1
            if momentum == nil { factor = 1 / counter.storage.pointer[0] }
        }
        let useBatchStatistics = isTraining || runningMean == nil
        if let dropout = fusedDropout {
            return input.batchNormReLUDropout(runningMean: isTraining || !useBatchStatistics ? runningMean : nil,
                                              runningVariance: isTraining || !useBatchStatistics ? runningVar : nil,
                                              weight: weight, bias: bias, training: useBatchStatistics,
                                              momentum: factor, epsilon: epsilon, probability: dropout.probability,
                                              dropoutTraining: dropout.isTraining,
                                              generator: dropout.generator ?? Random.generator)
        }
        return input.batchNorm(runningMean: isTraining || !useBatchStatistics ? runningMean : nil,
                               runningVariance: isTraining || !useBatchStatistics ? runningVar : nil,
                               weight: weight, bias: bias, training: useBatchStatistics,
                               momentum: factor, epsilon: epsilon)
    }
}

/// `nn.BatchNorm1d`: ``BatchNorm`` over (N, C) or (N, C, L) inputs.
public typealias BatchNorm1d = BatchNorm
/// `nn.BatchNorm2d`: ``BatchNorm`` over (N, C, H, W) inputs.
public typealias BatchNorm2d = BatchNorm
