import XCTest
@testable import ConvergeCore

final class CPUFeaturesTests: XCTestCase {
    func testParsesTheFirstProcessorBlock() {
        let text = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model\t\t: 17
            model name\t: AMD EPYC
            flags\t\t: fpu sse2 AVX2 avx512f avx512bw
            bugs\t\t: none

            processor\t: 1
            vendor_id\t: GenuineIntel
            flags\t\t: fpu
            """
        let info = CPUFeatures.parseCPUInfo(text)
        XCTAssertEqual(info.vendor, "AuthenticAMD")
        XCTAssertEqual(info.family, 25)
        XCTAssertEqual(info.model, 17)
        XCTAssertEqual(info.modelName, "AMD EPYC")
        XCTAssertEqual(info.flags, ["fpu", "sse2", "avx2", "avx512f", "avx512bw"])
        XCTAssertFalse(info.hasAVX512, "dq and vl are missing")
        XCTAssertEqual(CPUFeatures.parseCPUInfo("processor : 0\n"), CPUFeatures.Info())
    }

    func testAVX512NeedsAllFourSubsets() {
        let all: Set = ["avx512f", "avx512bw", "avx512dq", "avx512vl"]
        XCTAssertTrue(CPUFeatures.Info(flags: all).hasAVX512)
        XCTAssertFalse(CPUFeatures.Info(flags: all.subtracting(["avx512vl"])).hasAVX512)
        XCTAssertEqual(CPUFeatures.hasAVX512, all.isSubset(of: CPUFeatures.flags))
    }

    func testReadsThisMachineOnLinux() {
        #if os(Linux) && arch(x86_64)
        XCTAssertTrue(CPUFeatures.flags.contains("sse2"), "x86-64 always has SSE2")
        XCTAssertNotNil(CPUFeatures.current.vendor)
        XCTAssertNotNil(CPUFeatures.current.family)
        #endif
    }
}
