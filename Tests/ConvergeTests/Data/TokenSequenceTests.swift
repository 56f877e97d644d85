import ConvergeTestSupport
import XCTest
@testable import Converge

final class TokenSequenceTests: XCTestCase {
    func testCharactersRoundTripAndSplitByPosition() {
        let s = TokenSequence(text: "abcabcabcd", tokenization: .characters)
        XCTAssertEqual(s.vocabularySize, 4)
        XCTAssertEqual(s.tokens, [0, 1, 2, 0, 1, 2, 0, 1, 2, 3])
        XCTAssertEqual(s.decode(s.tokens.map { Int($0) }), "abcabcabcd")
        XCTAssertEqual(s.encode("cab"), [2, 0, 1])
        XCTAssertNil(s.encode("z"))
        let (train, validation) = s.split(validationFraction: 0.2)
        XCTAssertEqual(train.tokens, Array(s.tokens.prefix(8)))
        XCTAssertEqual(validation.tokens, [2, 3])
    }

    func testBytesCoverAllByteValues() {
        let s = TokenSequence(text: "é!", tokenization: .bytes)
        XCTAssertEqual(s.tokens, [0xC3, 0xA9, 0x21])
        XCTAssertEqual(s.vocabularySize, 256)
        XCTAssertEqual(s.decode([0xC3, 0xA9]), "é")
    }

    func testIdFilesFromCSVAndNPYAndTheirErrors() throws {
        let dir = try makeIOTestDirectory()
        let csv = dir.appendingPathComponent("ids.csv")
        try "3,1,2\n0 4\n".write(to: csv, atomically: true, encoding: .utf8)
        let s = try TokenSequence(idFile: csv)
        XCTAssertEqual(s.tokens, [3, 1, 2, 0, 4])
        XCTAssertEqual(s.vocabularySize, 5)
        let bad = dir.appendingPathComponent("bad.csv")
        try "1,2\n3,x\n".write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TokenSequence(idFile: bad)) { error in
            XCTAssertEqual((error as? DataFileError)?.line, 2, "\(error)")
        }
        XCTAssertThrowsError(try TokenSequence(idFile: csv, vocabularySize: 4)) { error in
            XCTAssertTrue("\(error)".contains("4"), "\(error)")
        }
        let npy = dir.appendingPathComponent("ids.npy")
        try NPY.write(Tensor([5, 0, 2]), to: npy)
        XCTAssertEqual(try TokenSequence(idFile: npy).tokens, [5, 0, 2])
        XCTAssertThrowsError(try TokenSequence(textFile: dir.appendingPathComponent("missing.txt"), tokenization: .bytes))
    }
}
