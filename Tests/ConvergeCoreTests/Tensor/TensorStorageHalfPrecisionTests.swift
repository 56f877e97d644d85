@testable import ConvergeCore
import XCTest

/// 16-bit tensor storage: bfloat16 and float16 elements that turn into float32 on first float read.
final class TensorStorageHalfPrecisionTests: XCTestCase {
    func testBFloat16StorageHoldsTwoBytesAndMaterializesOnFloatRead() {
        let values: [Float] = [1, -2.5, 3.140625, 1e-3, 0]
        let storage = TensorStorage(uninitializedCount: values.count, elementType: .bfloat16)
        Kernels.convertToBFloat16(values, storage.bfloat16Bits!, count: values.count)
        XCTAssertEqual(storage.elementType, .bfloat16)
        XCTAssertEqual(storage.byteCount, 10)
        let copy = storage.copy()
        XCTAssertEqual(copy.elementType, .bfloat16, "a copy keeps the element type")

        let tensor = Tensor(shape: [5], storage: storage)
        XCTAssertEqual(tensor.dtype, .bfloat16)
        // Reading floats converts once; the storage is float32 from then on (no stale copy).
        XCTAssertEqual(tensor.scalars, values.map { Kernels.float(bfloat16Bits: Kernels.bfloat16Bits($0)) })
        XCTAssertEqual(storage.elementType, .float32)
        XCTAssertNil(storage.bfloat16Bits)
        XCTAssertEqual(storage.byteCount, 20)
        XCTAssertEqual(tensor.dtype, .bfloat16, "the tensor still records that its values are bfloat16")
        tensor.storage.pointer[0] = 7
        XCTAssertEqual(tensor.scalars[0], 7)
        XCTAssertEqual(copy.pointer[0], 1, "the copy is independent")
    }

    func testFloat16StorageConvertsExactly() {
        let bits: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00]   // 1, −2, 65504, 2⁻²⁴, +∞
        let storage = TensorStorage(uninitializedCount: bits.count, elementType: .float16)
        storage.halfPrecisionBits!.update(from: bits, count: bits.count)
        XCTAssertNil(storage.bfloat16Bits, "float16 is not bfloat16")
        XCTAssertEqual(Array(storage.buffer), [1, -2, 65504, 0x1p-24, .infinity])
        XCTAssertEqual(Kernels.float16Bits(65520), 0x7C00, "overflow rounds to infinity")
        XCTAssertEqual(Kernels.float16Bits(1 + 0x1p-11), 0x3C00, "ties to even")
    }

    func testVectorizedConversionAgreesWithTheScalarRounding() {
        var values: [Float] = (0..<1037).map { Float($0) * 0.731 - 377 }
        values += [.nan, -.infinity, .infinity, Float(bitPattern: 0x7F80_0001), 1 + 0x1p-8, 1 + 3 * 0x1p-8,
                   .greatestFiniteMagnitude, -0.0, Float.leastNonzeroMagnitude]
        var bits = [UInt16](repeating: 0, count: values.count)
        Kernels.convertToBFloat16(values, &bits, count: values.count)
        var rounded = values
        Kernels.roundToBFloat16InPlace(&rounded, count: values.count)
        for (i, x) in values.enumerated() {
            let expected = Kernels.bfloat16Bits(x)
            if x.isNaN {
                XCTAssertTrue(Kernels.float(bfloat16Bits: bits[i]).isNaN, "NaN stays NaN")
                XCTAssertTrue(rounded[i].isNaN)
            } else {
                XCTAssertEqual(bits[i], expected, "element \(i) (\(x))")
                XCTAssertEqual(rounded[i].bitPattern, UInt32(expected) << 16)
            }
        }
    }
}
