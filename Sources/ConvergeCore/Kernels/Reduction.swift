/// How a reduction combines values.
public enum ReductionKind: Sendable { case sum, max, min }

extension Kernels {
    /// Reduces a contiguous tensor viewed as `[outer, reduced, inner]` over its middle dimension,
    /// writing `[outer, inner]` values to `out`.
    public static func reduce(_ kind: ReductionKind, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                              _ out: UnsafeMutablePointer<Float>) {
        let initial: Float = kind == .sum ? 0 : (kind == .max ? -.infinity : .infinity)
        let total = outer * reduced * inner
        let threshold = max(1, Parallel.elementwiseThreshold / max(reduced * inner, 1))
        if inner == 1 {
            Parallel.forChunks(outer, threshold: threshold) { rows in
                for o in rows {
                    let p = x + o * reduced
                    switch kind {
                    case .sum: out[o] = sumContiguous(p, reduced)
                    case .max:
                        var m = initial
                        for r in 0..<reduced { let v = p[r]; if v > m || v.isNaN { m = v } }
                        out[o] = m
                    case .min:
                        var m = initial
                        for r in 0..<reduced { let v = p[r]; if v < m || v.isNaN { m = v } }
                        out[o] = m
                    }
                }
            }
            return
        }
        _ = total
        Parallel.forChunks(outer, threshold: threshold) { rows in
            for o in rows {
                let dst = out + o * inner
                dst.update(repeating: initial, count: inner)
                for r in 0..<reduced {
                    let src = x + (o * reduced + r) * inner
                    switch kind {
                    case .sum: for i in 0..<inner { dst[i] += src[i] }
                    case .max: for i in 0..<inner { let v = src[i]; if v > dst[i] || v.isNaN { dst[i] = v } }
                    case .min: for i in 0..<inner { let v = src[i]; if v < dst[i] || v.isNaN { dst[i] = v } }
                    }
                }
            }
        }
    }

    /// Sum of `n` contiguous floats with several accumulators (vectorizes, and is more accurate
    /// than one running sum).
    @inline(__always)
    public static func sumContiguous(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= n {
            s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3]
            s4 += p[i + 4]; s5 += p[i + 5]; s6 += p[i + 6]; s7 += p[i + 7]
            i += 8
        }
        while i < n { s0 += p[i]; i += 1 }
        return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
    }
}
