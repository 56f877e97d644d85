import Foundation
import XCTest
@testable import Converge
import ConvergeTestSupport

/// Resuming finished runs, and resuming with more epochs than the run started with.
final class RecipeRunResumeTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try makeIOTestDirectory()
        let g = RandomGenerator(seed: 5)
        var lines = ["x1,x2,label"]
        for i in 0..<64 {
            let label = i % 2
            lines.append("\(Float(label) * 2 - 1 + g.nextUniform() - 0.5),\(g.nextUniform()),\(label)")
        }
        try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
    }

    func recipe(_ extra: String) throws -> Recipe {
        let url = folder.appendingPathComponent("recipe.yaml")
        try """
        seed: 2
        data: { train: train.csv, validation: 0.25 }
        model: { mlp: { hidden: [4] } }
        optimizer: { name: adam, lr: 0.01 }
        \(extra)
        output: out
        """.write(to: url, atomically: true, encoding: .utf8)
        return try Recipe.load(from: url)
    }

    var out: URL { folder.appendingPathComponent("out") }

    func snapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in ["model.safetensors", "history.csv", "summary.json", "checkpoint/state.json"] {
            files[name] = try Data(contentsOf: out.appendingPathComponent(name))
        }
        return files
    }

    func testResumingAnEarlyStoppedRunDoesNothing() throws {
        // min_delta 100: only the first epoch counts as an improvement, so patience 1 stops at epoch 2.
        let r = try recipe("training: { epochs: 10, batch_size: 16, early_stopping: { patience: 1, min_delta: 100 } }")
        let first = try RecipeRun.train(r, options: .init(quiet: true))
        XCTAssertEqual(first.stoppedEarlyAt, 2)
        XCTAssertEqual(first.bestEpoch, 1)
        XCTAssertEqual(first.epochs, 2)
        XCTAssertFalse(first.alreadyComplete)
        let before = try snapshot()
        var messages: [String] = []
        for _ in 0..<2 {
            var options = RecipeRun.Options(resume: out)
            options.report = { messages.append($0) }
            let again = try RecipeRun.train(r, options: options)
            XCTAssertTrue(again.alreadyComplete)
            XCTAssertEqual(again.epochs, 2, "no epoch is added on resume")
            XCTAssertEqual(again.stoppedEarlyAt, 2)
            XCTAssertEqual(again.bestEpoch, 1)
        }
        XCTAssertEqual(try snapshot(), before, "nothing is written")
        XCTAssertEqual(messages, Array(repeating: "already complete: stopped early at epoch 2 (best 1); nothing to do\n", count: 2))
    }

    func testResumingACompletedRunDoesNothingAndMoreEpochsKeepTheSchedule() throws {
        let r = try recipe("""
        schedule: { name: one-cycle, max_lr: 0.05 }
        training: { epochs: 3, batch_size: 16 }
        """)
        try RecipeRun.train(r, options: .init(quiet: true))
        let before = try snapshot()
        let again = try RecipeRun.train(r, options: .init(resume: out, quiet: true))
        XCTAssertTrue(again.alreadyComplete)
        XCTAssertNil(again.stoppedEarlyAt)
        XCTAssertEqual(try snapshot(), before)

        // Three batches per epoch: the one-cycle was fitted to 9 steps. Two more epochs keep the
        // rate it ended with instead of re-fitting the cycle to 15 steps (which would jump back up).
        var messages: [String] = []
        var options = RecipeRun.Options(epochs: 5, resume: out)
        options.report = { messages.append($0) }
        let longer = try RecipeRun.train(r, options: options)
        XCTAssertFalse(longer.alreadyComplete)
        XCTAssertEqual(longer.epochs, 5)
        let ended = OneCycleLR(maxLearningRate: 0.05, totalSteps: 9).learningRate(atStep: 9)
        let history = try String(contentsOf: out.appendingPathComponent("history.csv"), encoding: .utf8)
        let rows = history.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let lr = try XCTUnwrap(rows[0].firstIndex(of: "lr"))
        let rates = rows.dropFirst().map { Double($0[lr])! }
        XCTAssertEqual(rates.count, 5)
        for rate in rates.suffix(3) { XCTAssertEqual(rate, ended, accuracy: ended * 1e-9) }
        XCTAssertTrue(messages.contains { $0.hasPrefix("note: the schedule keeps the length the run started with (3 epochs)") }, "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("output shape") }, "the model summary is printed")
    }
}
