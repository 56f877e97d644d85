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

    /// Per-channel mean and biased variance of a contiguous tensor viewed as [n, c, s].
    static func channelMoments(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int) -> (mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        let m = Double(n * s)
        mean.withUnsafeMutableBufferPointer { mp in
            variance.withUnsafeMutableBufferPointer { vp in
                let mean = mp.baseAddress!, variance = vp.baseAddress!
                Parallel.forChunks(c, threshold: Swift.max(1, Parallel.elementwiseThreshold / Swift.max(n * s, 1))) { channels in
                    if s == 1 {
                        for row in 0..<n {
                            let p = x + row * c
                            for j in channels { mean[j] += Double(p[j]) }
                        }
                        for j in channels { mean[j] /= m }
                        for row in 0..<n {
                            let p = x + row * c
                            for j in channels { let d = Double(p[j]) - mean[j]; variance[j] += d * d }
                        }
                        for j in channels { variance[j] /= m }
                    } else {
                        for j in channels {
                            var total = 0.0
                            for row in 0..<n { total += sum(x + (row * c + j) * s, s) }
                            let mu = total / m
                            var squares = 0.0
                            for row in 0..<n { squares += squaredDeviations(x + (row * c + j) * s, s, mean: mu) }
                            mean[j] = mu
                            variance[j] = squares / m
                        }
                    }
                }
            }
        }
        return (mean, variance)
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
                            for row in 0..<n {
                                let pg = g + row * c, px = x + row * c
                                for j in channels {
                                    let gj = Double(pg[j])
                                    sums[j] += gj
                                    dots[j] += gj * (Double(px[j]) - Double(mean[j]))
                                }
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
