import ConvergeCore

extension Tensor {
    /// Group normalization as `nn.functional.group_norm` over (N, C, …): the channels of each sample
    /// are split into `groups` groups, each normalized over its channels and positions with the
    /// biased variance, then scaled by `weight` and shifted by `bias` per channel (both (C),
    /// optional). One fused op with a hand-written backward.
    public func groupNorm(groups: Int, weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5) -> Tensor {
        groupNormalized(groups: groups, weight: weight, bias: bias, epsilon: epsilon, op: "groupNorm").output
    }

    /// Instance normalization as `nn.functional.instance_norm` over (N, C, …): each channel of each
    /// sample is normalized over its positions.
    ///
    /// With `useInputStatistics` (training, or a layer that tracks no running statistics) the
    /// per-instance statistics are used and the running statistics, when given, are updated in
    /// place with the batch average of the instance means and unbiased variances. Otherwise the
    /// running statistics (required) are used, as in evaluation-mode BatchNorm.
    public func instanceNorm(runningMean: Tensor? = nil, runningVariance: Tensor? = nil, weight: Tensor? = nil,
                             bias: Tensor? = nil, useInputStatistics: Bool = true, momentum: Float = 0.1,
                             epsilon: Float = 1e-5) -> Tensor {
        precondition(rank >= 3, "instanceNorm: input must be (N, C, L) or (N, C, H, W), got shape \(shape)")
        let n = shape[0], c = shape[1], s = Shape.count(Array(shape.dropFirst(2)))
        guard useInputStatistics else {
            precondition(runningMean != nil && runningVariance != nil,
                         "instanceNorm: running statistics are required when the input statistics are not used (input shape \(shape))")
            return batchNorm(runningMean: runningMean, runningVariance: runningVariance, weight: weight, bias: bias,
                             training: false, epsilon: epsilon)
        }
        let (output, mean, variance) = groupNormalized(groups: c, weight: weight, bias: bias, epsilon: epsilon, op: "instanceNorm")
        if let runningMean, let runningVariance {
            precondition(runningMean.count == c && runningVariance.count == c,
                         "instanceNorm: running statistics of shapes \(runningMean.shape), \(runningVariance.shape) do not fit \(c) channels")
            precondition(s > 1, "instanceNorm: expected more than 1 spatial element when tracking running statistics, got input of shape \(shape)")
            let rm = runningMean.storage.pointer, rv = runningVariance.storage.pointer
            let unbiased = Double(s) / Double(s - 1)
            for j in 0..<c {
                var meanSum = 0.0, varSum = 0.0
                for i in 0..<n { meanSum += Double(mean[i * c + j]); varSum += variance[i * c + j] * unbiased }
                rm[j] = momentum * Float(meanSum / Double(n)) + (1 - momentum) * rm[j]
                rv[j] = momentum * Float(varSum / Double(n)) + (1 - momentum) * rv[j]
            }
        }
        return output
    }

    /// Normalizes groups of consecutive channels per sample; returns the recorded output and the
    /// per-(sample, group) means and biased variances.
    func groupNormalized(groups: Int, weight: Tensor?, bias: Tensor?, epsilon: Float, op: String)
        -> (output: Tensor, mean: [Float], variance: [Double]) {
        precondition(rank >= 2, "\(op): input must be (N, C, …), got shape \(shape)")
        let n = shape[0], c = shape[1], s = Shape.count(Array(shape.dropFirst(2)))
        precondition(groups > 0 && c % groups == 0, "\(op): \(groups) groups do not divide the \(c) channels of input shape \(shape)")
        for (label, t) in [("weight", weight), ("bias", bias)] {
            if let t { precondition(t.shape == [c], "\(op): \(label) of shape \(t.shape) does not fit \(c) channels (input shape \(shape))") }
        }
        let x = self
        let cg = c / groups, m = cg * s, units = n * groups
        let px = storage.pointer, pw = weight?.storage.pointer, pb = bias?.storage.pointer
        var mean = [Float](repeating: 0, count: units), invStd = [Float](repeating: 0, count: units)
        var variance = [Double](repeating: 0, count: units)
        let out = Tensor(uninitializedShape: shape)
        let po = out.storage.pointer
        mean.withUnsafeMutableBufferPointer { mp in invStd.withUnsafeMutableBufferPointer { ip in variance.withUnsafeMutableBufferPointer { vp in
            let meanP = mp.baseAddress!, invP = ip.baseAddress!, varP = vp.baseAddress!
            Parallel.forChunks(units, threshold: Swift.max(1, Parallel.elementwiseThreshold / Swift.max(m, 1))) { range in
                for u in range {
                    let block = px + u * m
                    let mu = NormalizationKernels.sum(block, m) / Double(m)
                    let v = NormalizationKernels.squaredDeviations(block, m, mean: mu) / Double(m)
                    let mf = Float(mu), inv = Float(1 / (v + Double(epsilon)).squareRoot())
                    meanP[u] = mf; invP[u] = inv; varP[u] = v
                    let firstChannel = (u % groups) * cg
                    for k in 0..<cg {
                        let ch = firstChannel + k
                        let a = inv * (pw?[ch] ?? 1), b = (pb?[ch] ?? 0) - mf * a
                        let src = block + k * s, dst = po + u * m + k * s
                        for i in 0..<s { dst[i] = src[i] * a + b }
                    }
                }
            }
        } } }
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let recorded = Tensor.recording(out, op: op, inputs: inputs) { gradient in
            let pg = gradient.storage.pointer
            var grads: [Tensor?] = []
            if x.requiresGrad {
                let gx = Tensor(uninitializedShape: x.shape)
                let pgx = gx.storage.pointer
                mean.withUnsafeBufferPointer { mp in invStd.withUnsafeBufferPointer { ip in
                    let meanP = mp.baseAddress!, invP = ip.baseAddress!
                    Parallel.forChunks(units, threshold: Swift.max(1, Parallel.elementwiseThreshold / Swift.max(m, 1))) { range in
                        for u in range {
                            let mu = meanP[u], inv = invP[u], firstChannel = (u % groups) * cg
                            // dx = invstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·γ[c].
                            var a = 0.0, b = 0.0
                            for k in 0..<cg {
                                let w = Double(pw?[firstChannel + k] ?? 1)
                                let (gs, gd) = NormalizationKernels.gradientSums(pg + u * m + k * s, px + u * m + k * s, s, mean: Double(mu))
                                a += gs * w
                                b += gd * w
                            }
                            let meanG = Float(a / Double(m)), meanGX = Float(b / Double(m)) * inv
                            for k in 0..<cg {
                                let w = pw?[firstChannel + k] ?? 1
                                let g = pg + u * m + k * s, src = px + u * m + k * s, dst = pgx + u * m + k * s
                                for i in 0..<s { dst[i] = inv * (g[i] * w - meanG - (src[i] - mu) * inv * meanGX) }
                            }
                        }
                    }
                } }
                grads.append(gx)
            } else { grads.append(nil) }
            let needWeight = weight?.requiresGrad == true, needBias = bias?.requiresGrad == true
            var gw = [Double](repeating: 0, count: c), gb = [Double](repeating: 0, count: c)
            if needWeight || needBias {
                for u in 0..<units {
                    let firstChannel = (u % groups) * cg
                    for k in 0..<cg {
                        let offset = u * m + k * s
                        let (gs, gd) = NormalizationKernels.gradientSums(pg + offset, px + offset, s, mean: Double(mean[u]))
                        gw[firstChannel + k] += gd * Double(invStd[u])
                        gb[firstChannel + k] += gs
                    }
                }
            }
            if weight != nil { grads.append(needWeight ? Tensor(shape: [c], scalars: gw.map { Float($0) }) : nil) }
            if bias != nil { grads.append(needBias ? Tensor(shape: [c], scalars: gb.map { Float($0) }) : nil) }
            return grads
        }
        return (recorded, mean, variance)
    }
}
