/// Single-precision matrix multiply, row-major:
/// `C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C`, where `op` transposes when asked.
///
/// Dispatches to the system BLAS when one was found (see ``BLAS``), otherwise to
/// ``Kernels/fallbackGEMM(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
extension Kernels {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        if let blas = BLAS.shared {
            blas.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                       a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            fallbackGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                         a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }
}
