import XCTest
@testable import Converge

final class HalfPrecisionTests: XCTestCase {
    func testFloat16KnownBits() {
        XCTAssertEqual(HalfPrecision.float16Bits(from: 1), 0x3C00)
        XCTAssertEqual(HalfPrecision.float16Bits(from: -2), 0xC000)
        XCTAssertEqual(HalfPrecision.float16Bits(from: 65504), 0x7BFF)
        XCTAssertEqual(HalfPrecision.float16Bits(from: 65520), 0x7C00)   // rounds up to infinity
        XCTAssertEqual(HalfPrecision.float16Bits(from: 5.9604645e-8), 0x0001)  // smallest subnormal
        XCTAssertEqual(HalfPrecision.float16Bits(from: 2.9802322e-8), 0x0000)  // halfway: ties to even (0)
        XCTAssertEqual(HalfPrecision.float16Bits(from: 1 + 1.0 / 2048), 0x3C00) // halfway between 1 and next: even
        XCTAssertEqual(HalfPrecision.float16Bits(from: 1 + 3.0 / 2048), 0x3C02)
        XCTAssertEqual(HalfPrecision.float16Bits(from: .infinity), 0x7C00)
        XCTAssertTrue(HalfPrecision.float(fromFloat16Bits: HalfPrecision.float16Bits(from: .nan)).isNaN)
    }

    func testFloat16RoundTripOfEveryHalf() {
        for bits in UInt16(0)...UInt16.max {
            let f = HalfPrecision.float(fromFloat16Bits: bits)
            if f.isNaN { continue }
            XCTAssertEqual(HalfPrecision.float16Bits(from: f), bits, "bits \(bits)")
        }
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x0001), 5.9604645e-8)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x8000).sign, .minus)
    }

    func testBFloat16() {
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1), 0x3F80)
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0xC020), -2.5)
        // 1e30 rounds to the same bfloat16 as torch.tensor(1e30, dtype=torch.bfloat16).
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: 1e30)), 1.0002555517425873e+30)
        XCTAssertTrue(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: .nan)).isNaN)
    }
}
