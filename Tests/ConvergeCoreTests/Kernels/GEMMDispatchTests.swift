import XCTest
@testable import ConvergeCore

final class GEMMDispatchTests: XCTestCase {
    func testSelectionFromEnvironment() {
        typealias S = GEMMDispatch.Selection
        XCTAssertEqual(S(environment: [:]), .automatic)
        XCTAssertEqual(S(environment: ["CONVERGE_BLAS": ""]), .automatic)
        XCTAssertEqual(S(environment: ["CONVERGE_BLAS": "auto"]), .automatic)
        XCTAssertEqual(S(environment: ["CONVERGE_BLAS": "none"]), .disabled)
        XCTAssertEqual(S(environment: ["CONVERGE_BLAS": "NONE"]), .disabled)
        XCTAssertEqual(S(environment: ["CONVERGE_BLAS": "off"]), .disabled)
        XCTAssertEqual(S(environment: ["CONVERGE_BLAS": "openblas"]), .openBLAS)
        XCTAssertEqual(S(environment: ["CONVERGE_BLAS": "oneDNN"]), .oneDNN)
        XCTAssertEqual(S(environment: ["CONVERGE_BLAS": "dnnl"]), .oneDNN)
        XCTAssertEqual(S(environment: ["CONVERGE_BLAS": "/opt/lib/libblis.so"]), .library("/opt/lib/libblis.so"))
    }

    func testShapeClasses() {
        typealias C = GEMMDispatch.ShapeClass
        XCTAssertEqual(C(m: 63, n: 64, k: 64), .tiny)
        XCTAssertEqual(C(m: 64, n: 64, k: 64), .small)
        XCTAssertEqual(C(m: 256, n: 256, k: 255), .small)
        XCTAssertEqual(C(m: 256, n: 256, k: 256), .medium)
        XCTAssertEqual(C(m: 1024, n: 1024, k: 1024), .large)
        XCTAssertEqual(C(m: 1 << 40, n: 1 << 40, k: 1 << 40), .large, "no overflow")
        for shapeClass in C.allCases {
            for shape in GEMMTuner.shapes(shapeClass) {
                XCTAssertEqual(C(m: shape.m, n: shape.n, k: shape.k), shapeClass, "the timed shapes fall in their class")
            }
        }
    }

    func testDisabledSelectionUsesSwiftAndSaysNothing() {
        let (dispatch, notice) = GEMMDispatch.make(selection: .disabled, environment: ["CONVERGE_BLAS": "none"])
        XCTAssertNil(notice)
        XCTAssertNil(dispatch.blas)
        for shapeClass in GEMMDispatch.ShapeClass.allCases {
            XCTAssertEqual(dispatch.library(for: shapeClass), .swift)
        }
        XCTAssertTrue(dispatch.summary.contains("Swift fallback"), dispatch.summary)
    }

    func testMissingExplicitLibraryFallsBackWithOneLineNotice() throws {
        let path = "/nonexistent/libnothing.so"
        let (dispatch, notice) = GEMMDispatch.make(selection: .library(path), environment: ["CONVERGE_BLAS": path])
        XCTAssertEqual(dispatch.library(m: 512, n: 512, k: 512), .swift)
        let text = try XCTUnwrap(notice)
        XCTAssertTrue(text.hasPrefix("converge: CONVERGE_BLAS=\(path): "), text)
        XCTAssertTrue(text.hasSuffix("; using the Swift GEMM fallback"), text)
        XCTAssertEqual(text.components(separatedBy: path).count, 2, "path named once: \(text)")
        XCTAssertFalse(text.contains("\n"))
    }

    func testMissingLibraryClassFallsBackToSwift() {
        let dispatch = GEMMDispatch(blas: nil, oneDNN: nil, choices: [.large: .oneDNN, .small: .openBLAS], origin: "test")
        XCTAssertEqual(dispatch.library(for: .large), .swift)
        XCTAssertEqual(dispatch.library(for: .small), .swift)
    }

    func testForcedOneDNNUsesItForEveryClass() throws {
        guard OneDNN.shared != nil else { throw XCTSkip("oneDNN not installed") }
        let (dispatch, notice) = GEMMDispatch.make(selection: .oneDNN, environment: ["CONVERGE_BLAS": "onednn"])
        XCTAssertNil(notice)
        for shapeClass in GEMMDispatch.ShapeClass.allCases {
            XCTAssertEqual(dispatch.library(for: shapeClass), .oneDNN)
        }
        XCTAssertTrue(dispatch.describe(.oneDNN).hasPrefix("oneDNN "))
    }

    func testRecordingCountsShapesByLibrary() {
        let dispatch = GEMMDispatch.shared
        let a = [Float](repeating: 1, count: 6), b = [Float](repeating: 1, count: 6)
        var c = [Float](repeating: 0, count: 4)
        dispatch.startRecording()
        for _ in 0..<3 {
            Kernels.gemm(transA: false, transB: true, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 3,
                         beta: 0, c: &c, ldc: 2)
        }
        let lines = dispatch.stopRecording()
        XCTAssertEqual(c, [3, 3, 3, 3])
        XCTAssertEqual(lines, ["2×2×3 NT: \(dispatch.describe(dispatch.library(m: 2, n: 2, k: 3), m: 2, n: 2, k: 3)) ×3"])
        XCTAssertTrue(dispatch.stopRecording().isEmpty)
        // A product this small is never split across the pool, whatever the library.
        XCTAssertFalse(lines[0].contains("split across"), lines[0])
    }

    func testRecordingNamesTheBFloat16WayOfEachProduct() {
        let dispatch = GEMMDispatch.shared
        let a = [Float](repeating: 1, count: 128 * 128), b = [Float](repeating: 1, count: 128 * 128)
        var c = [Float](repeating: 0, count: 128 * 128)
        dispatch.startRecording()
        Kernels.withGEMMPrecision(.bfloat16) {
            Kernels.gemm(transA: false, transB: false, m: 128, n: 128, k: 128, alpha: 1, a: a, lda: 128, b: b, ldb: 128,
                         beta: 0, c: &c, ldc: 128)
        }
        let lines = dispatch.stopRecording()
        XCTAssertEqual(c[0], 128)
        XCTAssertEqual(lines.count, 1)
        // On the bfloat16 instructions (`bf16: oneDNN … gemm_bf16bf16f32`) or as a float32 product
        // of the rounded values (`bf16 values: <library>`).
        XCTAssertTrue(lines[0].hasPrefix("128×128×128 NN bf16: ") || lines[0].hasPrefix("128×128×128 NN bf16 values: "), lines[0])
        if lines[0].hasPrefix("128×128×128 NN bf16: ") { XCTAssertTrue(lines[0].contains("gemm_bf16bf16f32"), lines[0]) }
    }
}
