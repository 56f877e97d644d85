import XCTest
@testable import ConvergeCore

final class BLASTests: XCTestCase {
    func testLibraryWithoutSgemmIsRejected() {
        #if os(Linux)
        XCTAssertThrowsError(try BLAS.load(path: "libm.so.6")) { error in
            XCTAssertEqual((error as? BLAS.LoadError)?.reason, "has no cblas_sgemm")
        }
        #endif
    }

    func testMissingLibraryIsRejectedWithItsPath() {
        XCTAssertThrowsError(try BLAS.load(path: "/nonexistent/libnothing.so")) { error in
            XCTAssertEqual((error as? BLAS.LoadError)?.path, "/nonexistent/libnothing.so")
        }
        XCTAssertThrowsError(try BLAS.load(path: "/nonexistent/libnothing.so", privateCopy: true)) { error in
            XCTAssertTrue((error as? BLAS.LoadError)?.reason.contains("private copy") ?? false, "\(error)")
        }
    }

    func testCoreTypeIsNotLeftInTheEnvironment() throws {
        guard let file = GEMMTuner.blasFile(environment: ProcessInfo.processInfo.environment) else {
            throw XCTSkip("no system BLAS file in this environment")
        }
        let before = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        _ = try? BLAS.load(path: file, coreType: "Prescott", privateCopy: true)
        let after = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        XCTAssertEqual(before, after)
    }

    func testPrivateCopyGetsTheRequestedCoreType() throws {
        #if arch(x86_64)
        guard let file = GEMMTuner.blasFile(environment: ProcessInfo.processInfo.environment),
              let blas = try? BLAS.load(path: file, coreType: "Prescott", privateCopy: true), blas.isOpenBLAS else {
            throw XCTSkip("OpenBLAS not available")
        }
        // Prescott (SSE3) runs on every x86-64 processor, and a private copy takes it even though
        // OpenBLAS may already be loaded in this process with another core type.
        XCTAssertEqual(blas.coreName?.lowercased(), "prescott", blas.details)
        XCTAssertEqual(blas.path, (file as NSString).resolvingSymlinksInPath)
        XCTAssertTrue(blas.coreTypeSource?.contains("OPENBLAS_CORETYPE=Prescott") ?? false, blas.details)
        XCTAssertNil(blas.selfCheck())
        #else
        throw XCTSkip("core types are an x86-64 matter")
        #endif
    }

    func testSharedLibraryAgreesWithFallback() throws {
        guard let blas = BLAS.shared else {
            throw XCTSkip("no CBLAS library in use in this environment")
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
            }
        }
    }
}
