/// The check every GEMM library passes before Converge uses it: its products must agree with the
/// Swift fallback.
enum GEMMSelfCheck {
    /// A row-major GEMM under test: `(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)`;
    /// returns `false` when the library reported an error.
    typealias Product = (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                         Float, UnsafeMutablePointer<Float>, Int) -> Bool

    /// Compares `product` with ``Kernels/fallbackGEMM(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// on m×n×k products with every transpose combination, padded leading dimensions, and `beta`
    /// 0 (C filled with NaN, which must not be read) and -0.5. Returns a description of the first
    /// disagreement, or `nil`.
    static func firstDisagreement(m: Int, n: Int, k: Int, _ product: Product) -> String? {
        var seed: UInt32 = 12345
        func next() -> Float {
            seed = seed &* 1_664_525 &+ 1_013_904_223
            return Float(seed >> 8) / Float(1 << 24) * 2 - 1
        }
        for transA in [false, true] {
            for transB in [false, true] {
                for beta: Float in [0, -0.5] {
                    let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5
                    let a = (0..<((transA ? k : m) * lda)).map { _ in next() }
                    let b = (0..<((transB ? n : k) * ldb)).map { _ in next() }
                    let c0 = (0..<(m * ldc)).map { _ in beta == 0 ? Float.nan : next() }
                    var expected = c0.map { $0.isNaN ? 0 : $0 }
                    var actual = c0
                    Kernels.fallbackGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.75,
                                         a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &expected, ldc: ldc)
                    let ok = actual.withUnsafeMutableBufferPointer { pc in
                        product(transA, transB, m, n, k, 0.75, a, lda, b, ldb, beta, pc.baseAddress!, ldc)
                    }
                    if !ok { return "transA \(transA), transB \(transB), beta \(beta): the library reported an error" }
                    for i in 0..<m {
                        for j in 0..<ldc {
                            let x = actual[i * ldc + j], y = expected[i * ldc + j]
                            // Padding columns (j ≥ n) must be untouched.
                            let good = j < n ? abs(x - y) <= 1e-4 * (1 + abs(y)) : (x == y || (x.isNaN && y == 0))
                            if !good {
                                return "transA \(transA), transB \(transB), beta \(beta): C[\(i), \(j)] = \(x), expected \(y)"
                            }
                        }
                    }
                }
            }
        }
        return nil
    }
}
