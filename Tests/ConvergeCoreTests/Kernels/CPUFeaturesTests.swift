import XCTest
@testable import ConvergeCore

final class CPUFeaturesTests: XCTestCase {
    func testParsesFlagsLine() {
        let text = "processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu sse2 AVX2 avx512f avx512bw\nbugs\t\t: none\n"
        XCTAssertEqual(CPUFeatures.parseCPUInfoFlags(text), ["fpu", "sse2", "avx2", "avx512f", "avx512bw"])
        XCTAssertEqual(CPUFeatures.parseCPUInfoFlags("processor : 0\n"), [])
    }

    func testAVX512NeedsAllFourSubsets() {
        let all: Set = ["avx512f", "avx512bw", "avx512dq", "avx512vl"]
        XCTAssertEqual(CPUFeatures.hasAVX512, all.isSubset(of: CPUFeatures.flags))
    }

    func testReadsFlagsOnLinux() {
        #if os(Linux) && arch(x86_64)
        XCTAssertTrue(CPUFeatures.flags.contains("sse2"), "x86-64 always has SSE2")
        #endif
    }
}
