import Foundation
import XCTest
@testable import Converge
import ConvergeTestSupport

final class EvaluationTests: XCTestCase {
    func write(_ lines: [String], _ url: URL) throws {
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// Trains a small run with a test file and returns the run folder and the test file.
    func trainedRun(task: String, label: (Int, Float) -> String) throws -> (URL, URL, RecipeRun.Summary) {
        let folder = try makeIOTestDirectory()
        let g = RandomGenerator(seed: 11)
        var lines = ["a,b,y"]
        for i in 0..<90 {
            let a = g.nextUniform() * 2 - 1
            lines.append("\(a),\(g.nextUniform()),\(label(i, a))")
        }
        try write(lines, folder.appendingPathComponent("train.csv"))
        try write(Array(lines.prefix(31)), folder.appendingPathComponent("test.csv"))
        try write(["data: { train: train.csv, validation: 0.2, test: test.csv, label: y, task: \(task) }",
                   "model: { mlp: { hidden: [8] } }", "optimizer: { name: adam, lr: 0.02 }",
                   "training: { epochs: 3, batch_size: 16 }", "output: run"], folder.appendingPathComponent("r.yaml"))
        let summary = try RecipeRun.train(try Recipe.load(from: folder.appendingPathComponent("r.yaml")), options: .init(quiet: true))
        return (folder.appendingPathComponent("run"), folder.appendingPathComponent("test.csv"), summary)
    }

    func assertSameMetrics(_ evaluation: Evaluation, _ test: [(String, Double)]?, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try XCTUnwrap(test, file: file, line: line)
        XCTAssertEqual(evaluation.metrics.map(\.0), expected.map(\.0), file: file, line: line)
        for (a, b) in zip(evaluation.metrics, expected) { XCTAssertEqual(a.1, b.1, accuracy: 1e-6, a.0, file: file, line: line) }
    }

    func testBinaryClassificationMatchesTheRunsTestMetrics() throws {
        let (run, test, summary) = try trainedRun(task: "classification") { _, a in a > 0 ? "1" : "0" }
        let evaluation = try TrainedModel(directory: run).evaluate(csv: test)
        XCTAssertEqual(evaluation.rows, 30)
        XCTAssertEqual(evaluation.metrics.map(\.0), ["loss", "accuracy", "auc", "precision", "recall", "f1"])
        try assertSameMetrics(evaluation, summary.test)
        XCTAssertTrue(evaluation.json.hasPrefix("{\"file\": \"\(test.path)\", \"rows\": 30, \"loss\": "), evaluation.json)
        XCTAssertTrue(evaluation.text.contains("\nauc        "), evaluation.text)
    }

    func testMulticlassAndRegression() throws {
        let (run, test, summary) = try trainedRun(task: "classification") { i, _ in String(i % 3) }
        let evaluation = try TrainedModel(directory: run).evaluate(csv: test)
        XCTAssertEqual(evaluation.metrics.map(\.0), ["loss", "accuracy", "f1"])
        try assertSameMetrics(evaluation, summary.test)
        let (regRun, regTest, regSummary) = try trainedRun(task: "regression") { _, a in "\(3 * a)" }
        let regression = try TrainedModel(directory: regRun).evaluate(csv: regTest)
        XCTAssertEqual(regression.metrics.map(\.0), ["loss", "mse", "mae"])
        try assertSameMetrics(regression, regSummary.test)
    }

    func testBadLabelsNameTheFileLineAndColumn() throws {
        let (run, test, _) = try trainedRun(task: "classification") { _, a in a > 0 ? "1" : "0" }
        let trained = try TrainedModel(directory: run)
        let folder = test.deletingLastPathComponent()
        let cases: [([String], String)] = [
            (["a,b", "0.1,0.2"], "bad1.csv:1: no column named \"y\""),
            (["a,b,y", "0.1,0.2,1", "0.1,0.2,yes"], "bad2.csv:3: column \"y\": "),
            (["a,b,y", "0.1,0.2,0.5"], "bad3.csv:2: column \"y\": "),
            (["a,b,y", "0.1,0.2,2"], "bad4.csv:2: column \"y\": "),
        ]
        for (i, (lines, expected)) in cases.enumerated() {
            let url = folder.appendingPathComponent("bad\(i + 1).csv")
            try write(lines, url)
            XCTAssertThrowsError(try trained.evaluate(csv: url)) { error in
                XCTAssertTrue("\(error)".hasPrefix(url.deletingLastPathComponent().path + "/" + expected), "\(error)")
            }
        }
    }
}
