/// Matrix–vector products for the fallback GEMM when C has a single row or a single column
/// (`m == 1` or `n == 1`), where the blocked kernel would waste most of its 6×8 tiles.
///
/// Each output is a dot product along contiguous memory, or a sum of contiguous scaled rows
/// (axpy), in `SIMD8<Float>` steps.
enum FallbackGEMV {
    /// `C = alpha · op(A) · op(B) + beta · C` for `m == 1` or `n == 1` (same arguments as
    /// ``Kernels/fallbackGEMM(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``, with
    /// `k > 0` and `alpha != 0`).
    static func multiply(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(m == 1 || n == 1, "FallbackGEMV: needs m == 1 or n == 1 (got m=\(m) n=\(n))")
        // The vector operand, made contiguous: row 0 of op(A) when m == 1, column 0 of op(B) otherwise.
        let vector = UnsafeMutablePointer<Float>.allocate(capacity: k)
        defer { vector.deallocate() }
        // The outputs before scaling: n of them (C's row) when m == 1, m of them (C's column) otherwise.
        let outputs = m == 1 ? n : m
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: outputs)
        defer { sums.deallocate() }
        if m == 1 {
            // op(A)[0, p] is a[p], or a[p * lda] when transposed.
            for p in 0..<k { vector[p] = transA ? a[p * lda] : a[p] }
            if transB {
                // op(B)[p, j] = b[j * ldb + p]: a dot product per output along row j of b.
                for j in 0..<n { sums[j] = dot(vector, b + j * ldb, count: k) }
            } else {
                // op(B)[p, j] = b[p * ldb + j]: sum the rows of b scaled by vector[p].
                sums.update(repeating: 0, count: n)
                for p in 0..<k { addScaled(vector[p], b + p * ldb, to: sums, count: n) }
            }
            for j in 0..<n { c[j] = combine(sums[j], alpha: alpha, beta: beta, old: c[j]) }
        } else {
            // op(B)[p, 0] is b[p * ldb], or b[p] when transposed.
            for p in 0..<k { vector[p] = transB ? b[p] : b[p * ldb] }
            if transA {
                // op(A)[i, p] = a[p * lda + i]: sum the rows of a scaled by vector[p].
                sums.update(repeating: 0, count: m)
                for p in 0..<k { addScaled(vector[p], a + p * lda, to: sums, count: m) }
            } else {
                // op(A)[i, p] = a[i * lda + p]: a dot product per output along row i of a.
                for i in 0..<m { sums[i] = dot(a + i * lda, vector, count: k) }
            }
            for i in 0..<m { c[i * ldc] = combine(sums[i], alpha: alpha, beta: beta, old: c[i * ldc]) }
        }
    }

    /// `alpha · sum + beta · old`, not reading `old` when `beta == 0`.
    @inline(__always)
    private static func combine(_ sum: Float, alpha: Float, beta: Float, old: Float) -> Float {
        beta == 0 ? alpha * sum : alpha * sum + beta * old
    }

    /// `Σ x[p] · y[p]` over `count` contiguous elements.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        typealias V = SIMD8<Float>
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        var s0 = V(), s1 = V()
        var p = 0
        while p + 16 <= count {
            s0 += rx.loadUnaligned(fromByteOffset: p * 4, as: V.self) * ry.loadUnaligned(fromByteOffset: p * 4, as: V.self)
            s1 += rx.loadUnaligned(fromByteOffset: p * 4 + 32, as: V.self)
                * ry.loadUnaligned(fromByteOffset: p * 4 + 32, as: V.self)
            p += 16
        }
        if p + 8 <= count {
            s0 += rx.loadUnaligned(fromByteOffset: p * 4, as: V.self) * ry.loadUnaligned(fromByteOffset: p * 4, as: V.self)
            p += 8
        }
        var sum = (s0 + s1).sum()
        while p < count {
            sum += x[p] * y[p]
            p += 1
        }
        return sum
    }

    /// `y[j] += s · x[j]` over `count` contiguous elements.
    @inline(__always)
    static func addScaled(_ s: Float, _ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
        typealias V = SIMD8<Float>
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        var j = 0
        while j + 8 <= count {
            let updated = ry.loadUnaligned(fromByteOffset: j * 4, as: V.self) + s * rx.loadUnaligned(fromByteOffset: j * 4, as: V.self)
            ry.storeBytes(of: updated, toByteOffset: j * 4, as: V.self)
            j += 8
        }
        while j < count {
            y[j] += s * x[j]
            j += 1
        }
    }
}
