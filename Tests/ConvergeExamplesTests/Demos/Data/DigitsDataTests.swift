import XCTest
@testable import ConvergeExamples
import Converge

final class DigitsDataTests: XCTestCase {
    /// Images per digit 0…9 in the bundled file (counted with Python from scikit-learn's copy).
    private let classCounts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    /// Images per digit in the last 360 (the test split).
    private let testClassCounts = [35, 36, 35, 37, 37, 37, 37, 36, 33, 37]

    func testBundledFileHasAllImages() throws {
        let digits = try DigitsData.load()
        XCTAssertEqual(digits.count, 1797)
        XCTAssertEqual(digits.images.shape, [1797, 64])
        XCTAssertEqual(digits.imagesWithChannel.shape, [1797, 1, 8, 8])
        let pixels = digits.images.scalars
        XCTAssertEqual(pixels.min(), 0)
        XCTAssertEqual(pixels.max(), 1)
        XCTAssertTrue(pixels.allSatisfy { ($0 * 16).rounded() == $0 * 16 }, "values are counts 0…16 divided by 16")
        var counts = [Int](repeating: 0, count: 10)
        for label in digits.labels { counts[label] += 1 }
        XCTAssertEqual(counts, classCounts)
        let firstRow = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0].map { Float($0) / 16 }
        XCTAssertEqual(Array(pixels.prefix(16)), firstRow)
        XCTAssertEqual(digits.labels.prefix(10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(digits.labels.last, 8)
    }

    func testFixedTrainTestSplit() throws {
        let digits = try DigitsData.load()
        let (train, test) = digits.trainTestSplit()
        XCTAssertEqual(train.count, 1437)
        XCTAssertEqual(test.count, 360)
        XCTAssertEqual(train.features.shape, [1437, 64])
        var counts = [Int](repeating: 0, count: 10)
        for label in test.labels.scalars { counts[Int(label)] += 1 }
        XCTAssertEqual(counts, testClassCounts)
        XCTAssertEqual(Array(test.features.scalars.prefix(64)), Array(digits.images.scalars[(1437 * 64)..<(1438 * 64)]))
    }

    func testLoadsPlainCSVFromAPathAndTheEnvironment() throws {
        let url = temporaryFile("csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let row1 = (Array(repeating: "16", count: 64) + ["3"]).joined(separator: ",")
        let row2 = (Array(repeating: "0", count: 64) + ["7"]).joined(separator: ",")
        try (row1 + "\r\n" + row2 + "\n\n").write(to: url, atomically: true, encoding: .utf8)
        let digits = try DigitsData.load(from: url)
        XCTAssertEqual(digits.labels, [3, 7])
        XCTAssertEqual(digits.images.scalars.prefix(64).allSatisfy { $0 == 1 }, true)
        XCTAssertEqual(digits.trainCount, 1)

        setenv(DigitsData.pathEnvironmentVariable, url.path, 1)
        defer { unsetenv(DigitsData.pathEnvironmentVariable) }
        XCTAssertEqual(try DigitsData.load().count, 2)
    }

    func testMalformedFilesNameTheLine() throws {
        func message(_ text: String) -> String {
            let url = temporaryFile("csv")
            defer { try? FileManager.default.removeItem(at: url) }
            try? text.write(to: url, atomically: true, encoding: .utf8)
            do {
                _ = try DigitsData.load(from: url)
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        let good = (Array(repeating: "1", count: 64) + ["2"]).joined(separator: ",")
        XCTAssertTrue(message(good + "\n1,2,3\n").contains(":2: expected 65 values"), message(good + "\n1,2,3\n"))
        XCTAssertTrue(message(good.replacingOccurrences(of: "1,1,", with: "1,17,", options: .anchored)).contains(":1: pixel 2 is 17"))
        XCTAssertTrue(message(good.dropLast() + "12").contains("label 12"))
        XCTAssertTrue(message(good.replacingOccurrences(of: "1,1,", with: "1,x,", options: .anchored)).contains("unexpected 'x'"))
        XCTAssertTrue(message(good.replacingOccurrences(of: "1,1,", with: "1,,", options: .anchored)).contains("field 2 is empty"))
        XCTAssertTrue(message("\n").contains("no examples"))
    }

    func testMissingFileThrows() throws {
        XCTAssertThrowsError(try DigitsData.load(from: URL(fileURLWithPath: "/nonexistent/digits.csv.gz"))) { error in
            guard case DemoDataError.unreadable = error else { return XCTFail("expected unreadable, got \(error)") }
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/digits.csv.gz: cannot read"))
        }
    }

    private func temporaryFile(_ suffix: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("converge-digits-\(UUID().uuidString).\(suffix)")
    }
}
