/// Pure-Swift GEMM used when no system BLAS is available.
extension Kernels {
    public static func fallbackGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        // Simple i-p-j loop order; a helper replaces this with a blocked, parallel kernel.
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 { row.update(repeating: 0, count: n) } else if beta != 1 { for j in 0..<n { row[j] *= beta } }
            for p in 0..<k {
                let av = alpha * (transA ? a[p * lda + i] : a[i * lda + p])
                if transB {
                    for j in 0..<n { row[j] += av * b[j * ldb + p] }
                } else {
                    let brow = b + p * ldb
                    for j in 0..<n { row[j] += av * brow[j] }
                }
            }
        }
    }
}
