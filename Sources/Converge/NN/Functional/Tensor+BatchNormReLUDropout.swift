import ConvergeCore

extension Tensor {
    /// `dropout(relu(batchNorm(x)))` over an (N, C) input as one fused op: the same values, running
    /// statistics, dropout masks (the same draws from `generator`) and gradients as the three ops
    /// applied in turn, in two passes over memory forward (the statistics, then normalize + ReLU +
    /// dropout) and two backward (the per-channel gradient sums, then the input gradient). Nothing
    /// is saved but the output: an element passed ReLU and dropout exactly when its output is not
    /// zero, so the unfused ops' pre-activation copy, ReLU output and float dropout mask (three
    /// tensors of the input's size) are not needed.
    ///
    /// A bfloat16 input (an autocast `Linear` output, see ``bfloat16Linear(weight:bias:activation:)``)
    /// is read as it is and gives a bfloat16 output and a bfloat16 input gradient, as PyTorch's CPU
    /// autocast does (batch norm on a bfloat16 tensor returns bfloat16; its statistics are computed
    /// in float32 or better, here in double precision). The normalized value is rounded to
    /// bfloat16 before the dropout scale is applied and rounded again, as PyTorch's two bfloat16
    /// ops round.
    ///
    /// - Parameters: as in ``batchNorm(runningMean:runningVariance:weight:bias:training:momentum:epsilon:)``,
    ///   plus the dropout `probability` (in [0, 1)), whether dropout is active (`dropoutTraining`)
    ///   and its `generator`.
    public func batchNormReLUDropout(runningMean: Tensor?, runningVariance: Tensor?, weight: Tensor?, bias: Tensor?,
                                     training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5,
                                     probability: Float, dropoutTraining: Bool,
                                     generator: RandomGenerator = Random.generator) -> Tensor {
        precondition(rank == 2, "batchNormReLUDropout: input must be (N, C), got shape \(shape)")
        precondition(probability >= 0 && probability < 1, "batchNormReLUDropout: probability must be in [0, 1), got \(probability)")
        let n = shape[0], c = shape[1]
        for (label, t) in [("weight", weight), ("bias", bias), ("running mean", runningMean), ("running variance", runningVariance)] {
            if let t { precondition(t.count == c, "batchNormReLUDropout: \(label) of shape \(t.shape) does not fit input of shape \(shape) (\(c) channels)") }
        }
        let x = self
        let bits = storage.bfloat16Bits
        let half = bits != nil
        var mean = [Float](repeating: 0, count: c)
        var invStd = [Float](repeating: 0, count: c)
        let dropping = dropoutTraining && probability > 0
        let keep = 1 - Double(probability)
        let scale = dropping ? Float(1 / keep) : 1
        let count = n * c
        // One draw of the generator keys the mask; the normalizing pass draws each row's part.
        let mask: DropoutMask? = dropping ? DropoutMask(keep: keep, generator: generator) : nil
        if training {
            precondition(n > 1, "batchNormReLUDropout: expected more than 1 value per channel when training, got input of shape \(shape)")
            let (mu, variance) = BatchNormKernels.moments(storage, n: n, c: c, parallelThreshold: Self.fusedNormalizationParallelThreshold)
            for j in 0..<c {
                mean[j] = Float(mu[j])
                invStd[j] = Float(1 / (variance[j] + Double(epsilon)).squareRoot())
            }
            if let runningMean, let runningVariance {
                let rm = runningMean.storage.pointer, rv = runningVariance.storage.pointer
                let unbiased = Double(n) / Double(n - 1)
                for j in 0..<c {
                    rm[j] = momentum * mean[j] + (1 - momentum) * rm[j]
                    rv[j] = momentum * Float(variance[j] * unbiased) + (1 - momentum) * rv[j]
                }
            } else {
                precondition(runningMean == nil && runningVariance == nil, "batchNormReLUDropout: give both running statistics or neither")
            }
        } else {
            guard let runningMean, let runningVariance else {
                preconditionFailure("batchNormReLUDropout: running statistics are required outside training (input shape \(shape))")
            }
            let rm = runningMean.storage.pointer, rv = runningVariance.storage.pointer
            for j in 0..<c {
                mean[j] = rm[j]
                invStd[j] = Float(1 / (Double(rv[j]) + Double(epsilon)).squareRoot())
            }
        }
        var alpha = [Float](repeating: 0, count: c), beta = [Float](repeating: 0, count: c)
        for j in 0..<c {
            let w = weight?.storage.pointer[j] ?? 1, b = bias?.storage.pointer[j] ?? 0
            alpha[j] = invStd[j] * w
            beta[j] = b - mean[j] * alpha[j]
        }
        let recordsGraph = GradMode.isEnabled && (requiresGrad || weight?.requiresGrad == true || bias?.requiresGrad == true)
        let out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count, elementType: half ? .bfloat16 : .float32))
        BatchNormKernels.forward(storage, into: out.storage, n: n, c: c, alpha: alpha, beta: beta, relu: true,
                                 mask: mask, scale: scale, parallelThreshold: Self.fusedNormalizationParallelThreshold)
        if half { out.markPrecision(.bfloat16) }
        guard recordsGraph else { return out }
        let y = out.detached()   // the output is the mask: non-zero where the gradient passes

        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let m = Float(n)
        return Tensor.recording(out, op: "batchNormReLUDropout", inputs: inputs) { gradient in
            let needSums = training || weight?.requiresGrad == true || bias?.requiresGrad == true
            let (sums, dots) = needSums
                ? BatchNormKernels.gradientSums(gradient.storage, x.storage, output: y.storage, n: n, c: c, mean: mean,
                                                scale: scale, parallelThreshold: Self.fusedNormalizationParallelThreshold)
                : ([Double](repeating: 0, count: c), [Double](repeating: 0, count: c))
            var gx: Tensor?
            if x.requiresGrad {
                var shift = [Float](repeating: 0, count: c), slope = [Float](repeating: 0, count: c)
                var gain = [Float](repeating: 0, count: c)
                for j in 0..<c {
                    if training {
                        // dx = (g' − Σg'/M − (x − mean)·invstd²·Σg'(x − mean)/M) · invstd·γ
                        shift[j] = Float(sums[j]) / m
                        slope[j] = Float(dots[j]) * invStd[j] * invStd[j] / m
                        gain[j] = invStd[j] * (weight?.storage.pointer[j] ?? 1)
                    } else {
                        gain[j] = alpha[j]
                    }
                }
                let result = Tensor(shape: x.shape, storage: TensorStorage(uninitializedCount: count,
                                                                           elementType: half ? .bfloat16 : .float32))
                BatchNormKernels.inputGradient(gradient.storage, x.storage, output: y.storage, into: result.storage,
                                               n: n, c: c, mean: mean, shift: shift, slope: slope, gain: gain,
                                               scale: scale, parallelThreshold: Self.fusedNormalizationParallelThreshold)
                if half { result.markPrecision(.bfloat16) }
                gx = result
            }
            var grads: [Tensor?] = [gx]
            if let weight {
                grads.append(weight.requiresGrad
                             ? Tensor(shape: weight.shape, scalars: (0..<c).map { Float(dots[$0]) * invStd[$0] }) : nil)
            }
            if let bias {
                grads.append(bias.requiresGrad ? Tensor(shape: bias.shape, scalars: sums.map { Float($0) }) : nil)
            }
            return grads
        }
    }

    /// Elements from which the fused op's passes (``BatchNormKernels``) run on all cores: by
    /// default ``Parallel/memoryBoundThreshold``, measured once per machine (the passes stream
    /// memory at a fraction of a nanosecond per element, and waking a second thread costs 5–10 µs;
    /// on the 2-core reference machine splitting never paid in a release build).
    public static var fusedNormalizationParallelThreshold = Parallel.memoryBoundThreshold
}
