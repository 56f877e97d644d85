import ConvergeCore

extension Tensor {
    /// Layer normalization as `nn.functional.layer_norm`: every sample is normalized over its last
    /// `normalizedShape.count` dimensions (which must equal `normalizedShape`) with the biased
    /// variance, then scaled by `weight` and shifted by `bias` (both of `normalizedShape`, each
    /// optional). One fused op with a hand-written backward, both on the C row kernels
    /// (``Kernels/layerNormRows(_:_:weight:bias:mean:rstd:rows:d:epsilon:)``: float32 statistics,
    /// as PyTorch keeps them), row blocks split over the cores.
    public func layerNorm(normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5) -> Tensor {
        precondition(!normalizedShape.isEmpty && rank >= normalizedShape.count && Array(shape.suffix(normalizedShape.count)) == normalizedShape,
                     "layerNorm: input of shape \(shape) does not end with the normalized shape \(normalizedShape)")
        for (label, t) in [("weight", weight), ("bias", bias)] {
            if let t { precondition(t.shape == normalizedShape, "layerNorm: \(label) of shape \(t.shape) does not match the normalized shape \(normalizedShape)") }
        }
        let x = self
        let d = Shape.count(normalizedShape), rows = count / Swift.max(d, 1)
        let out = Tensor(uninitializedShape: shape)
        // Per-row mean and 1/std, kept for the backward pass.
        let statistics = Tensor(uninitializedShape: [2, rows])
        let px = storage.pointer, po = out.storage.pointer
        let pw = weight.map { UnsafePointer($0.storage.pointer) }, pb = bias.map { UnsafePointer($0.storage.pointer) }
        let meanP = statistics.storage.pointer, rstdP = statistics.storage.pointer + rows
        let rowThreshold = Swift.max(1, Parallel.memoryBoundThreshold / Swift.max(d, 1))
        if d > 0 {
            Parallel.forChunks(rows, threshold: rowThreshold) { range in
                let o = range.lowerBound
                Kernels.layerNormRows(px + o * d, po + o * d, weight: pw, bias: pb, mean: meanP + o, rstd: rstdP + o,
                                      rows: range.count, d: d, epsilon: epsilon)
            }
        }
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        return Tensor.recording(out, op: "layerNorm", inputs: inputs) { gradient in
            let pg = gradient.storage.pointer
            let needInput = x.requiresGrad
            let needWeight = weight?.requiresGrad == true, needBias = bias?.requiresGrad == true
            let gx = needInput ? Tensor(uninitializedShape: x.shape) : nil
            let pgx = gx?.storage.pointer
            let meanP = statistics.storage.pointer, rstdP = statistics.storage.pointer + rows
            // Row blocks split across workers: the input gradient row by row, and each worker's
            // partial sums of the weight and bias gradients, in float32 over blocks of
            // `block` rows and in double across blocks (added up after).
            let workers = rows >= rowThreshold ? Swift.min(Parallel.threadCount, rows) : 1
            let needSums = needWeight || needBias
            let partials = needSums ? UnsafeMutablePointer<Double>.allocate(capacity: workers * 2 * d) : nil
            partials?.initialize(repeating: 0, count: workers * 2 * d)
            defer { partials?.deallocate() }
            let size = (rows + workers - 1) / Swift.max(workers, 1), block = 32
            if d > 0 {
                Parallel.forWorkers(workers) { worker in
                    let end = Swift.min(rows, (worker + 1) * size)
                    let scratch = needSums ? UnsafeMutablePointer<Float>.allocate(capacity: 2 * d) : nil
                    defer { scratch?.deallocate() }
                    var start = worker * size
                    while start < end {
                        let stop = Swift.min(end, start + block)
                        scratch?.initialize(repeating: 0, count: 2 * d)
                        Kernels.layerNormRowsBackward(pg + start * d, input: px + start * d, mean: meanP + start,
                                                      rstd: rstdP + start, weight: pw, inputGradient: pgx.map { $0 + start * d },
                                                      weightGradient: needWeight ? scratch : nil,
                                                      biasGradient: needBias ? scratch.map { $0 + d } : nil,
                                                      rows: stop - start, d: d)
                        if let scratch, let partials {
                            let p = partials + worker * 2 * d
                            for k in 0..<(2 * d) { p[k] += Double(scratch[k]) }
                        }
                        start = stop
                    }
                }
            }
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
