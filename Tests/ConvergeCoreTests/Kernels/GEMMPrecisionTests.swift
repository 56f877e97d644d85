import XCTest
@testable import ConvergeCore

final class GEMMPrecisionTests: XCTestCase {
    /// Random values and their bfloat16 roundings.
    static func values(_ count: Int, seed: UInt32) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state >> 8) / Float(1 << 24) * 2 - 1
        }
    }

    func testBFloat16ProductEqualsFloat32ProductOfRoundedInputs() {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let m = 37, n = 21, k = 70, lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1
            let a = Self.values((ta ? k : m) * lda, seed: 1), b = Self.values((tb ? n : k) * ldb, seed: 2)
            let roundedA = a.map { Kernels.float(bfloat16Bits: Kernels.bfloat16Bits($0)) }
            let roundedB = b.map { Kernels.float(bfloat16Bits: Kernels.bfloat16Bits($0)) }
            var expected = [Float](repeating: 0.5, count: m * n), actual = expected
            Kernels.fallbackGEMM(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: roundedA, lda: lda,
                                 b: roundedB, ldb: ldb, beta: -1, c: &expected, ldc: n)
            Kernels.withGEMMPrecision(.bfloat16) {
                Kernels.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: b, ldb: ldb,
                             beta: -1, c: &actual, ldc: n)
            }
            for (x, y) in zip(actual, expected) { XCTAssertEqual(x, y, accuracy: 1e-4 * (1 + Swift.abs(y))) }
            // And it differs from the float32 product of the unrounded inputs.
            var float32 = [Float](repeating: 0.5, count: m * n)
            Kernels.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: b, ldb: ldb,
                         beta: -1, c: &float32, ldc: n)
            XCTAssertGreaterThan(zip(float32, expected).map { Swift.abs($0 - $1) }.max()!, 1e-4)
        }
    }

    func testBFloat16OperandsAreUsedAsTheyAre() {
        // The same product from float32 operands (rounded on the way in) and from bfloat16 ones.
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let m = 19, n = 33, k = 40, lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2
            let a = Self.values((ta ? k : m) * lda, seed: 5), b = Self.values((tb ? n : k) * ldb, seed: 6)
            var a16 = [UInt16](repeating: 0, count: a.count), b16 = [UInt16](repeating: 0, count: b.count)
            Kernels.convertToBFloat16(a, &a16, count: a.count)
            Kernels.convertToBFloat16(b, &b16, count: b.count)
            var fromFloats = [Float](repeating: 0.25, count: m * n), fromBits = fromFloats, mixed = fromFloats
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                a16.withUnsafeBufferPointer { qa in b16.withUnsafeBufferPointer { qb in
                    Kernels.gemmBFloat16(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 2, a: .float32(pa.baseAddress!), lda: lda,
                                         b: .float32(pb.baseAddress!), ldb: ldb, beta: 1, c: &fromFloats, ldc: n)
                    Kernels.gemmBFloat16(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 2, a: .bfloat16(qa.baseAddress!), lda: lda,
                                         b: .bfloat16(qb.baseAddress!), ldb: ldb, beta: 1, c: &fromBits, ldc: n)
                    Kernels.gemmBFloat16(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 2, a: .bfloat16(qa.baseAddress!), lda: lda,
                                         b: .float32(pb.baseAddress!), ldb: ldb, beta: 1, c: &mixed, ldc: n)
                } }
            } }
            XCTAssertEqual(fromBits, fromFloats, "transA \(ta) transB \(tb)")
            XCTAssertEqual(mixed, fromFloats)
            XCTAssertNotEqual(fromFloats, [Float](repeating: 0.25, count: m * n))
        }
    }

    func testPrecisionIsRestored() {
        XCTAssertEqual(Kernels.gemmPrecision, .float32)
        Kernels.withGEMMPrecision(.bfloat16) { XCTAssertEqual(Kernels.gemmPrecision, .bfloat16) }
        XCTAssertEqual(Kernels.gemmPrecision, .float32)
        XCTAssertEqual(Kernels.hasNativeBFloat16GEMM, Kernels.bfloat16EmulationReason == nil)
    }
}
