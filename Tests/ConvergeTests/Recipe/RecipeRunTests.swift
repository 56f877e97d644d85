import Foundation
import XCTest
@testable import Converge
import ConvergeTestSupport

final class RecipeRunTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Two classes separated along x1 (with a little noise), and a regression target.
        let g = RandomGenerator(seed: 3)
        var lines = ["x1,x2,label,target"]
        for i in 0..<240 {
            let label = i % 2
            let x1 = Float(label == 1 ? 1 : -1) + (g.nextUniform() - 0.5)
            let x2 = g.nextUniform() * 4
            lines.append("\(x1),\(x2),\(label),\(2 * x1 - x2 + 0.5)")
        }
        try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try lines.prefix(61).joined(separator: "\n").write(to: folder.appendingPathComponent("test.csv"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func writeRecipe(_ text: String) throws -> Recipe {
        let url = folder.appendingPathComponent("recipe.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try Recipe.load(from: url)
    }

    let classification = """
    seed: 1
    data: { train: train.csv, validation: 0.25, test: test.csv, label: label, task: classification }
    model: { mlp: { hidden: [16], batchnorm: true, dropout: 0.1 } }
    optimizer: { name: adamw, lr: 0.01 }
    schedule: { name: one-cycle, max_lr: 0.02 }
    training: { epochs: 6, batch_size: 16, clip_norm: 1.0 }
    output: out
    """

    func testClassificationRunWritesEveryArtifactAndReachesTarget() throws {
        let recipe = try writeRecipe(classification.replacingOccurrences(of: "hidden: [16]", with: "hidden: [16]") + "\n")
        // The label column of the CSV also holds a 'target' column: drop it by naming features? It is a feature here.
        let summary = try RecipeRun.train(recipe, options: .init(quiet: true))
        let out = folder.appendingPathComponent("out")
        for name in ["model.safetensors", "checkpoint/state.json", "history.csv", "history.jsonl", "training.svg",
                     "summary.json", "recipe.yaml", "model.json", "standardizer.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("tensorboard").path).isEmpty)
        XCTAssertGreaterThanOrEqual(summary.final.first { $0.0 == "val_accuracy" }?.1 ?? 0, 0.95)
        XCTAssertNotNil(summary.test?.first { $0.0 == "accuracy" })
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any]
        XCTAssertNotNil((json?["test"] as? [String: Any])?["accuracy"])

        // Predictions from the saved folder agree with the trained model.
        let trained = try TrainedModel(directory: out)
        let csv = trained.predictionsCSV(for: try trained.features(fromCSV: folder.appendingPathComponent("test.csv")))
        let rows = csv.split(separator: "\n")
        XCTAssertEqual(rows.first, "probability,prediction")
        XCTAssertEqual(rows.count, 61)
    }

    func testRegressionReachesTargetMSE() throws {
        let recipe = try writeRecipe("""
        data: { train: train.csv, validation: 0.25, label: target, task: regression }
        model: { mlp: { hidden: [32] } }
        optimizer: { name: adam, lr: 0.01 }
        training: { epochs: 40, batch_size: 32 }
        output: reg
        """)
        let summary = try RecipeRun.train(recipe, options: .init(quiet: true))
        let mse = try XCTUnwrap(summary.final.first { $0.0 == "val_mse" }?.1)
        XCTAssertLessThan(mse, 0.05)
    }

    func testExistingOutputIsNeverOverwritten() throws {
        let recipe = try writeRecipe(classification)
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try "keep me".write(to: out.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RecipeRun.train(recipe, options: .init(quiet: true))) { error in
            XCTAssertTrue("\(error)".contains("already holds files"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("notes.txt"), encoding: .utf8), "keep me")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["notes.txt"])
    }

    func testBadInputsAreOneLineErrorsNamingTheProblem() throws {
        let missing = try writeRecipe(classification.replacingOccurrences(of: "test: test.csv", with: "test: nope.csv"))
        XCTAssertThrowsError(try RecipeRun.train(missing, options: .init(quiet: true))) { error in
            XCTAssertTrue("\(error)".contains("data.test: file not found"), "\(error)")
        }
        let badLabel = try writeRecipe(classification.replacingOccurrences(of: "label: label", with: "label: target"))
        XCTAssertThrowsError(try RecipeRun.train(badLabel, options: .init(quiet: true))) { error in
            XCTAssertTrue("\(error)".contains("train.csv:2"), "\(error)")   // non-integral class label, with file and line
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    func testInterruptedRunResumesToIdenticalWeights() throws {
        let recipe = try writeRecipe(classification.replacingOccurrences(of: "clip_norm: 1.0", with: "clip_norm: 1.0, checkpoint_every_steps: 5"))
        let reference = folder.appendingPathComponent("reference")
        try RecipeRun.train(recipe, options: .init(output: reference, quiet: true))

        struct Crash: Error {}
        final class CrashAt: Callback {
            let step: Int
            init(_ step: Int) { self.step = step }
            func afterBatch(_ trainer: Trainer) throws { if trainer.globalStep == step { throw Crash() } }
        }
        let interrupted = folder.appendingPathComponent("interrupted")
        var options = RecipeRun.Options(output: interrupted, quiet: true)
        options.extraCallbacks = [CrashAt(23)]   // mid-epoch 3 (9 batches per epoch), after the step-20 checkpoint
        XCTAssertThrowsError(try RecipeRun.train(recipe, options: options))
        Random.seed(12345)
        try RecipeRun.train(recipe, options: .init(resume: interrupted, quiet: true))

        let a = try Safetensors.read(contentsOf: reference.appendingPathComponent("model.safetensors")).tensors
        let b = try Safetensors.read(contentsOf: interrupted.appendingPathComponent("model.safetensors")).tensors
        XCTAssertEqual(a.map { $0.0 }, b.map { $0.0 })
        for ((name, x), (_, y)) in zip(a, b) { XCTAssertEqual(x.scalars, y.scalars, name) }
        XCTAssertEqual(try String(contentsOf: reference.appendingPathComponent("history.csv"), encoding: .utf8)
                        .split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") },
                       try String(contentsOf: interrupted.appendingPathComponent("history.csv"), encoding: .utf8)
                        .split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") },
                       "history identical except the time column")
    }
}

final class RecipeNPYTests: XCTestCase {
    func testNPYFeaturesWithNPYLabels() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let g = RandomGenerator(seed: 4)
        let x = Tensor.randomNormal([200, 3], generator: g)
        let y = Tensor(x.scalars.enumerated().filter { $0.offset % 3 == 0 }.map { $0.element > 0 ? 1 : 0 })
        try NPY.write(x, to: folder.appendingPathComponent("train.npy"))
        try NPY.write(y, to: folder.appendingPathComponent("train_labels.npy"))
        try """
        data: { train: train.npy, label: "{name}_labels.npy", validation: 0.25 }
        model: { mlp: { hidden: [8] } }
        optimizer: { lr: 0.05 }
        training: { epochs: 15, batch_size: 16 }
        output: out
        """.write(to: folder.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8)
        let summary = try RecipeRun.train(try Recipe.load(from: folder.appendingPathComponent("r.yaml")), options: .init(quiet: true))
        XCTAssertGreaterThan(summary.final.first { $0.0 == "val_accuracy" }?.1 ?? 0, 0.9)
    }
}

final class RecipeBatchValidationTests: XCTestCase {
    func testBatchNormWithSingleExampleBatchesIsARecipeError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-bn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = (0..<33).map { "\(Float($0) / 10),\($0 % 2)" }
        try (["x,label"] + rows).joined(separator: "\n").write(to: folder.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        func recipe(_ training: String) throws -> Recipe {
            try Recipe.parse("data: {train: t.csv}\nmodel: {mlp: {hidden: [4], batchnorm: true}}\ntraining: \(training)\noutput: out",
                             file: folder.appendingPathComponent("r.yaml"))
        }
        for training in ["{batch_size: 1}", "{batch_size: 16}"] {   // 33 = 2·16 + 1
            XCTAssertThrowsError(try RecipeRun.train(try recipe(training), options: .init(quiet: true))) { error in
                XCTAssertEqual((error as? RecipeError)?.field, "training.batch_size", "\(error)")
            }
        }
        XCTAssertNoThrow(try RecipeRun.train(try recipe("{batch_size: 16, drop_last: true, epochs: 1}"), options: .init(quiet: true)))
    }
}
