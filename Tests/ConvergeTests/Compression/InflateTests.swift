import XCTest
@testable import Converge

final class InflateTests: XCTestCase {
    private typealias V = InflateTestVectors

    func testStoredBlocks() throws {
        let bytes = V.bytes(V.stored)
        XCTAssertEqual((bytes[0] >> 1) & 3, 0, "vector should start with a stored block")
        XCTAssertEqual(try Inflate.decompress(bytes), V.storedText)
    }

    func testFixedHuffmanBlockWithOverlappingCopies() throws {
        let bytes = V.bytes(V.fixed)
        XCTAssertEqual((bytes[0] >> 1) & 3, 1, "vector should start with a fixed-Huffman block")
        let output = try Inflate.decompress(bytes)
        XCTAssertEqual(output.count, V.fixedText.count)
        XCTAssertEqual(output, V.fixedText)
    }

    func testDynamicHuffmanBlocks() throws {
        let bytes = V.bytes(V.dynamic)
        XCTAssertEqual((bytes[0] >> 1) & 3, 2, "vector should start with a dynamic-Huffman block")
        XCTAssertEqual(try Inflate.decompress(bytes), V.dynamicText)
    }

    func testAllBlockTypesInOneStreamWithReferencesAcrossBlocks() throws {
        XCTAssertEqual(try Inflate.decompress(V.bytes(V.mixed)), V.mixedText)
    }

    func testReportsWhereTheStreamEnds() throws {
        let stream = V.bytes(V.fixed)
        var output: [UInt8] = Array("prefix".utf8)
        let end = try Inflate.decompress(stream + [0xAA, 0xBB], startingAt: 0, appendingTo: &output)
        XCTAssertEqual(end, stream.count)
        XCTAssertEqual(Array(output.prefix(6)), Array("prefix".utf8))
        XCTAssertEqual(Array(output.dropFirst(6)), V.fixedText)
    }

    func testCorruptStreamsThrowTheMatchingError() {
        func error(_ base64: String) -> CompressionError? {
            do {
                _ = try Inflate.decompress(V.bytes(base64))
                return nil
            } catch {
                return error as? CompressionError
            }
        }
        XCTAssertEqual(error(V.corruptBlockType3), .invalidBlockType(offset: 0))
        XCTAssertEqual(error(V.corruptStoredLengthMismatch), .storedLengthMismatch(length: 5, complement: 5, offset: 1))
        guard case .distanceTooFar(let distance, let available, _)? = error(V.corruptDistanceTooFar) else {
            return XCTFail("expected distanceTooFar, got \(String(describing: error(V.corruptDistanceTooFar)))")
        }
        XCTAssertEqual(distance, 1)
        XCTAssertEqual(available, 0)
        guard case .invalidCode(let lengthReason, _)? = error(V.corruptInvalidLengthSymbol) else {
            return XCTFail("expected invalidCode for length symbol 286")
        }
        XCTAssertTrue(lengthReason.contains("286"), lengthReason)
        guard case .invalidCode(let distanceReason, _)? = error(V.corruptInvalidDistanceSymbol) else {
            return XCTFail("expected invalidCode for distance symbol 30")
        }
        XCTAssertTrue(distanceReason.contains("30"), distanceReason)
        guard case .invalidCodeLengths(let over, _)? = error(V.corruptOversubscribedCodeLengths) else {
            return XCTFail("expected invalidCodeLengths (over-subscribed)")
        }
        XCTAssertTrue(over.contains("over-subscribed"), over)
        guard case .invalidCodeLengths(let incomplete, _)? = error(V.corruptIncompleteCodeLengthCode) else {
            return XCTFail("expected invalidCodeLengths (incomplete)")
        }
        XCTAssertTrue(incomplete.contains("incomplete"), incomplete)
        guard case .truncated? = error(V.corruptTruncatedDynamic) else {
            return XCTFail("expected truncated, got \(String(describing: error(V.corruptTruncatedDynamic)))")
        }
        guard case .truncated? = error("") else { return XCTFail("empty input should be truncated") }
    }

    func testErrorDescriptionsAreOneLineAndNameTheOffset() {
        let errors: [CompressionError] = [
            .truncated(offset: 12), .invalidBlockType(offset: 3),
            .distanceTooFar(distance: 9, available: 2, offset: 7),
            .checksumMismatch(expected: 0xDEAD_BEEF, actual: 1, offset: 40),
        ]
        for error in errors {
            XCTAssertFalse(error.description.contains("\n"))
            XCTAssertTrue(error.description.contains("byte"), error.description)
        }
        XCTAssertTrue(CompressionError.checksumMismatch(expected: 0xDEAD_BEEF, actual: 1, offset: 40).description.contains("deadbeef"))
    }
}

final class InflateRobustnessTests: XCTestCase {
    /// Flipping random bits of a valid stream must give an error or some output, never a crash
    /// (out-of-range table index, runaway copy) — the decoder must check everything it reads.
    func testRandomBitFlipsNeverCrash() {
        let original = InflateTestVectors.bytes(InflateTestVectors.mixed)
        let generator = RandomGenerator(seed: 7)
        var failures = 0
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<3 {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] ^= UInt8(1 << (generator.next() % 8))
            }
            if (try? Inflate.decompress(bytes)) == nil { failures += 1 }
        }
        XCTAssertGreaterThan(failures, 0, "some corrupted streams must be rejected")
    }
}
