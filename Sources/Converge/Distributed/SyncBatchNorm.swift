import ConvergeCore
import Foundation

/// Batch normalization whose batch statistics are computed over the whole global batch of a
/// data-parallel job, as PyTorch's `nn.SyncBatchNorm`.
///
/// In training mode each rank computes its per-channel sums; the ranks reduce them (allreduce)
/// to the global mean, then to the global biased variance (two passes, in double precision),
/// normalize with them, and update the running statistics with the unbiased global variance.
/// The backward pass reduces the per-channel sums of the gradient and of the gradient times the
/// centred input across ranks (as PyTorch's `batch_norm_backward_reduce` + allreduce), so the
/// input gradient is the one of a single batch norm over the global batch; the weight and bias
/// gradients are the rank's own (data-parallel averaging then makes them global).
///
/// With no process group, a one-process group, or in evaluation mode it computes exactly what
/// ``BatchNorm`` computes. Parameter and buffer names are ``BatchNorm``'s, so state dictionaries
/// and checkpoints are interchangeable. `convert(_:)` replaces the ``BatchNorm`` layers of a
/// ``Sequential`` (recursively through nested ``Sequential``s), as `convert_sync_batchnorm`.
public final class SyncBatchNorm: Module {
    /// Scale γ (C); `nil` without affine transform.
    @OptionalParameter public var weight: Tensor?
    /// Shift β (C); `nil` without affine transform.
    @OptionalParameter public var bias: Tensor?
    /// Running mean (C); `nil` when statistics are not tracked.
    @OptionalBuffer public var runningMean: Tensor?
    /// Running (unbiased) variance (C); `nil` when statistics are not tracked.
    @OptionalBuffer public var runningVar: Tensor?
    /// Training batches seen (a scalar); `nil` when statistics are not tracked.
    @OptionalBuffer public var numBatchesTracked: Tensor?
    /// Number of channels C.
    public let features: Int
    /// Added to the variance for stability.
    public let epsilon: Float
    /// Weight of the newest batch in the running statistics; `nil`: cumulative average.
    public let momentum: Float?
    /// The ranks whose batches are normalized together; `nil` uses ``ProcessGroup/current``.
    /// ``DataParallel`` sets it.
    public var processGroup: ProcessGroup?

    /// Creates the layer with PyTorch's defaults (eps 1e-5, momentum 0.1, affine, tracking).
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStatistics: Bool = true, processGroup: ProcessGroup? = nil) {
        precondition(features > 0, "SyncBatchNorm: the number of features must be positive, got \(features)")
        self.features = features
        self.epsilon = epsilon
        self.momentum = momentum
        self.processGroup = processGroup
        weight = affine ? Tensor.ones([features]) : nil
        bias = affine ? Tensor.zeros([features]) : nil
        runningMean = trackRunningStatistics ? Tensor.zeros([features]) : nil
        runningVar = trackRunningStatistics ? Tensor.ones([features]) : nil
        numBatchesTracked = trackRunningStatistics ? Tensor.zeros([]) : nil
        super.init()
    }

    /// A synchronized layer sharing `norm`'s parameters and buffers (the same tensors).
    public init(converting norm: BatchNorm, processGroup: ProcessGroup? = nil) {
        features = norm.features
        epsilon = norm.epsilon
        momentum = norm.momentum
        self.processGroup = processGroup
        weight = norm.weight
        bias = norm.bias
        runningMean = norm.runningMean
        runningVar = norm.runningVar
        numBatchesTracked = norm.numBatchesTracked
        super.init()
        if !norm.isTraining { eval() }
    }

    /// `model` with every ``BatchNorm`` (also inside nested ``Sequential``s) replaced by a
    /// ``SyncBatchNorm`` sharing its tensors. Other container modules are kept as they are.
    public static func convert(_ model: Sequential, processGroup: ProcessGroup? = nil) -> Sequential {
        let layers: [Module] = model.layers.map { layer in
            if let norm = layer as? BatchNorm { return SyncBatchNorm(converting: norm, processGroup: processGroup) }
            if let inner = layer as? Sequential { return convert(inner, processGroup: processGroup) }
            return layer
        }
        let converted = Sequential(layers)
        if !model.isTraining { converted.eval() }
        return converted
    }

    /// Normalizes an (N, C, …) input with the global batch statistics in training mode.
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 2 && input.rank <= 5 && input.shape[1] == features,
                     "SyncBatchNorm: expected input (N, \(features)), (N, \(features), L) or (N, \(features), H, W), got shape \(input.shape)")
        var factor = momentum ?? 0
        if isTraining, let counter = numBatchesTracked {
            counter.storage.pointer[0] += 1
            if momentum == nil { factor = 1 / counter.storage.pointer[0] }
        }
        let group = processGroup ?? ProcessGroup.current
        let useBatchStatistics = isTraining || runningMean == nil
        guard useBatchStatistics, let group, group.worldSize > 1 else {
            return input.batchNorm(runningMean: isTraining || !useBatchStatistics ? runningMean : nil,
                                   runningVariance: isTraining || !useBatchStatistics ? runningVar : nil,
                                   weight: weight, bias: bias, training: useBatchStatistics,
                                   momentum: factor, epsilon: epsilon)
        }
        do {
            return try synchronizedForward(input, group: group, momentum: factor)
        } catch {
            DataParallel.printFailure(error, rank: group.rank)
            group.abort()
        }
    }

    private func synchronizedForward(_ x: Tensor, group: ProcessGroup, momentum: Float) throws -> Tensor {
        let n = x.shape[0], c = features, s = Shape.count(Array(x.shape.dropFirst(2)))
        let px = x.storage.pointer
        // Pass 1: global count and per-channel sums → global mean.
        var sums = [Double](repeating: 0, count: c + 1)
        sums[c] = Double(n * s)
        for j in 0..<c { sums[j] = SyncBatchNorm.channelSum(px, channel: j, n: n, c: c, s: s) { Double($0) } }
        sums = try group.allreduce(sums, .sum)
        let total = sums[c]
        guard total > 1 else {
            throw DistributedError.mismatch(rank: group.rank, message: "SyncBatchNorm: expected more than 1 value per channel over all ranks when training, got \(Int(total))")
        }
        let meanDouble = (0..<c).map { sums[$0] / total }
        // Pass 2: per-channel squared deviations from the global mean → global biased variance.
        var deviations = (0..<c).map { j in
            SyncBatchNorm.channelSum(px, channel: j, n: n, c: c, s: s) { let d = Double($0) - meanDouble[j]; return d * d }
        }
        deviations = try group.allreduce(deviations, .sum)
        let variance = deviations.map { $0 / total }
        let mean = meanDouble.map { Float($0) }
        let invStd = variance.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
        if let runningMean, let runningVar {
            let rm = runningMean.storage.pointer, rv = runningVar.storage.pointer
            let unbiased = total / (total - 1)
            for j in 0..<c {
                rm[j] = momentum * mean[j] + (1 - momentum) * rm[j]
                rv[j] = momentum * Float(variance[j] * unbiased) + (1 - momentum) * rv[j]
            }
        }
        var alpha = [Float](repeating: 0, count: c), beta = [Float](repeating: 0, count: c)
        for j in 0..<c {
            let w = weight?.storage.pointer[j] ?? 1, b = bias?.storage.pointer[j] ?? 0
            alpha[j] = invStd[j] * w
            beta[j] = b - mean[j] * alpha[j]
        }
        let out = Tensor(uninitializedShape: x.shape)
        NormalizationKernels.channelAffine(px, out.storage.pointer, scale: alpha, shift: beta, n: n, c: c, s: s)

        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let weight = self.weight, bias = self.bias
        let m = Float(total)
        return Tensor.recording(out, op: "syncBatchNorm", inputs: inputs) { gradient in
            let pg = gradient.storage.pointer
            let (localSums, localDots) = NormalizationKernels.channelGradientSums(pg, px, mean: mean, n: n, c: c, s: s)
            var gx: Tensor?
            if x.requiresGrad {
                let global: [Double]
                do { global = try group.allreduce(localSums + localDots, .sum) } catch {
                    DataParallel.printFailure(error, rank: group.rank)
                    group.abort()
                }
                var shift = [Float](repeating: 0, count: c), slope = [Float](repeating: 0, count: c)
                var scale = [Float](repeating: 0, count: c)
                for j in 0..<c {
                    shift[j] = Float(global[j]) / m
                    slope[j] = Float(global[c + j]) * invStd[j] * invStd[j] / m
                    scale[j] = invStd[j] * (weight?.storage.pointer[j] ?? 1)
                }
                let result = Tensor(uninitializedShape: x.shape)
                Tensor.batchNormInputGradient(pg, px, result.storage.pointer, mean: mean, shift: shift,
                                              slope: slope, scale: scale, n: n, c: c, s: s)
                gx = result
            }
            var grads: [Tensor?] = [gx]
            if let weight {
                grads.append(weight.requiresGrad ? Tensor(shape: weight.shape, scalars: (0..<c).map { Float(localDots[$0]) * invStd[$0] }) : nil)
            }
            if let bias {
                grads.append(bias.requiresGrad ? Tensor(shape: bias.shape, scalars: localSums.map { Float($0) }) : nil)
            }
            return grads
        }
    }

    /// Σ f(x) over channel `j` of an [n, c, s] buffer, in double precision.
    static func channelSum(_ x: UnsafePointer<Float>, channel j: Int, n: Int, c: Int, s: Int,
                           _ f: (Float) -> Double) -> Double {
        var total = 0.0
        for row in 0..<n {
            let base = x + (row * c + j) * s
            for k in 0..<s { total += f(base[k]) }
        }
        return total
    }
}
