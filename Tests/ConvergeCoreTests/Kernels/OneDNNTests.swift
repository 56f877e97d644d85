import XCTest
@testable import ConvergeCore

final class OneDNNTests: XCTestCase {
    func testMissingLibraryIsRejected() {
        XCTAssertThrowsError(try OneDNN.load(path: "/nonexistent/libdnnl.so.2"))
        #if os(Linux)
        XCTAssertThrowsError(try OneDNN.load(path: "libm.so.6")) { error in
            XCTAssertEqual((error as? BLAS.LoadError)?.reason, "has no dnnl_sgemm")
        }
        #endif
    }

    func testISANames() {
        XCTAssertEqual(OneDNN.isaName(0xe7), "avx512_core_bf16")
        XCTAssertEqual(OneDNN.isaName(0x3e7), "avx512_core_amx")
        XCTAssertNil(OneDNN.isaName(0x12345))
    }

    func testSgemmAgreesWithFallback() throws {
        guard let library = OneDNN.shared else { throw XCTSkip("oneDNN not installed") }
        XCTAssertNil(library.selfCheck())
        XCTAssertTrue(library.summary.hasPrefix("oneDNN "), library.summary)
        let viaOneDNN: GEMMCase.GEMMFunction = {
            XCTAssertTrue(library.sgemm(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7,
                                        b: $8, ldb: $9, beta: $10, c: $11, ldc: $12))
        }
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            GEMMCase(transA: ta, transB: tb, m: 70, n: 33, k: 41, alpha: 0.5, beta: -1, padA: 1, padB: 2, padC: 3)
                .check(viaOneDNN)
        }
    }

    func testBF16ProductAccumulatesInFloat32() throws {
        guard let library = OneDNN.shared, library.hasBF16GEMM else { throw XCTSkip("oneDNN bf16 GEMM not available") }
        // Values exactly representable in bfloat16, so the product must match float32 closely.
        let m = 5, n = 7, k = 300
        let a = (0..<(m * k)).map { Float(($0 % 9) - 4) * 0.25 }
        let b = (0..<(k * n)).map { Float(($0 % 5) - 2) * 0.5 }
        func bits(_ x: [Float]) -> [UInt16] { x.map { UInt16($0.bitPattern >> 16) } }
        var c = [Float](repeating: .nan, count: m * n)
        XCTAssertTrue(library.gemmBF16(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                                       a: bits(a), lda: k, b: bits(b), ldb: n, beta: 0, c: &c, ldc: n))
        for i in 0..<m {
            for j in 0..<n {
                let expected = (0..<k).reduce(Float(0)) { $0 + a[i * k + $1] * b[$1 * n + j] }
                XCTAssertEqual(c[i * n + j], expected, accuracy: 1e-3)
            }
        }
    }
}
