import ConvergeCore

/// Loops shared by the fused normalization ops (BatchNorm, LayerNorm, GroupNorm, InstanceNorm).
/// Statistics are accumulated in double precision, so the results are the correctly rounded
/// float32 values up to one or two units in the last place.
enum NormalizationKernels {
    /// Σ p[i] for i < n in double precision (four accumulators).
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var i = 0
        while i + 4 <= n {
            a0 += Double(p[i]); a1 += Double(p[i + 1]); a2 += Double(p[i + 2]); a3 += Double(p[i + 3])
            i += 4
        }
        while i < n { a0 += Double(p[i]); i += 1 }
        return (a0 + a1) + (a2 + a3)
    }

    /// Σ (p[i] − mean)² for i < n in double precision.
    @inline(__always)
    static func squaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, mean: Double) -> Double {
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var i = 0
        while i + 4 <= n {
            let d0 = Double(p[i]) - mean, d1 = Double(p[i + 1]) - mean
            let d2 = Double(p[i + 2]) - mean, d3 = Double(p[i + 3]) - mean
            a0 += d0 * d0; a1 += d1 * d1; a2 += d2 * d2; a3 += d3 * d3
            i += 4
        }
        while i < n { let d = Double(p[i]) - mean; a0 += d * d; i += 1 }
        return (a0 + a1) + (a2 + a3)
    }

    /// Σ g[i] and Σ g[i]·(x[i] − mean) for i < n in double precision.
    @inline(__always)
    static func gradientSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, mean: Double) -> (Double, Double) {
        var s0 = 0.0, s1 = 0.0, d0 = 0.0, d1 = 0.0
        var i = 0
        while i + 2 <= n {
            let g0 = Double(g[i]), g1 = Double(g[i + 1])
            s0 += g0; s1 += g1
            d0 += g0 * (Double(x[i]) - mean); d1 += g1 * (Double(x[i + 1]) - mean)
            i += 2
        }
        while i < n { let gi = Double(g[i]); s0 += gi; d0 += gi * (Double(x[i]) - mean); i += 1 }
        return (s0 + s1, d0 + d1)
    }

    /// Per-channel mean and biased variance of a contiguous tensor viewed as [n, c, s], in one pass
    /// over the data: sums of `x − k` and `(x − k)²` in double precision with `k` the channel's
    /// first value (the shifted-data method, exact enough in double for any float input). With
    /// `s == 1` the vector kernel ``BatchNormKernels/moments(float32:n:c:parallelThreshold:)`` does it.
    static func channelMoments(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                               parallelThreshold: Int = Parallel.elementwiseThreshold) -> (mean: [Double], variance: [Double]) {
        if s == 1 {   // the (N, C) case: the vector kernel, with the same arithmetic
            return BatchNormKernels.moments(float32: x, n: n, c: c, parallelThreshold: parallelThreshold)
        }
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        let m = Double(n * s)
        var shift = [Double](repeating: 0, count: c)
        for j in 0..<c { shift[j] = Double(x[j * s]) }
        mean.withUnsafeMutableBufferPointer { mp in variance.withUnsafeMutableBufferPointer { vp in shift.withUnsafeBufferPointer { kp in
            let sums = mp.baseAddress!, squares = vp.baseAddress!, shift = kp.baseAddress!
            Parallel.forChunks(c, threshold: Swift.max(1, parallelThreshold / Swift.max(n * s, 1))) { channels in
                if s == 1 {
                    // Rows four at a time, so the accumulators are loaded and stored once per four values.
                    var row = 0
                    while row + 4 <= n {
                        let p0 = x + row * c, p1 = p0 + c, p2 = p1 + c, p3 = p2 + c
                        for j in channels {
                            let k = shift[j]
                            let d0 = Double(p0[j]) - k, d1 = Double(p1[j]) - k, d2 = Double(p2[j]) - k, d3 = Double(p3[j]) - k
                            sums[j] += (d0 + d1) + (d2 + d3)
                            squares[j] += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3)
                        }
                        row += 4
                    }
                    while row < n {
                        let p = x + row * c
                        for j in channels { let d = Double(p[j]) - shift[j]; sums[j] += d; squares[j] += d * d }
                        row += 1
                    }
                } else {
                    for j in channels {
                        var total = 0.0, totalSquares = 0.0
                        for row in 0..<n {
                            let (a, b) = shiftedSums(x + (row * c + j) * s, s, shift: shift[j])
                            total += a; totalSquares += b
                        }
                        sums[j] = total; squares[j] = totalSquares
                    }
                }
                for j in channels {
                    let centered = sums[j] / m
                    sums[j] = shift[j] + centered
                    squares[j] = Swift.max(squares[j] / m - centered * centered, 0)
                }
            }
        } } }
        return (mean, variance)
    }

    /// Per-channel mean and biased variance of an (n, c) matrix of bfloat16 patterns, with the
    /// same arithmetic as ``channelMoments(_:n:c:s:)`` on their float32 values (so the fused
    /// bfloat16 path and the unfused one agree).
    static func channelMoments(bfloat16 x: UnsafePointer<UInt16>, n: Int, c: Int,
                               parallelThreshold: Int = Parallel.elementwiseThreshold) -> (mean: [Double], variance: [Double]) {
        BatchNormKernels.moments(bfloat16: x, n: n, c: c, parallelThreshold: parallelThreshold)
    }

    /// Σ (p[i] − shift) and Σ (p[i] − shift)² for i < n in double precision.
    @inline(__always)
    static func shiftedSums(_ p: UnsafePointer<Float>, _ n: Int, shift: Double) -> (Double, Double) {
        var a0 = 0.0, a1 = 0.0, q0 = 0.0, q1 = 0.0
        var i = 0
        while i + 2 <= n {
            let d0 = Double(p[i]) - shift, d1 = Double(p[i + 1]) - shift
            a0 += d0; a1 += d1; q0 += d0 * d0; q1 += d1 * d1
            i += 2
        }
        while i < n { let d = Double(p[i]) - shift; a0 += d; q0 += d * d; i += 1 }
        return (a0 + a1, q0 + q1)
    }

    /// Per-channel Σ g and Σ g·(x − mean[c]) of contiguous tensors viewed as [n, c, s].
    static func channelGradientSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: [Float],
                                    n: Int, c: Int, s: Int) -> (sum: [Double], dot: [Double]) {
        var sums = [Double](repeating: 0, count: c), dots = [Double](repeating: 0, count: c)
        sums.withUnsafeMutableBufferPointer { sp in
            dots.withUnsafeMutableBufferPointer { dp in
                mean.withUnsafeBufferPointer { mp in
                    let sums = sp.baseAddress!, dots = dp.baseAddress!, mean = mp.baseAddress!
                    Parallel.forChunks(c, threshold: Swift.max(1, Parallel.elementwiseThreshold / Swift.max(n * s, 1))) { channels in
                        if s == 1 {
                            var row = 0
                            while row + 4 <= n {
                                let g0 = g + row * c, g1 = g0 + c, g2 = g1 + c, g3 = g2 + c
                                let x0 = x + row * c, x1 = x0 + c, x2 = x1 + c, x3 = x2 + c
                                for j in channels {
                                    let mu = Double(mean[j])
                                    let a0 = Double(g0[j]), a1 = Double(g1[j]), a2 = Double(g2[j]), a3 = Double(g3[j])
                                    sums[j] += (a0 + a1) + (a2 + a3)
                                    dots[j] += (a0 * (Double(x0[j]) - mu) + a1 * (Double(x1[j]) - mu))
                                        + (a2 * (Double(x2[j]) - mu) + a3 * (Double(x3[j]) - mu))
                                }
                                row += 4
                            }
                            while row < n {
                                let pg = g + row * c, px = x + row * c
                                for j in channels {
                                    let gj = Double(pg[j])
                                    sums[j] += gj
                                    dots[j] += gj * (Double(px[j]) - Double(mean[j]))
                                }
                                row += 1
                            }
                        } else {
                            for j in channels {
                                var total = 0.0, dot = 0.0
                                for row in 0..<n {
                                    let offset = (row * c + j) * s
                                    let (a, b) = gradientSums(g + offset, x + offset, s, mean: Double(mean[j]))
                                    total += a; dot += b
                                }
                                sums[j] = total
                                dots[j] = dot
                            }
                        }
                    }
                }
            }
        }
        return (sums, dots)
    }

    /// `out = x·scale[c] + shift[c]` over contiguous tensors viewed as [n, c, s].
    static func channelAffine(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                              scale: [Float], shift: [Float], n: Int, c: Int, s: Int) {
        scale.withUnsafeBufferPointer { sp in
            shift.withUnsafeBufferPointer { hp in
                let scale = sp.baseAddress!, shift = hp.baseAddress!
                if s == 1 {
                    Parallel.forChunks(n, threshold: Swift.max(1, Parallel.elementwiseThreshold / Swift.max(c, 1))) { rows in
                        for row in rows {
                            let px = x + row * c, po = out + row * c
                            for j in 0..<c { po[j] = px[j] * scale[j] + shift[j] }
                        }
                    }
                } else {
                    Parallel.forChunks(n * c, threshold: Swift.max(1, Parallel.elementwiseThreshold / s)) { planes in
                        for plane in planes {
                            let j = plane % c, a = scale[j], b = shift[j]
                            let px = x + plane * s, po = out + plane * s
                            for k in 0..<s { po[k] = px[k] * a + b }
                        }
                    }
                }
            }
        }
    }
}
