import ConvergeCore

extension Tensor {
    /// Batch normalization as `nn.functional.batch_norm` over (N, C), (N, C, L), (N, C, H, W) or any
    /// (N, C, …) input, as one fused op with a hand-written backward.
    ///
    /// - In training (`training == true`) each channel is normalized with the batch mean and the
    ///   biased batch variance; when running statistics are given they are updated in place:
    ///   `running = (1 − momentum)·running + momentum·statistic`, with the *unbiased* variance.
    /// - Otherwise the running statistics (required) are used and nothing is updated.
    ///
    /// `y = (x − mean) / √(var + epsilon) · weight + bias` per channel; `weight` and `bias` (C)
    /// may be `nil` (no affine transform). Gradients flow to the input, weight and bias.
    public func batchNorm(runningMean: Tensor?, runningVariance: Tensor?, weight: Tensor?, bias: Tensor?,
                          training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
        precondition(rank >= 2, "batchNorm: input must be (N, C, …), got shape \(shape)")
        let n = shape[0], c = shape[1], s = Shape.count(Array(shape.dropFirst(2)))
        for (label, t) in [("weight", weight), ("bias", bias), ("running mean", runningMean), ("running variance", runningVariance)] {
            if let t { precondition(t.count == c, "batchNorm: \(label) of shape \(t.shape) does not fit input of shape \(shape) (\(c) channels)") }
        }
        let x = self
        let px = storage.pointer
        var mean = [Float](repeating: 0, count: c)
        var invStd = [Float](repeating: 0, count: c)
        if training {
            precondition(n * s > 1, "batchNorm: expected more than 1 value per channel when training, got input of shape \(shape)")
            let (mu, variance) = NormalizationKernels.channelMoments(px, n: n, c: c, s: s)
            for j in 0..<c {
                mean[j] = Float(mu[j])
                invStd[j] = Float(1 / (variance[j] + Double(epsilon)).squareRoot())
            }
            if let runningMean, let runningVariance {
                let rm = runningMean.storage.pointer, rv = runningVariance.storage.pointer
                let unbiased = Double(n * s) / Double(n * s - 1)
                for j in 0..<c {
                    rm[j] = momentum * mean[j] + (1 - momentum) * rm[j]
                    rv[j] = momentum * Float(variance[j] * unbiased) + (1 - momentum) * rv[j]
                }
            } else {
                precondition(runningMean == nil && runningVariance == nil, "batchNorm: give both running statistics or neither")
            }
        } else {
            guard let runningMean, let runningVariance else {
                preconditionFailure("batchNorm: running statistics are required outside training (input shape \(shape))")
            }
            let rm = runningMean.storage.pointer, rv = runningVariance.storage.pointer
            for j in 0..<c {
                mean[j] = rm[j]
                invStd[j] = Float(1 / (Double(rv[j]) + Double(epsilon)).squareRoot())
            }
        }
        // y = x·alpha + beta with alpha = γ·invstd, beta = β − mean·alpha.
        var alpha = [Float](repeating: 0, count: c), beta = [Float](repeating: 0, count: c)
        for j in 0..<c {
            let w = weight?.storage.pointer[j] ?? 1, b = bias?.storage.pointer[j] ?? 0
            alpha[j] = invStd[j] * w
            beta[j] = b - mean[j] * alpha[j]
        }
        let out = Tensor(uninitializedShape: shape)
        NormalizationKernels.channelAffine(px, out.storage.pointer, scale: alpha, shift: beta, n: n, c: c, s: s)

        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let m = Float(n * s)
        return Tensor.recording(out, op: "batchNorm", inputs: inputs) { gradient in
            let pg = gradient.storage.pointer
            let needSums = training || weight?.requiresGrad == true || bias?.requiresGrad == true
            let (sums, dots) = needSums ? NormalizationKernels.channelGradientSums(pg, px, mean: mean, n: n, c: c, s: s)
                                        : ([Double](repeating: 0, count: c), [Double](repeating: 0, count: c))
            var gx: Tensor?
            if x.requiresGrad {
                let result = Tensor(uninitializedShape: x.shape)
                if training {
                    // dx = (g − Σg/M − (x − mean)·invstd²·Σg(x − mean)/M) · invstd·γ
                    var shift = [Float](repeating: 0, count: c), slope = [Float](repeating: 0, count: c)
                    var scale = [Float](repeating: 0, count: c)
                    for j in 0..<c {
                        shift[j] = Float(sums[j]) / m
                        slope[j] = Float(dots[j]) * invStd[j] * invStd[j] / m
                        scale[j] = invStd[j] * (weight?.storage.pointer[j] ?? 1)
                    }
                    Tensor.batchNormInputGradient(pg, px, result.storage.pointer, mean: mean, shift: shift,
                                                  slope: slope, scale: scale, n: n, c: c, s: s)
                } else {
                    NormalizationKernels.channelAffine(pg, result.storage.pointer, scale: alpha,
                                                       shift: [Float](repeating: 0, count: c), n: n, c: c, s: s)
                }
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

    /// `dx = (g − shift[c] − (x − mean[c])·slope[c])·scale[c]` over [n, c, s].
    static func batchNormInputGradient(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                       mean: [Float], shift: [Float], slope: [Float], scale: [Float], n: Int, c: Int, s: Int) {
        mean.withUnsafeBufferPointer { mp in shift.withUnsafeBufferPointer { hp in
            slope.withUnsafeBufferPointer { lp in scale.withUnsafeBufferPointer { sp in
                let mean = mp.baseAddress!, shift = hp.baseAddress!, slope = lp.baseAddress!, scale = sp.baseAddress!
                if s == 1 {
                    Parallel.forChunks(n, threshold: Swift.max(1, Parallel.elementwiseThreshold / Swift.max(c, 1))) { rows in
                        for row in rows {
                            let pg = g + row * c, px = x + row * c, po = out + row * c
                            for j in 0..<c { po[j] = (pg[j] - shift[j] - (px[j] - mean[j]) * slope[j]) * scale[j] }
                        }
                    }
                } else {
                    Parallel.forChunks(n * c, threshold: Swift.max(1, Parallel.elementwiseThreshold / s)) { planes in
                        for plane in planes {
                            let j = plane % c, mu = mean[j], sh = shift[j], sl = slope[j], sc = scale[j]
                            let pg = g + plane * s, px = x + plane * s, po = out + plane * s
                            for k in 0..<s { po[k] = (pg[k] - sh - (px[k] - mu) * sl) * sc }
                        }
                    }
                }
            } }
        } }
    }
}
