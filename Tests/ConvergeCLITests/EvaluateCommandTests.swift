import Foundation
import XCTest
@testable import converge

final class EvaluateCommandTests: XCTestCase {
    func testEvaluatePrintsTheTasksMetricsAsTextAndJSON() throws {
        let folder = try makeRecipeFolder()
        let trained = try runConverge(["train", folder.appendingPathComponent("recipe.yaml").path, "--quiet"])
        XCTAssertNil(trained.error, trained.standardError)
        let run = folder.appendingPathComponent("out").path, test = folder.appendingPathComponent("test.csv").path

        let json = try runConverge(["evaluate", "--model", run, "--data", test, "--json"])
        XCTAssertNil(json.error, json.standardError)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["rows"] as? Int, 20)
        for key in ["loss", "accuracy", "auc", "precision", "recall", "f1"] { XCTAssertNotNil(object[key] as? Double, key) }
        // The same numbers as the test metrics `train` reported for this file.
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("out/summary.json"))) as? [String: Any])
        let testMetrics = try XCTUnwrap(summary["test"] as? [String: Double])
        XCTAssertEqual(object["accuracy"] as? Double ?? -1, testMetrics["accuracy"] ?? -2, accuracy: 1e-9)

        let text = try runConverge(["evaluate", "--model", run, "--data", test])
        XCTAssertTrue(text.standardOutput.hasPrefix("20 rows of \(test)\nloss       "), text.standardOutput)

        let missing = try runConverge(["evaluate", "--model", run, "--data", folder.appendingPathComponent("nope.csv").path])
        XCTAssertTrue(missing.standardError.hasPrefix("converge evaluate: \(folder.path)/nope.csv: cannot read the file"), missing.standardError)
    }
}
