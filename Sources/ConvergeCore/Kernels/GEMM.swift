/// Single-precision matrix multiply, row-major:
/// `C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C`, where `op` transposes when asked.
///
/// `op(A)[i, p]` is `a[i * lda + p]`, or `a[p * lda + i]` when `transA`; likewise for B with
/// `ldb`; `C[i, j]` is `c[i * ldc + j]`. When `beta` is 0, C is only written, never read (it may
/// hold NaN or uninitialized memory).
///
/// In ``GEMMPrecision/bfloat16`` (``Kernels/gemmPrecision``), op(A) and op(B) are rounded to
/// bfloat16 and multiplied by oneDNN's bf16 GEMM with float32 accumulation (or emulated).
/// Otherwise dispatches to the library ``GEMMDispatch`` chose for the product's shape class (OpenBLAS,
/// oneDNN or ``Kernels/fallbackGEMM(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``).
extension Kernels {
    /// Computes `C = alpha · op(A) · op(B) + beta · C` (see the extension's description).
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        checkGEMMArguments(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        if m == 0 || n == 0 { return }
        if k == 0 {
            scaleMatrix(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        if gemmPrecision == .bfloat16 {
            gemmBFloat16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                         a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        gemmFloat32(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                    a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// The float32 product through the library ``GEMMDispatch`` chose (arguments already checked,
    /// sizes positive).
    @inline(__always)
    static func gemmFloat32(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, bfloat16Values: Bool = false) {
        let dispatch = GEMMDispatch.shared
        let shapeClass = GEMMDispatch.ShapeClass(m: m, n: n, k: k)
        let library = dispatch.library(for: shapeClass)
        dispatch.record(transA: transA, transB: transB, m: m, n: n, k: k, library, bfloat16Values: bfloat16Values)
        switch library {
        case .openBLAS:
            if let blas = dispatch.blas, BLAS.accepts(m, n, k, lda, ldb, ldc) {
                if blas.isSingleThreaded {
                    splitGEMM(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                              c: c, ldc: ldc) { m, n, a, b, c in
                        blas.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                   a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                    }
                } else {
                    blas.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                               a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                }
                return
            }
        case .oneDNN:
            if let oneDNN = dispatch.oneDNN {
                let done = dispatch.oneDNNOwnThreads.contains(shapeClass) && !Parallel.isInsideParallelTask
                    ? oneDNN.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                   a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                    : oneDNN.splitSGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                if done { return }
            }
        case .swift:
            break
        }
        fallbackGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                     a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Stops with a message naming the bad argument when sizes or leading dimensions are invalid.
    /// A leading dimension may be 0 when the matrix has no columns (nothing is read then).
    @inline(__always)
    static func checkGEMMArguments(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                   lda: Int, ldb: Int, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
        precondition(lda >= (transA ? m : k),
                     "gemm: lda=\(lda) is less than the \(transA ? "m=\(m)" : "k=\(k)") columns of A\(transA ? "ᵀ" : "")")
        precondition(ldb >= (transB ? k : n),
                     "gemm: ldb=\(ldb) is less than the \(transB ? "k=\(k)" : "n=\(n)") columns of B\(transB ? "ᵀ" : "")")
        precondition(ldc >= n, "gemm: ldc=\(ldc) is less than the n=\(n) columns of C")
    }

    /// `C = beta · C` over an m×n block with leading dimension `ld`; `beta == 0` writes zeros
    /// without reading C.
    static func scaleMatrix(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ld: Int, by beta: Float) {
        if beta == 1 { return }
        for i in 0..<rows {
            let row = c + i * ld
            if beta == 0 {
                row.update(repeating: 0, count: columns)
            } else {
                for j in 0..<columns { row[j] *= beta }
            }
        }
    }
}
