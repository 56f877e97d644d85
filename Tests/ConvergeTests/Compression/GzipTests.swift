import XCTest
@testable import Converge

final class GzipTests: XCTestCase {
    private typealias V = InflateTestVectors

    func testFileWrittenByPythonGzipWithName() throws {
        let bytes = V.bytes(V.gzipNamed)
        XCTAssertTrue(Gzip.hasGzipHeader(bytes))
        XCTAssertEqual(try Gzip.decompress(bytes), V.gzipNamedText)
    }

    func testConcatenatedMembers() throws {
        let expected = V.plaintext(seed: 9, words: 100) + V.plaintext(seed: 10, words: 100)
        XCTAssertEqual(try Gzip.decompress(V.bytes(V.gzipTwoMembers)), expected)
    }

    func testHeaderWithExtraNameCommentAndHeaderCRC() throws {
        XCTAssertEqual(try Gzip.decompress(V.bytes(V.gzipAllFields)), V.plaintext(seed: 11, words: 300))
    }

    func testReadsFromFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("converge-gzip-test-\(UUID().uuidString).gz")
        try Data(V.bytes(V.gzipGood)).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(try Gzip.decompress(contentsOf: url), V.plaintext(seed: 12, words: 200))
    }

    func testCorruptFilesThrowTheMatchingError() {
        func error(_ base64: String) -> CompressionError? {
            do {
                _ = try Gzip.decompress(V.bytes(base64))
                return nil
            } catch {
                return error as? CompressionError
            }
        }
        XCTAssertNil(error(V.gzipGood))
        XCTAssertEqual(error(V.gzipBadMagic), .notGzip(offset: 0))
        XCTAssertEqual(error(V.gzipBadMethod), .unsupportedMethod(7, offset: 2))
        XCTAssertEqual(error(V.gzipReservedFlags), .reservedFlags(0x20, offset: 3))
        let good = V.bytes(V.gzipGood)
        guard case .checksumMismatch(let stored, let computed, let offset)? = error(V.gzipBadCRC) else {
            return XCTFail("expected checksumMismatch")
        }
        XCTAssertEqual(offset, good.count - 8)
        XCTAssertEqual(stored ^ computed, 0xFF, "only the low byte of the stored CRC was flipped")
        guard case .sizeMismatch(let storedSize, let actualSize, _)? = error(V.gzipBadSize) else {
            return XCTFail("expected sizeMismatch")
        }
        XCTAssertEqual(actualSize, UInt32(V.plaintext(seed: 12, words: 200).count))
        XCTAssertNotEqual(storedSize, actualSize)
        guard case .truncated? = error(V.gzipTruncated) else { return XCTFail("expected truncated") }
        XCTAssertEqual(error(V.gzipTrailingGarbage), .trailingGarbage(offset: good.count))
        guard case .headerChecksumMismatch? = error(V.gzipBadHeaderCRC) else { return XCTFail("expected headerChecksumMismatch") }
        XCTAssertEqual(error(""), .notGzip(offset: 0))
    }
}
