import XCTest
@testable import ConvergeCore

final class BLASTests: XCTestCase {
    func testSelectionFromEnvironment() {
        XCTAssertEqual(BLAS.Selection(environment: [:]), .automatic)
        XCTAssertEqual(BLAS.Selection(environment: ["CONVERGE_BLAS": ""]), .automatic)
        XCTAssertEqual(BLAS.Selection(environment: ["CONVERGE_BLAS": "auto"]), .automatic)
        XCTAssertEqual(BLAS.Selection(environment: ["CONVERGE_BLAS": "none"]), .disabled)
        XCTAssertEqual(BLAS.Selection(environment: ["CONVERGE_BLAS": "NONE"]), .disabled)
        XCTAssertEqual(BLAS.Selection(environment: ["CONVERGE_BLAS": "off"]), .disabled)
        XCTAssertEqual(BLAS.Selection(environment: ["CONVERGE_BLAS": "/opt/lib/libblis.so"]),
                       .library("/opt/lib/libblis.so"))
    }

    func testDisabledSelectionLoadsNothingAndSaysNothing() {
        let (blas, notice) = BLAS.load(selection: .disabled)
        XCTAssertNil(blas)
        XCTAssertNil(notice)
    }

    func testMissingExplicitLibraryFallsBackWithOneLineNotice() throws {
        let (blas, notice) = BLAS.load(selection: .library("/nonexistent/libnothing.so"))
        XCTAssertNil(blas)
        let text = try XCTUnwrap(notice)
        XCTAssertTrue(text.hasPrefix("converge: CONVERGE_BLAS=/nonexistent/libnothing.so: "), text)
        XCTAssertTrue(text.hasSuffix("; using the Swift GEMM fallback"), text)
        XCTAssertFalse(text.contains("\n"))
    }

    func testAutomaticNoticeNamesThePackage() {
        let notice = BLAS.fallbackNotice(selection: .automatic,
                                         failures: [BLAS.LoadError(path: "libopenblas.so.0", reason: "not found")])
        XCTAssertEqual(notice, "converge: no system BLAS found (install libopenblas0); using the Swift GEMM fallback")
        XCTAssertNil(BLAS.fallbackNotice(selection: .disabled, failures: []))
    }

    func testLibraryWithoutSgemmIsRejected() {
        #if os(Linux)
        XCTAssertThrowsError(try BLAS.load(path: "libm.so.6")) { error in
            XCTAssertEqual((error as? BLAS.LoadError)?.reason, "has no cblas_sgemm")
        }
        #endif
    }

    func testCoreTypeOverrideIsNotLeftInTheEnvironment() {
        // Loading sets OPENBLAS_CORETYPE only around dlopen, unless the user set it.
        let before = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        _ = BLAS.load(selection: .automatic)
        let after = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        XCTAssertEqual(before, after)
    }

    func testSharedLibraryAgreesWithFallback() throws {
        guard let blas = BLAS.shared else {
            throw XCTSkip("no system BLAS in this environment")
        }
        XCTAssertNil(blas.selfCheck())
        XCTAssertFalse(blas.summary.isEmpty)
        XCTAssertTrue(blas.details.contains(blas.path))
        let viaBLAS: GEMMCase.GEMMFunction = {
            blas.sgemm(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9,
                       beta: $10, c: $11, ldc: $12)
        }
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            for (m, n, k) in [(1, 1, 1), (130, 65, 33), (7, 33, 130)] {
                let testCase = GEMMCase(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, beta: -1,
                                        padA: 1, padB: 2, padC: 3)
                testCase.check(viaBLAS)
                testCase.check(fallbackGEMMFunction)
            }
        }
    }

    func testPreferredCoreTypeRule() {
        let avx512: Set = ["avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl"]
        let zen4 = CPUFeatures.Info(vendor: "AuthenticAMD", family: 25, flags: avx512)
        let zen3 = CPUFeatures.Info(vendor: "AuthenticAMD", family: 25, flags: ["avx2"])
        let zen5 = CPUFeatures.Info(vendor: "AuthenticAMD", family: 26, flags: avx512)
        let skylakeX = CPUFeatures.Info(vendor: "GenuineIntel", family: 6, flags: avx512)
        let partial = CPUFeatures.Info(vendor: "GenuineIntel", family: 6, flags: ["avx2", "avx512f"])
        XCTAssertEqual(BLAS.preferredOpenBLASCoreType(for: zen4), "Haswell")
        XCTAssertNil(BLAS.preferredOpenBLASCoreType(for: zen3))
        XCTAssertEqual(BLAS.preferredOpenBLASCoreType(for: zen5), "SkylakeX")
        XCTAssertEqual(BLAS.preferredOpenBLASCoreType(for: skylakeX), "SkylakeX")
        XCTAssertNil(BLAS.preferredOpenBLASCoreType(for: partial))
        XCTAssertNil(BLAS.preferredOpenBLASCoreType(for: CPUFeatures.Info()))
    }

    func testOpenBLASUsesThePreferredCoreType() throws {
        guard let blas = BLAS.shared, blas.isOpenBLAS else { throw XCTSkip("OpenBLAS not loaded") }
        XCTAssertNotNil(blas.coreName)
        XCTAssertTrue(blas.summary.hasPrefix("OpenBLAS "), blas.summary)
        let userSet = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { !$0.isEmpty } ?? false
        if !userSet, let preferred = BLAS.preferredOpenBLASCoreType(for: CPUFeatures.current) {
            XCTAssertEqual(blas.coreName, preferred, blas.details)
            XCTAssertTrue(blas.coreTypeSource?.contains("set by Converge") ?? false, blas.details)
        }
    }
}
