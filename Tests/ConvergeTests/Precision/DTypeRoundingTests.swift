import XCTest
@testable import Converge
import ConvergeTestSupport

final class DTypeRoundingTests: XCTestCase {
    /// Same value, including the sign of zero; NaN matches NaN.
    static func sameBits(_ actual: [Float], _ expected: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() where !(a.isNaN && e.isNaN) && a.bitPattern != e.bitPattern {
            XCTFail("element \(i): \(a) vs expected \(e)", file: file, line: line)
            return
        }
    }

    func testScalarRoundingMatchesTorchHalfAndBFloat16() throws {
        let golden = try Golden("precision", bundle: .module)
        let input = golden.floats("rounding/input")
        for dtype in [DType.float16, .bfloat16] {
            Self.sameBits(input.map(dtype.round), golden.floats("rounding/\(dtype.rawValue)"))
        }
        XCTAssertEqual(input.map(DType.float32.round).map(\.bitPattern), input.map(\.bitPattern))
    }

    func testFloat16EdgeValues() {
        XCTAssertEqual(DType.float16.round(65504), 65504)
        XCTAssertEqual(DType.float16.round(65519), 65504)
        XCTAssertEqual(DType.float16.round(65520), .infinity, "the tie at 65520 rounds to even: Inf")
        XCTAssertEqual(DType.float16.round(-1e6), -.infinity)
        XCTAssertEqual(DType.float16.round(1e-8), 0)
        XCTAssertEqual(DType.float16.round(6e-8), DType.float16.leastNonzeroMagnitude)
        XCTAssertEqual(DType.float16.round(1 + 0x1p-11), 1, "tie rounds to the even neighbour")
        XCTAssertEqual(DType.float16.round(1 + 3 * 0x1p-11), 1 + 0x1p-9)
        XCTAssertTrue(DType.float16.round(.nan).isNaN)
        XCTAssertEqual(DType.bfloat16.round(1 + 0x1p-8), 1)
        XCTAssertEqual(DType.bfloat16.round(65520), 65536, "bfloat16 keeps float32's range")
    }

    func testLimitsMatchTorchFinfo() throws {
        let golden = try Golden("precision", bundle: .module)
        for dtype in [DType.float16, .bfloat16] {
            let expected = golden.floats("finfo/\(dtype.rawValue)")
            XCTAssertEqual([dtype.greatestFiniteMagnitude, dtype.leastNormalMagnitude, dtype.ulpOfOne, dtype.leastNonzeroMagnitude],
                           expected, dtype.rawValue)
            XCTAssertEqual(dtype.round(dtype.greatestFiniteMagnitude), dtype.greatestFiniteMagnitude)
        }
    }
}
