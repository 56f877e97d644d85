/// How a reduction combines values.
public enum ReductionKind: Sendable { case sum, max, min }

extension Kernels {
    /// Reduces a contiguous tensor viewed as `[outer, reduced, inner]` over its middle dimension,
    /// writing `[outer, inner]` values to `out`.
    ///
    /// Sums are blocked (pairwise over blocks of 256 contiguous values, or over blocks of 64 rows
    /// within chunks of 256 rows when `inner > 1`), so their rounding error grows with the logarithm of `reduced` rather than
    /// linearly, like PyTorch's cascade sum. `max`/`min` propagate NaN. An empty reduction gives 0
    /// for a sum and NaN otherwise.
    public static func reduce(_ kind: ReductionKind, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                              _ out: UnsafeMutablePointer<Float>) {
        if outer == 0 || inner == 0 { return }
        if reduced == 0 {
            out.update(repeating: kind == .sum ? 0 : .nan, count: outer * inner)
            return
        }
        if inner == 1 {
            let threshold = max(2, Parallel.elementwiseThreshold / reduced)
            Parallel.forChunks(outer, threshold: threshold) { rows in
                for o in rows {
                    let p = x + o * reduced
                    switch kind {
                    case .sum: out[o] = sumContiguous(p, reduced)
                    case .max: out[o] = maxContiguous(p, reduced)
                    case .min: out[o] = minContiguous(p, reduced)
                    }
                }
            }
            return
        }
        // Column reductions: split the work into (outer, column block) items.
        let block = 512
        let blocksPerRow = (inner + block - 1) / block
        if kind == .sum && reduced > rowChunk {
            sumColumnsInRowChunks(x, outer: outer, reduced: reduced, inner: inner, block: block, out)
            return
        }
        let items = outer * blocksPerRow
        let threshold = max(2, Parallel.elementwiseThreshold / (reduced * Swift.min(inner, block)))
        Parallel.forChunks(items, threshold: threshold) { range in
            for item in range {
                let o = item / blocksPerRow
                let j0 = (item % blocksPerRow) * block
                let n = Swift.min(block, inner - j0)
                reduceColumns(kind, x + o * reduced * inner + j0, rows: reduced, rowStride: inner,
                              columns: n, out + o * inner + j0)
            }
        }
    }

    /// The rows of a column sum's chunk: sums over more rows add up chunks of this many rows
    /// (each in blocks of 64 rows), in order, so the result depends only on the shape while the
    /// chunks run on every thread (a bias gradient sums a whole batch into one row of columns).
    static let rowChunk = 256

    /// The column sum of ``reduce(_:_:outer:reduced:inner:_:)`` for `reduced > rowChunk`: each
    /// (outer, column block, chunk of ``rowChunk`` rows) item into its own partial row, in
    /// parallel, then the partials of every column added in chunk order.
    static func sumColumnsInRowChunks(_ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int, block: Int,
                                      _ out: UnsafeMutablePointer<Float>) {
        let chunks = (reduced + rowChunk - 1) / rowChunk
        let blocksPerRow = (inner + block - 1) / block
        let items = outer * blocksPerRow * chunks
        // From the tensor buffer pool: a bias gradient takes this path in every training step.
        let (partials, capacity) = BufferPool.shared.take(outer * chunks * inner)
        defer { BufferPool.shared.give(partials, capacity: capacity) }
        let threshold = max(2, Parallel.memoryBoundThreshold / (rowChunk * Swift.min(inner, block)))
        Parallel.forChunks(items, threshold: threshold) { range in
            for item in range {
                let chunk = item % chunks, rest = item / chunks
                let o = rest / blocksPerRow, j0 = (rest % blocksPerRow) * block
                let r0 = chunk * rowChunk
                reduceColumns(.sum, x + (o * reduced + r0) * inner + j0, rows: Swift.min(rowChunk, reduced - r0),
                              rowStride: inner, columns: Swift.min(block, inner - j0),
                              partials + (o * chunks + chunk) * inner + j0)
            }
        }
        for o in 0..<outer {
            let dst = out + o * inner, first = partials + o * chunks * inner
            dst.update(from: first, count: inner)
            for chunk in 1..<chunks {
                let p = first + chunk * inner
                for j in 0..<inner { dst[j] += p[j] }
            }
        }
    }

    /// Reduces `rows` rows of `columns` values (rows `rowStride` apart) into `dst[0..<columns]`.
    @inline(__always)
    static func reduceColumns(_ kind: ReductionKind, _ src: UnsafePointer<Float>, rows: Int, rowStride: Int,
                              columns: Int, _ dst: UnsafeMutablePointer<Float>) {
        switch kind {
        case .sum:
            let rowBlock = 64
            if rows <= rowBlock {
                sumRows(src, rows: rows, rowStride: rowStride, columns: columns, dst)
                return
            }
            withUnsafeTemporaryAllocation(of: Float.self, capacity: columns) { partial in
                let t = partial.baseAddress!
                dst.update(repeating: 0, count: columns)
                var r = 0
                while r < rows {
                    let n = Swift.min(rowBlock, rows - r)
                    sumRows(src + r * rowStride, rows: n, rowStride: rowStride, columns: columns, t)
                    for j in 0..<columns { dst[j] += t[j] }
                    r += n
                }
            }
        case .max:
            dst.update(from: src, count: columns)
            for r in 1..<Swift.max(rows, 1) {
                let p = src + r * rowStride
                for j in 0..<columns {
                    let v = p[j], m = dst[j]
                    dst[j] = (v > m || v != v) ? v : m
                }
            }
        case .min:
            dst.update(from: src, count: columns)
            for r in 1..<Swift.max(rows, 1) {
                let p = src + r * rowStride
                for j in 0..<columns {
                    let v = p[j], m = dst[j]
                    dst[j] = (v < m || v != v) ? v : m
                }
            }
        }
    }

    /// `dst[j] = Σ_r src[r · rowStride + j]` (a plain running sum; vectorizes across `j`).
    @inline(__always)
    static func sumRows(_ src: UnsafePointer<Float>, rows: Int, rowStride: Int, columns: Int,
                        _ dst: UnsafeMutablePointer<Float>) {
        dst.update(from: src, count: columns)
        var r = 1
        while r < rows {
            let p = src + r * rowStride
            for j in 0..<columns { dst[j] += p[j] }
            r += 1
        }
    }

    /// Sum of `n` contiguous floats: eight accumulators over blocks of 256 values (vectorizes),
    /// combined pairwise, so the error grows with log(n).
    public static func sumContiguous(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        if n <= 256 { return sumBlock(p, n) }
        let half = ((n / 2) + 255) & ~255
        return sumContiguous(p, half) + sumContiguous(p + half, n - half)
    }

    @inline(__always)
    static func sumBlock(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
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

    /// `Σ a[i]·b[i]` over `n` contiguous pairs, with eight accumulators like ``sumContiguous(_:_:)``.
    static func dotContiguous(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= n {
            s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
            s4 += a[i + 4] * b[i + 4]; s5 += a[i + 5] * b[i + 5]; s6 += a[i + 6] * b[i + 6]; s7 += a[i + 7] * b[i + 7]
            i += 8
        }
        while i < n { s0 += a[i] * b[i]; i += 1 }
        return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
    }

    /// Maximum of `n ≥ 1` contiguous floats (NaN if any is NaN), with eight independent lanes.
    static func maxContiguous(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = p[0]
        var nan = m != m
        var i = 1
        if n >= 9 {
            var l0 = p[1], l1 = p[2], l2 = p[3], l3 = p[4], l4 = p[5], l5 = p[6], l6 = p[7], l7 = p[8]
            var bad: Float = ((l0 * 0 + l1 * 0) + (l2 * 0 + l3 * 0)) + ((l4 * 0 + l5 * 0) + (l6 * 0 + l7 * 0))
            i = 9
            while i + 8 <= n {
                let v0 = p[i], v1 = p[i + 1], v2 = p[i + 2], v3 = p[i + 3]
                let v4 = p[i + 4], v5 = p[i + 5], v6 = p[i + 6], v7 = p[i + 7]
                l0 = v0 > l0 ? v0 : l0; l1 = v1 > l1 ? v1 : l1; l2 = v2 > l2 ? v2 : l2; l3 = v3 > l3 ? v3 : l3
                l4 = v4 > l4 ? v4 : l4; l5 = v5 > l5 ? v5 : l5; l6 = v6 > l6 ? v6 : l6; l7 = v7 > l7 ? v7 : l7
                // 0·v is 0 for finite values and NaN for NaN or ±∞: one sum detects any NaN cheaply.
                bad += ((v0 * 0 + v1 * 0) + (v2 * 0 + v3 * 0)) + ((v4 * 0 + v5 * 0) + (v6 * 0 + v7 * 0))
                i += 8
            }
            l0 = l1 > l0 ? l1 : l0; l2 = l3 > l2 ? l3 : l2; l4 = l5 > l4 ? l5 : l4; l6 = l7 > l6 ? l7 : l6
            l0 = l2 > l0 ? l2 : l0; l4 = l6 > l4 ? l6 : l4
            l0 = l4 > l0 ? l4 : l0
            m = l0 > m ? l0 : m
            if bad != bad {
                // A NaN or an infinity was seen; infinities are fine, so look for a real NaN.
                for j in 1..<i where p[j] != p[j] { nan = true }
            }
        }
        while i < n {
            let v = p[i]
            m = v > m ? v : m
            nan = nan || v != v
            i += 1
        }
        return nan ? .nan : m
    }

    /// Minimum of `n ≥ 1` contiguous floats (NaN if any is NaN).
    static func minContiguous(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = p[0]
        var nan = m != m
        for i in 1..<Swift.max(n, 1) {
            let v = p[i]
            m = v < m ? v : m
            nan = nan || v != v
        }
        return nan ? .nan : m
    }
}
