import Foundation
import XCTest
@testable import Converge
import ConvergeCore

final class DivergenceGuardTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-diverge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var rows = ["x1,x2,label"]
        for i in 0..<64 { rows.append("\(Float(i % 2 == 0 ? -1 : 1) + Float(i) * 0.01),\(Float(i % 7)),\(i % 2)") }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("train.csv"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func recipe(lr: String) throws -> Recipe {
        let url = folder.appendingPathComponent("recipe.yaml")
        try Data("""
        seed: 1
        data: { train: train.csv, validation: 0.25, label: label }
        model: { mlp: { hidden: [8] } }
        optimizer: { name: sgd, lr: \(lr) }
        training: { epochs: 3, batch_size: 8 }
        output: out
        """.utf8).write(to: url)
        return try Recipe.load(from: url)
    }

    func testAHugeLearningRateStopsAtTheFirstNonFiniteLossWithoutPublishingAModel() throws {
        XCTAssertThrowsError(try RecipeRun.train(try recipe(lr: "1e300"), options: .init(quiet: true))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("training diverged: the loss became"), text)
            XCTAssertTrue(text.contains("at epoch 1, batch"), text)
            XCTAssertTrue(text.contains("lower optimizer.lr"), text)
        }
        let out = folder.appendingPathComponent("out")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
        XCTAssertEqual(RunFolderState.read(in: out)?.state, "diverged")
    }

    func testDivergenceMidRunKeepsTheLastGoodCheckpoint() throws {
        /// Poisons one weight after step 8 (epoch 2), as an overflow would.
        final class Poison: Callback {
            func afterStep(_ trainer: Trainer) throws {
                if trainer.globalStep == 8 { trainer.model.parameters[0].storage.pointer[0] = .infinity }
            }
        }
        var options = RecipeRun.Options(quiet: true)
        options.extraCallbacks = [Poison()]
        XCTAssertThrowsError(try RecipeRun.train(try recipe(lr: "0.1"), options: options)) { error in
            XCTAssertTrue("\(error)".contains("at epoch 2, batch 3 (step 9)"), "\(error)")
            XCTAssertTrue("\(error)".contains("the last good checkpoint is kept"), "\(error)")
        }
        let checkpoint = folder.appendingPathComponent("out/checkpoint")
        let weights = try Safetensors.read(contentsOf: checkpoint.appendingPathComponent("model.safetensors")).tensors
        XCTAssertTrue(weights.allSatisfy { $0.1.scalars.allSatisfy(\.isFinite) })
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: checkpoint.appendingPathComponent("state.json"))) as? [String: Any]
        XCTAssertEqual(state?["epoch"] as? Int, 1, "the epoch-1 checkpoint, saved before the poisoned step")
    }
}
