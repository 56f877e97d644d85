import XCTest
@testable import Converge

final class CRC32Tests: XCTestCase {
    func testMatchesZlib() {
        for (text, expected) in InflateTestVectors.crc32 {
            XCTAssertEqual(CRC32.checksum(Array(text.utf8)), expected, "crc32(\"\(text)\")")
        }
    }

    func testIncrementalUpdatesEqualOneShot() {
        let text = InflateTestVectors.plaintext(seed: 3, words: 50)
        var crc = CRC32()
        crc.update(text[..<17])
        crc.update(text[17...])
        XCTAssertEqual(crc.value, CRC32.checksum(text))
        XCTAssertNotEqual(crc.value, CRC32.checksum(text.dropLast()))
    }
}
