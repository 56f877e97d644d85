import ConvergeTestSupport
import XCTest
@testable import Converge
@testable import ConvergeExamples

final class TransformerDemoTests: XCTestCase {
    func testSmallRunWritesTableClaimsPlotAndSample() throws {
        var c = TransformerDemo.Configuration()
        c.steps = 8
        c.context = 16
        c.modelDimension = 16
        c.layerCount = 1
        c.headCount = 2
        c.warmupSteps = 3
        c.evaluationInterval = 4
        c.validationWindows = 4
        c.sampleLength = 20
        let dir = try makeIOTestDirectory()
        let text = String(try TransformerDemo.tinyCorpus().prefix(4000))
        let report = try TransformerDemo.run(c, text: text, output: dir)
        XCTAssertEqual(report.runs.count, TransformerDemo.variants.count)
        for run in report.runs {
            XCTAssertEqual(run.trainLoss.count, 8)
            XCTAssertEqual(run.validationLoss.map(\.step), [4, 8])
            XCTAssertLessThan(run.finalValidationLoss, run.initialValidationLoss, run.variant.name)
        }
        let table = report.table().rendered()
        XCTAssertTrue(table.contains("post-LN + warmup") && table.contains("Perplexity"), table)
        XCTAssertEqual(report.claims().count, 6)
        XCTAssertTrue(table.contains("pre-LN, 2x depth"), table)
        XCTAssertEqual(report.sample.unicodeScalars.count, 20)
        let svg = try String(contentsOf: dir.appendingPathComponent("transformer.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("Validation loss"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any]
        let runs = summary?["runs"] as? [[String: Any]]
        XCTAssertEqual(runs?.count, 8)
        XCTAssertEqual(runs?.last?["layers"] as? Int, 2)
    }

    func testCorpusShipsWithTheExamples() throws {
        let text = try TransformerDemo.tinyCorpus()
        XCTAssertGreaterThan(text.count, 100_000)
        XCTAssertTrue(text.hasPrefix("1. "))
    }
}
