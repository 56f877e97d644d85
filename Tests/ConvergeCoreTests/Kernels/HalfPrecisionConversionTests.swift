import XCTest
@testable import ConvergeCore

final class HalfPrecisionConversionTests: XCTestCase {
    func testBFloat16RoundsToNearestEven() {
        XCTAssertEqual(Kernels.bfloat16Bits(1), 0x3F80)
        XCTAssertEqual(Kernels.bfloat16Bits(-2), 0xC000)
        // 1 + 2⁻⁸ is halfway between 1 and 1 + 2⁻⁷: ties go to the even pattern (1).
        XCTAssertEqual(Kernels.bfloat16Bits(1 + 0x1p-8), 0x3F80)
        // 1 + 3·2⁻⁸ is halfway between 1 + 2⁻⁷ and 1 + 2⁻⁶: ties go to 1 + 2⁻⁶ (even).
        XCTAssertEqual(Kernels.bfloat16Bits(1 + 3 * 0x1p-8), 0x3F82)
        XCTAssertEqual(Kernels.bfloat16Bits(1 + 0x1p-8 + 0x1p-20), 0x3F81, "above the tie rounds up")
        XCTAssertEqual(Kernels.bfloat16Bits(.infinity), 0x7F80)
        XCTAssertEqual(Kernels.bfloat16Bits(.greatestFiniteMagnitude), 0x7F80, "overflows to infinity like PyTorch")
        XCTAssertTrue(Kernels.float(bfloat16Bits: Kernels.bfloat16Bits(.nan)).isNaN)
        XCTAssertTrue(Kernels.float(bfloat16Bits: Kernels.bfloat16Bits(Float(bitPattern: 0x7F80_0001))).isNaN,
                      "a NaN with only low payload bits stays NaN")
    }

    func testBufferConversionsRoundTrip() {
        let values: [Float] = (0..<1000).map { Float($0) * 0.37 - 150 }
        var bits = [UInt16](repeating: 0, count: values.count)
        var back = [Float](repeating: 0, count: values.count)
        Kernels.convertToBFloat16(values, &bits, count: values.count)
        Kernels.convertFromBFloat16(bits, &back, count: values.count)
        for (x, y) in zip(values, back) {
            XCTAssertEqual(y, x, accuracy: Swift.abs(x) * 0x1p-8 + 1e-30)
            XCTAssertEqual(Kernels.bfloat16Bits(y), Kernels.bfloat16Bits(x), "rounding is idempotent")
        }
        #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
        var half = [Float16](repeating: 0, count: values.count)
        Kernels.convertToFloat16(values, &half, count: values.count)
        Kernels.convertFromFloat16(half, &back, count: values.count)
        for (x, y) in zip(values, back) { XCTAssertEqual(y, Float(Float16(x))) }
        #endif
    }

    func testPackingHonoursTheLeadingDimension() {
        let matrix: [Float] = [1, 2, 99, 3, 4, 99]  // 2×2 with ld 3
        var packed = [UInt16](repeating: 0, count: 4)
        Kernels.packBFloat16(matrix, rows: 2, columns: 2, ld: 3, into: &packed)
        XCTAssertEqual(packed.map { Kernels.float(bfloat16Bits: $0) }, [1, 2, 3, 4])
    }
}
