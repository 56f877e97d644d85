import XCTest
@testable import ConvergeCore

/// Every C kernel's vector version must give the same bits as its portable version; these tests
/// run both (where the processor has the vector one) through the public entry points.
final class VectorISATests: XCTestCase {
    /// Runs `body` once at each level this processor supports, then restores the level.
    static func atEachLevel(_ body: (VectorISA) throws -> Void) rethrows {
        let saved = Kernels.vectorISA
        defer { Kernels.setVectorISA(saved) }
        for level in VectorISA.allCases where level <= Kernels.supportedVectorISA {
            Kernels.setVectorISA(level)
            try body(level)
        }
    }

    func testLevelNeverExceedsWhatTheProcessorSupports() {
        let saved = Kernels.vectorISA
        defer { Kernels.setVectorISA(saved) }
        XCTAssertEqual(Kernels.setVectorISA(.generic), .generic)
        XCTAssertEqual(Kernels.setVectorISA(.avx512), Kernels.supportedVectorISA)
        XCTAssertEqual(Kernels.vectorISA, Kernels.supportedVectorISA)
        if CPUFeatures.hasAVX512 && CPUFeatures.flags.contains("fma") {
            XCTAssertEqual(Kernels.supportedVectorISA, .avx512, "the processor reports AVX-512")
        }
    }

    /// Values where rounding to bfloat16 is delicate: ties both ways, the largest finite values
    /// that overflow, denormals, signed zeros, infinities and NaNs with payloads.
    static let awkwardFloats: [Float] = {
        var v: [Float] = [0, -0, 1, -1, .infinity, -.infinity, .nan, -.nan,
                          Float(bitPattern: 0x7F80_0001), Float(bitPattern: 0xFFC1_2345),
                          .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                          .leastNonzeroMagnitude, -.leastNormalMagnitude, Float(bitPattern: 0x0000_8000)]
        for base: UInt32 in [0x3F80_0000, 0x3F81_0000, 0x4049_0FDB, 0x0080_0000, 0x7F7F_0000] {
            for low: UInt32 in [0x7FFF, 0x8000, 0x8001, 0xFFFF] { v.append(Float(bitPattern: base | low)) }
        }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<1000 { v.append(Float(bitPattern: random.next())) }
        return v
    }()

    func testBFloat16ConversionsAgreeWithTheScalarRuleAtEveryLevel() throws {
        let x = Self.awkwardFloats
        let expected = x.map(Kernels.bfloat16Bits)
        try Self.atEachLevel { level in
            for count in [0, 1, 15, 16, 17, 31, x.count] {  // whole vectors and every tail shape
                var out = [UInt16](repeating: 0xAAAA, count: count + 1)
                Kernels.convertToBFloat16Serial(x, &out, count: count)
                XCTAssertEqual(Array(out.prefix(count)), Array(expected.prefix(count)), "\(level) count \(count)")
                XCTAssertEqual(out[count], 0xAAAA, "\(level) wrote past \(count) values")

                var back = [Float](repeating: 7, count: count + 1)
                Kernels.convertFromBFloat16Serial(out, &back, count: count)
                for i in 0..<count {
                    XCTAssertEqual(back[i].bitPattern, UInt32(expected[i]) << 16, "\(level) value \(i)")
                }
                XCTAssertEqual(back[count], 7, "\(level) wrote past \(count) values")

                var rounded = x
                Kernels.roundToBFloat16InPlace(&rounded, count: count)
                for i in 0..<x.count {
                    let want = i < count ? UInt32(expected[i]) << 16 : x[i].bitPattern
                    XCTAssertEqual(rounded[i].bitPattern, want, "\(level) rounded value \(i) of \(count)")
                }
            }
        }
    }
}
