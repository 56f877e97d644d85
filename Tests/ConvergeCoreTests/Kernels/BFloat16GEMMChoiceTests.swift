import XCTest
@testable import ConvergeCore

final class BFloat16GEMMChoiceTests: XCTestCase {
    func testTheCacheSitsBesideTheGEMMLibraryChoice() {
        XCTAssertEqual(BFloat16GEMMChoice.cacheFile(environment: ["HOME": "/home/u"]), "/home/u/.cache/converge/gemm-bf16.json")
        XCTAssertEqual(BFloat16GEMMChoice.cacheFile(environment: ["CONVERGE_GEMM_CACHE": "/tmp/g.json"]), "/tmp/g-bf16.json")
        XCTAssertEqual(BFloat16GEMMChoice.cacheFile(environment: ["CONVERGE_GEMM_CACHE": "/tmp/g"]), "/tmp/g.bf16")
        XCTAssertNil(BFloat16GEMMChoice.cacheFile(environment: ["CONVERGE_GEMM_CACHE": "none"]))
    }

    func testTheEnvironmentForcesOneWayAndAMeasurementIsSavedThenRead() throws {
        guard Kernels.hasNativeBFloat16GEMM else {
            let decision = BFloat16GEMMChoice.resolve(environment: [:])
            XCTAssertEqual(decision.nativeClasses, [], "without bfloat16 instructions every product is float32")
            throw XCTSkip("no native bfloat16 GEMM here: \(Kernels.bfloat16EmulationReason ?? "")")
        }
        XCTAssertEqual(BFloat16GEMMChoice.resolve(environment: ["CONVERGE_BF16_GEMM": "native"]).nativeClasses,
                       Set(GEMMDispatch.ShapeClass.allCases))
        XCTAssertEqual(BFloat16GEMMChoice.resolve(environment: ["CONVERGE_BF16_GEMM": "float32"]).nativeClasses, [])

        let directory = NSTemporaryDirectory() + "converge-bf16-choice-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let environment = ["CONVERGE_GEMM_CACHE": directory + "/gemm.json"]
        let first = BFloat16GEMMChoice.resolve(environment: environment)
        XCTAssertTrue(first.origin.contains("saved to \(directory)/gemm-bf16.json"), first.origin)
        XCTAssertEqual(first.measurements.map(\.shapeClass), GEMMDispatch.ShapeClass.allCases)
        for m in first.measurements {
            XCTAssertGreaterThan(m.nativeGFLOPs, 0)
            XCTAssertGreaterThan(m.float32GFLOPs, 0)
            XCTAssertEqual(first.nativeClasses.contains(m.shapeClass), m.nativeGFLOPs >= m.float32GFLOPs, "\(m)")
        }
        let second = BFloat16GEMMChoice.resolve(environment: environment)
        XCTAssertTrue(second.origin.hasPrefix("read from"), second.origin)
        XCTAssertEqual(second.measurements, first.measurements)
        XCTAssertEqual(second.nativeClasses, first.nativeClasses)
    }

    /// Both ways give the same products up to the order of the float32 sums.
    func testNativeAndFloat32ProductsAgree() throws {
        guard let library = OneDNN.shared, Kernels.hasNativeBFloat16GEMM else { throw XCTSkip("no native bfloat16 GEMM here") }
        let m = 37, n = 29, k = 71
        let g = RandomGenerator(seed: 5)
        let a = (0..<(m * k)).map { _ in Kernels.bfloat16Bits(g.nextUniform() * 2 - 1) }
        let b = (0..<(k * n)).map { _ in Kernels.bfloat16Bits(g.nextUniform() * 2 - 1) }
        var native = [Float](repeating: 0, count: m * n)
        XCTAssertTrue(library.gemmBF16(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                                       beta: 0, c: &native, ldc: n))
        var wide = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                Kernels.gemmBFloat16(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                                     a: .bfloat16(pa.baseAddress!), lda: k, b: .bfloat16(pb.baseAddress!), ldb: n,
                                     beta: 0, c: &wide, ldc: n)
            }
        }
        var exact = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k {
            exact[i * n + j] += Double(Kernels.float(bfloat16Bits: a[i * k + p])) * Double(Kernels.float(bfloat16Bits: b[p * n + j]))
        } } }
        for i in 0..<(m * n) {
            XCTAssertEqual(Double(native[i]), exact[i], accuracy: 1e-5, "native product \(i)")
            XCTAssertEqual(Double(wide[i]), exact[i], accuracy: 1e-5, "dispatched product \(i)")
        }
    }
}
