import Foundation
import XCTest
@testable import converge

final class SummaryCommandTests: XCTestCase {
    func testSummaryPrintsTheModelTable() throws {
        let folder = try makeRecipeFolder()
        let result = try runConverge(["summary", folder.appendingPathComponent("recipe.yaml").path, "--set", "model.mlp.hidden=[5, 3]"])
        XCTAssertNil(result.error, result.standardError)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2 + 7 + 2, result.standardOutput)
        XCTAssertEqual(lines[2], "0 Linear     [N, 5]                15")
        XCTAssertEqual(lines[3], "1 BatchNorm  [N, 5]                10")
        XCTAssertEqual(lines.last, "total                              53 (53 trainable)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "summary writes nothing")
    }
}
