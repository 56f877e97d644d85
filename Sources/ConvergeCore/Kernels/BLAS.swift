/// The system BLAS, loaded at run time (placeholder: a helper implements loading).
public final class BLAS {
    /// The loaded library, or `nil` when none was found.
    public static let shared: BLAS? = nil

    func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
               a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        fatalError("unreachable")
    }
}
