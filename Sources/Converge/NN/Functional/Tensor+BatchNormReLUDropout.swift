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
        let floats: UnsafeMutablePointer<Float>? = bits == nil ? storage.pointer : nil
        var statistics: (mean: [Double], variance: [Double]) = ([], [])
        if training {
            precondition(n > 1, "batchNormReLUDropout: expected more than 1 value per channel when training, got input of shape \(shape)")
            if let bits {
                statistics = NormalizationKernels.channelMoments(bfloat16: bits, n: n, c: c, parallelThreshold: Self.fusedNormalizationParallelThreshold)
            } else {
                statistics = NormalizationKernels.channelMoments(floats!, n: n, c: c, s: 1, parallelThreshold: Self.fusedNormalizationParallelThreshold)
            }
            let (mu, variance) = statistics
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
        Self.normalizeReLUDropout(x, out, alpha: alpha, beta: beta, n: n, c: c,
                                  mask: mask, scale: scale)
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
                ? Self.maskedGradientSums(gradient, x, mask: y, scale: scale, mean: mean, n: n, c: c)
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
                gx = Self.maskedInputGradient(gradient, x, mask: y, scale: scale, mean: mean, shift: shift,
                                              slope: slope, gain: gain, n: n, c: c, bfloat16Output: half)
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

    /// Forward pass 2: `out = relu(x·alpha + beta)·m` with `m` the factors of `mask` (`scale`
    /// when there is none), rows split across cores; each row draws its part of the mask.
    static func normalizeReLUDropout(_ x: Tensor, _ out: Tensor, alpha: [Float], beta: [Float], n: Int, c: Int,
                                     mask: DropoutMask?, scale: Float) {
        let constants = UnsafeMutablePointer<Float>.allocate(capacity: 2 * c)
        defer { constants.deallocate() }
        constants.update(from: alpha, count: c)
        (constants + c).update(from: beta, count: c)
        let a = UnsafePointer(constants), b = UnsafePointer(constants + c)
        let sourceBits = x.storage.bfloat16Bits
        let sourceFloats: UnsafeMutablePointer<Float>? = sourceBits == nil ? x.storage.pointer : nil
        let targetBits = out.storage.bfloat16Bits
        let targetFloats: UnsafeMutablePointer<Float>? = targetBits == nil ? out.storage.pointer : nil
        Parallel.forChunks(n, threshold: Swift.max(2, fusedNormalizationParallelThreshold / Swift.max(c, 1))) { rows in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * c)
            defer { scratch.deallocate() }
            let factors = scratch, values = scratch + c
            if mask == nil { factors.update(repeating: scale, count: c) }
            for row in rows {
                let offset = row * c
                mask?.fill(factors, count: c, first: offset)
                if let sourceBits {
                    let src = sourceBits + offset
                    for j in 0..<c {
                        // bfloat16 batch norm output, ReLU, then the dropout scale (rounded on store).
                        let v = Float(bitPattern: UInt32(src[j]) &<< 16) * a[j] + b[j]
                        let rounded = Float(bitPattern: UInt32(Kernels.bfloat16Bits(bitPattern: v.bitPattern)) &<< 16)
                        values[j] = Swift.max(rounded, 0) * factors[j]
                    }
                    Kernels.convertToBFloat16Serial(values, targetBits! + offset, count: c)
                } else {
                    let src = sourceFloats! + offset, dst = targetFloats! + offset
                    for j in 0..<c { dst[j] = Swift.max(src[j] * a[j] + b[j], 0) * factors[j] }
                }
            }
        }
    }

    /// Elements above which the fused op's passes without random draws run on all cores. The
    /// passes cost about a nanosecond per element and waking a second thread 5–10 µs.
    public static var fusedNormalizationParallelThreshold = 1 << 16

    /// Columns `columns` of a row of the upstream gradient or of the input as float32 (converted
    /// into `scratch` when the tensor holds bfloat16); the result is indexed by column.
    @inline(__always)
    static func floatRow(_ bits: UnsafeMutablePointer<UInt16>?, _ floats: UnsafeMutablePointer<Float>?, offset: Int,
                         columns: Range<Int>, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if let bits {
            Kernels.convertFromBFloat16Serial(bits + offset + columns.lowerBound, scratch + columns.lowerBound,
                                              count: columns.count)
            return UnsafePointer(scratch)
        }
        return UnsafePointer(floats! + offset)
    }

    /// `out[j] = g[j] · scale` where the forward output at `offset + j` is not zero, else 0, for
    /// `j` in `columns` (multiplied, not selected, so that the loop has no branch).
    @inline(__always)
    static func maskedRow(_ gradient: UnsafePointer<Float>, mask bits: UnsafeMutablePointer<UInt16>?,
                          _ floats: UnsafeMutablePointer<Float>?, offset: Int, columns: Range<Int>, scale: Float,
                          into out: UnsafeMutablePointer<Float>) {
        if let bits {
            let row = bits + offset
            for j in columns { out[j] = gradient[j] * (row[j] & 0x7FFF != 0 ? scale : 0) }
        } else {
            let row = floats! + offset
            for j in columns { out[j] = gradient[j] * (row[j] != 0 ? scale : 0) }
        }
    }

    /// Backward pass 1: per-channel Σ g' and Σ g'·(x − mean) with g' = g·scale where the
    /// forward output `mask` is not zero, else 0 — four rows at a time in float32, accumulated in
    /// double precision; channels split across cores.
    static func maskedGradientSums(_ gradient: Tensor, _ x: Tensor, mask: Tensor, scale: Float,
                                   mean: [Float], n: Int, c: Int) -> ([Double], [Double]) {
        var sums = [Double](repeating: 0, count: c), dots = [Double](repeating: 0, count: c)
        let gBits = gradient.storage.bfloat16Bits
        let gFloats: UnsafeMutablePointer<Float>? = gBits == nil ? gradient.storage.pointer : nil
        let xBits = x.storage.bfloat16Bits
        let xFloats: UnsafeMutablePointer<Float>? = xBits == nil ? x.storage.pointer : nil
        let mBits = mask.storage.bfloat16Bits
        let mFloats: UnsafeMutablePointer<Float>? = mBits == nil ? mask.storage.pointer : nil
        let mu = UnsafeMutablePointer<Float>.allocate(capacity: c)
        defer { mu.deallocate() }
        mu.update(from: mean, count: c)
        let s = UnsafeMutablePointer<Double>.allocate(capacity: 2 * c)
        defer { s.deallocate() }
        let sum = s, dot = s + c
        s.update(repeating: 0, count: 2 * c)
        let minimumChannels = Swift.max(1, fusedNormalizationParallelThreshold / Swift.max(n, 1))
        Parallel.forChunks(c, threshold: Swift.max(2, 2 * minimumChannels)) { columns in
            // g' rows in scratch[0..<4c], gradient rows [4c..<8c], input rows [8c..<12c].
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 12 * c)
            defer { scratch.deallocate() }
            @inline(__always) func prepare(_ row: Int, _ r: Int) -> (UnsafePointer<Float>, UnsafePointer<Float>) {
                let offset = row * c
                let g = floatRow(gBits, gFloats, offset: offset, columns: columns, scratch: scratch + (4 + r) * c)
                maskedRow(g, mask: mBits, mFloats, offset: offset, columns: columns, scale: scale, into: scratch + r * c)
                return (UnsafePointer(scratch + r * c),
                        floatRow(xBits, xFloats, offset: offset, columns: columns, scratch: scratch + (8 + r) * c))
            }
            var row = 0
            while row + 4 <= n {
                let (g0, x0) = prepare(row, 0), (g1, x1) = prepare(row + 1, 1)
                let (g2, x2) = prepare(row + 2, 2), (g3, x3) = prepare(row + 3, 3)
                for j in columns {
                    // Four rows in float32, then into the double accumulators: a quarter of the
                    // double-precision work, and a relative error of a few 1e-8 per group.
                    let m = mu[j]
                    let a0 = g0[j], a1 = g1[j], a2 = g2[j], a3 = g3[j]
                    sum[j] += Double((a0 + a1) + (a2 + a3))
                    dot[j] += Double((a0 * (x0[j] - m) + a1 * (x1[j] - m)) + (a2 * (x2[j] - m) + a3 * (x3[j] - m)))
                }
                row += 4
            }
            while row < n {
                let (g0, x0) = prepare(row, 0)
                for j in columns {
                    let a0 = Double(g0[j])
                    sum[j] += a0
                    dot[j] += a0 * (Double(x0[j]) - Double(mu[j]))
                }
                row += 1
            }
        }
        for j in 0..<c { sums[j] = sum[j]; dots[j] = dot[j] }
        return (sums, dots)
    }

    /// Backward pass 2: `dx = (g' − shift − (x − mean)·slope)·gain` with g' as in
    /// ``maskedGradientSums(_:_:mask:scale:mean:n:c:)``, in bfloat16 storage when `bfloat16Output`.
    static func maskedInputGradient(_ gradient: Tensor, _ x: Tensor, mask: Tensor, scale: Float,
                                    mean: [Float], shift: [Float], slope: [Float], gain: [Float],
                                    n: Int, c: Int, bfloat16Output: Bool) -> Tensor {
        let count = n * c
        let result = Tensor(shape: x.shape, storage: TensorStorage(uninitializedCount: count,
                                                                   elementType: bfloat16Output ? .bfloat16 : .float32))
        let gBits = gradient.storage.bfloat16Bits
        let gFloats: UnsafeMutablePointer<Float>? = gBits == nil ? gradient.storage.pointer : nil
        let xBits = x.storage.bfloat16Bits
        let xFloats: UnsafeMutablePointer<Float>? = xBits == nil ? x.storage.pointer : nil
        let mBits = mask.storage.bfloat16Bits
        let mFloats: UnsafeMutablePointer<Float>? = mBits == nil ? mask.storage.pointer : nil
        let outBits = result.storage.bfloat16Bits
        let outFloats: UnsafeMutablePointer<Float>? = outBits == nil ? result.storage.pointer : nil
        let constants = UnsafeMutablePointer<Float>.allocate(capacity: 4 * c)
        defer { constants.deallocate() }
        constants.update(from: mean, count: c)
        (constants + c).update(from: shift, count: c)
        (constants + 2 * c).update(from: slope, count: c)
        (constants + 3 * c).update(from: gain, count: c)
        let mu = UnsafePointer(constants), sh = UnsafePointer(constants + c)
        let sl = UnsafePointer(constants + 2 * c), ga = UnsafePointer(constants + 3 * c)
        Parallel.forChunks(n, threshold: Swift.max(2, fusedNormalizationParallelThreshold / Swift.max(c, 1))) { rows in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 4 * c)
            defer { scratch.deallocate() }
            let gr = scratch, xr = scratch + c, orow = scratch + 2 * c, masked = scratch + 3 * c
            for row in rows {
                let offset = row * c
                let pg = floatRow(gBits, gFloats, offset: offset, columns: 0..<c, scratch: gr)
                let px = floatRow(xBits, xFloats, offset: offset, columns: 0..<c, scratch: xr)
                maskedRow(pg, mask: mBits, mFloats, offset: offset, columns: 0..<c, scale: scale, into: masked)
                let po = outFloats.map { $0 + offset } ?? orow
                for j in 0..<c { po[j] = (masked[j] - sh[j] - (px[j] - mu[j]) * sl[j]) * ga[j] }
                if let outBits { Kernels.convertToBFloat16Serial(orow, outBits + offset, count: c) }
            }
        }
        if bfloat16Output { result.markPrecision(.bfloat16) }
        return result
    }
}
