import XCTest
@testable import Converge

final class CRC32CTests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
        // RFC 3720 (iSCSI) test vectors.
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
    }

    func testSlicedPathMatchesBytewiseForAllLengthsAndContinuation() {
        let bytes = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        func bytewise(_ b: ArraySlice<UInt8>) -> UInt32 {
            var c: UInt32 = ~0
            for x in b { c = CRC32C.tables[0][Int((c ^ UInt32(x)) & 0xFF)] ^ (c >> 8) }
            return ~c
        }
        for n in 0...bytes.count { XCTAssertEqual(CRC32C.checksum(bytes[..<n]), bytewise(bytes[..<n]), "length \(n)") }
        let whole = CRC32C.checksum(bytes)
        let first = CRC32C.checksum(bytes[..<37])
        let continued = Array(bytes[37...]).withUnsafeBytes { CRC32C.checksum($0, continuing: first) }
        XCTAssertEqual(continued, whole)
    }

    func testMask() {
        // ((crc >> 15) | (crc << 17)) + 0xa282ead8, wrapping.
        XCTAssertEqual(CRC32C.masked(0), 0xA282_EAD8)
        XCTAssertEqual(CRC32C.masked(0xE306_9283), ((0xE306_9283 >> 15) | (0xE306_9283 << 17 & 0xFFFF_FFFF)) &+ 0xA282_EAD8)
        XCTAssertEqual(CRC32C.masked(0xFFFF_FFFF), 0xFFFF_FFFF &+ 0xA282_EAD8)
    }
}
