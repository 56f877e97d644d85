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
            var grads: [Tensor?] = []
            if x.requiresGrad {
                let gx = Tensor(uninitializedShape: x.shape)
                let pgx = gx.storage.pointer
                mean.withUnsafeBufferPointer { mp in invStd.withUnsafeBufferPointer { ip in
                    let meanP = mp.baseAddress!, invP = ip.baseAddress!
                    Parallel.forChunks(rows, threshold: Swift.max(1, Parallel.elementwiseThreshold / Swift.max(d, 1))) { range in
                        for r in range {
                            let row = px + r * d, g = pg + r * d, dst = pgx + r * d
                            let m = meanP[r], inv = invP[r]
                            // dx = invstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·γ.
                            var a = 0.0, b = 0.0
                            for k in 0..<d {
                                let gh = Double(g[k]) * Double(pw?[k] ?? 1)
                                a += gh
                                b += gh * Double((row[k] - m) * inv)
                            }
                            let meanG = Float(a / Double(d)), meanGX = Float(b / Double(d))
                            for k in 0..<d {
                                let gh = g[k] * (pw?[k] ?? 1)
                                dst[k] = inv * (gh - meanG - (row[k] - m) * inv * meanGX)
                            }
                        }
                    }
                } }
                grads.append(gx)
            } else { grads.append(nil) }
            let needWeight = weight?.requiresGrad == true, needBias = bias?.requiresGrad == true
            if needWeight || needBias {
                var gw = [Double](repeating: 0, count: d), gb = [Double](repeating: 0, count: d)
                for r in 0..<rows {
                    let row = px + r * d, g = pg + r * d, m = mean[r], inv = invStd[r]
                    for k in 0..<d {
                        gw[k] += Double(g[k] * ((row[k] - m) * inv))
                        gb[k] += Double(g[k])
                    }
                }
                if weight != nil { grads.append(needWeight ? Tensor(shape: normalizedShape, scalars: gw.map { Float($0) }) : nil) }
                if bias != nil { grads.append(needBias ? Tensor(shape: normalizedShape, scalars: gb.map { Float($0) }) : nil) }
            } else {
                if weight != nil { grads.append(nil) }
                if bias != nil { grads.append(nil) }
            }
            return grads
        }
    }
}
