import XCTest
@testable import ConvergeCore

/// Deterministic inputs and a float64 reference for the GEMM tests.
struct GEMMCase {
    let transA: Bool, transB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float, beta: Float
    /// Extra elements at the end of each row of A, B and C (leading dimension padding).
    let padA: Int, padB: Int, padC: Int

    init(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
         padA: Int = 0, padB: Int = 0, padC: Int = 0) {
        (self.transA, self.transB, self.m, self.n, self.k) = (transA, transB, m, n, k)
        (self.alpha, self.beta, self.padA, self.padB, self.padC) = (alpha, beta, padA, padB, padC)
    }

    var lda: Int { (transA ? m : k) + padA }
    var ldb: Int { (transB ? k : n) + padB }
    var ldc: Int { n + padC }
    var label: String {
        "m=\(m) n=\(n) k=\(k) transA=\(transA) transB=\(transB) alpha=\(alpha) beta=\(beta) pads=\(padA),\(padB),\(padC)"
    }

    /// Values in [-1, 1) from a linear congruential generator.
    static func values(_ count: Int, seed: UInt32) -> [Float] {
        var state = seed &* 2_654_435_761 &+ 1
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state >> 8) / Float(1 << 24) * 2 - 1
        }
    }

    /// Inputs; when `beta == 0`, C holds NaN (it must not be read).
    func inputs(seed: UInt32 = 1) -> (a: [Float], b: [Float], c: [Float]) {
        let a = Self.values(Swift.max(1, (transA ? k : m) * lda), seed: seed)
        let b = Self.values(Swift.max(1, (transB ? n : k) * ldb), seed: seed + 1)
        let c = beta == 0 ? [Float](repeating: .nan, count: m * ldc) : Self.values(m * ldc, seed: seed + 2)
        return (a, b, c)
    }

    /// Float64 reference and, per element, the scale that bounds its rounding error.
    func reference(a: [Float], b: [Float], c: [Float]) -> (value: [Double], scale: [Double]) {
        var value = c.map(Double.init), scale = c.map { abs(Double($0)) }
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, sumAbs = 0.0
                for p in 0..<k {
                    let x = Double(transA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                    sum += x * y
                    sumAbs += abs(x * y)
                }
                let old = Double(c[i * ldc + j])
                value[i * ldc + j] = Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * old)
                scale[i * ldc + j] = abs(Double(alpha)) * sumAbs + (beta == 0 ? 0 : abs(Double(beta) * old))
            }
        }
        return (value, scale)
    }

    typealias GEMMFunction = (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int,
                              UnsafePointer<Float>, Int, Float, UnsafeMutablePointer<Float>, Int) -> Void

    /// Runs `gemm` on this case and checks every element of C against the reference, and that
    /// the padding of C is untouched.
    func check(_ gemm: GEMMFunction, seed: UInt32 = 1, file: StaticString = #filePath, line: UInt = #line) {
        let (a, b, c0) = inputs(seed: seed)
        var c = c0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(transA, transB, m, n, k, alpha, pa.baseAddress!, lda, pb.baseAddress!, ldb, beta,
                         pc.baseAddress!, ldc)
                }
            }
        }
        let (expected, scale) = reference(a: a, b: b, c: c0)
        var failures = 0
        for i in 0..<m {
            for j in 0..<ldc {
                let index = i * ldc + j
                let actual = c[index]
                let ok: Bool
                if j < n {
                    ok = abs(Double(actual) - expected[index]) <= 1e-5 * scale[index] + 1e-7
                } else {
                    ok = actual.bitPattern == c0[index].bitPattern
                }
                if !ok {
                    failures += 1
                    if failures <= 3 {
                        XCTFail("\(label): C[\(i), \(j)] = \(actual), expected \(j < n ? expected[index] : Double(c0[index]))",
                                file: file, line: line)
                    }
                }
            }
        }
    }
}

let fallbackGEMMFunction: GEMMCase.GEMMFunction = {
    Kernels.fallbackGEMM(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9,
                         beta: $10, c: $11, ldc: $12)
}

let dispatchedGEMMFunction: GEMMCase.GEMMFunction = {
    Kernels.gemm(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9,
                 beta: $10, c: $11, ldc: $12)
}
