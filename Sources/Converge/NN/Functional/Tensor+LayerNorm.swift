import ConvergeCore

extension Tensor {
    /// Layer normalization as `nn.functional.layer_norm`: every sample is normalized over its last
    /// `normalizedShape.count` dimensions (which must equal `normalizedShape`) with the biased
    /// variance, then scaled by `weight` and shifted by `bias` (both of `normalizedShape`, each
    /// optional). One fused op with a hand-written backward.
    public func layerNorm(normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5) -> Tensor {
        precondition(!normalizedShape.isEmpty && rank >= normalizedShape.count && Array(shape.suffix(normalizedShape.count)) == normalizedShape,
                     "layerNorm: input of shape \(shape) does not end with the normalized shape \(normalizedShape)")
        for (label, t) in [("weight", weight), ("bias", bias)] {
            if let t { precondition(t.shape == normalizedShape, "layerNorm: \(label) of shape \(t.shape) does not match the normalized shape \(normalizedShape)") }
        }
        let x = self
        let d = Shape.count(normalizedShape), rows = count / Swift.max(d, 1)
        let px = storage.pointer
        let pw = weight?.storage.pointer, pb = bias?.storage.pointer
        var mean = [Float](repeating: 0, count: rows), invStd = [Float](repeating: 0, count: rows)
        let out = Tensor(uninitializedShape: shape)
        let po = out.storage.pointer
        mean.withUnsafeMutableBufferPointer { mp in invStd.withUnsafeMutableBufferPointer { ip in
            let meanP = mp.baseAddress!, invP = ip.baseAddress!
            Parallel.forChunks(rows, threshold: Swift.max(1, Parallel.elementwiseThreshold / Swift.max(d, 1))) { range in
                for r in range {
                    let row = px + r * d, dst = po + r * d
                    let mu = NormalizationKernels.sum(row, d) / Double(d)
                    let variance = NormalizationKernels.squaredDeviations(row, d, mean: mu) / Double(d)
                    let m = Float(mu), inv = Float(1 / (variance + Double(epsilon)).squareRoot())
                    meanP[r] = m; invP[r] = inv
                    switch (pw, pb) {
                    case let (w?, b?): for k in 0..<d { dst[k] = (row[k] - m) * inv * w[k] + b[k] }
                    case let (w?, nil): for k in 0..<d { dst[k] = (row[k] - m) * inv * w[k] }
                    case let (nil, b?): for k in 0..<d { dst[k] = (row[k] - m) * inv + b[k] }
                    case (nil, nil): for k in 0..<d { dst[k] = (row[k] - m) * inv }
                    }
                }
            }
        } }
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        return Tensor.recording(out, op: "layerNorm", inputs: inputs) { gradient in
            let pg = gradient.storage.pointer
            let needInput = x.requiresGrad
            let needWeight = weight?.requiresGrad == true, needBias = bias?.requiresGrad == true
            let gx = needInput ? Tensor(uninitializedShape: x.shape) : nil
            let pgx = gx?.storage.pointer
            // One pass over the rows, split across workers: the input gradient row by row, and
            // each worker's partial sums of the weight and bias gradients (added up after).
            let workers = rows * d >= Parallel.elementwiseThreshold ? Swift.min(Parallel.threadCount, rows) : 1
            let partials = (needWeight || needBias) ? UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, workers * 2 * d)) : nil
            partials?.initialize(repeating: 0, count: workers * 2 * d)
            defer { partials?.deallocate() }
            let size = (rows + Swift.max(workers, 1) - 1) / Swift.max(workers, 1)
            mean.withUnsafeBufferPointer { mp in invStd.withUnsafeBufferPointer { ip in
                let meanP = mp.baseAddress!, invP = ip.baseAddress!
                Parallel.forWorkers(workers) { worker in
                    let gw = partials.map { $0 + worker * 2 * d }, gb = partials.map { $0 + worker * 2 * d + d }
                    for r in (worker * size)..<Swift.min(rows, (worker + 1) * size) {
                        let row = px + r * d, g = pg + r * d
                        let m = meanP[r], inv = invP[r]
                        if let gw, let gb {
                            for k in 0..<d {
                                gw[k] += Double(g[k] * ((row[k] - m) * inv))
                                gb[k] += Double(g[k])
                            }
                        }
                        guard let pgx else { continue }
                        let dst = pgx + r * d
                        // dx = invstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·γ.
                        var a = 0.0, b = 0.0
                        if let pw {
                            for k in 0..<d {
                                let gh = g[k] * pw[k]
                                a += Double(gh)
                                b += Double(gh) * Double((row[k] - m) * inv)
                            }
                        } else {
                            for k in 0..<d {
                                a += Double(g[k])
                                b += Double(g[k]) * Double((row[k] - m) * inv)
                            }
                        }
                        let meanG = Float(a / Double(d)), meanGX = Float(b / Double(d))
                        if let pw {
                            for k in 0..<d { dst[k] = inv * (g[k] * pw[k] - meanG - (row[k] - m) * inv * meanGX) }
                        } else {
                            for k in 0..<d { dst[k] = inv * (g[k] - meanG - (row[k] - m) * inv * meanGX) }
                        }
                    }
                }
            } }
            var grads: [Tensor?] = [gx]
            func total(_ offset: Int) -> Tensor {
                var sums = [Double](repeating: 0, count: d)
                if let partials {
                    for w in 0..<workers { for k in 0..<d { sums[k] += partials[w * 2 * d + offset + k] } }
                }
                return Tensor(shape: normalizedShape, scalars: sums.map { Float($0) })
            }
            if weight != nil { grads.append(needWeight ? total(0) : nil) }
            if bias != nil { grads.append(needBias ? total(d) : nil) }
            return grads
        }
    }
}
