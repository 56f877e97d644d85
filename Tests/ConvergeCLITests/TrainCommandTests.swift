import ArgumentParser
import Foundation
import XCTest
@testable import converge

final class TrainCommandTests: XCTestCase {
    func testPrintRecipeShowsOverridesAndDefaultsAndTrainsNothing() throws {
        let folder = try makeRecipeFolder()
        let recipe = folder.appendingPathComponent("recipe.yaml").path
        let result = try runConverge(["train", recipe, "--set", "optimizer.lr=3e-3", "--set", "training.epochs=7", "--print-recipe"])
        XCTAssertNil(result.error)
        for line in ["  lr: 0.003", "  epochs: 7", "  batch_size: 16", "  weight_decay: 0.01", "  amsgrad: false"] {
            XCTAssertTrue(result.standardOutput.contains(line + "\n"), "\(line) missing in\n\(result.standardOutput)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    func testABadOverrideIsOneLineNamingTheFlagAndField() throws {
        let folder = try makeRecipeFolder()
        let result = try runConverge(["train", folder.appendingPathComponent("recipe.yaml").path, "--set", "optimizer.lr=fast"])
        XCTAssertEqual((result.error as? ExitCode)?.rawValue, 1)
        XCTAssertEqual(result.standardError, "converge train: --set optimizer.lr=fast: optimizer.lr: expected a number, got 'fast'\n")
        let malformed = try runConverge(["train", folder.appendingPathComponent("recipe.yaml").path, "--set", "optimizer.lr"])
        XCTAssertEqual(malformed.standardError, "converge train: --set optimizer.lr: expected key.path=value\n")
    }

    func testTrainThenResumeSaysAlreadyComplete() throws {
        let folder = try makeRecipeFolder()
        let recipe = folder.appendingPathComponent("recipe.yaml").path
        let out = folder.appendingPathComponent("out").path
        let first = try runConverge(["train", recipe, "--set", "model.mlp.hidden=[6]"])
        XCTAssertNil(first.error, first.standardError)
        XCTAssertTrue(first.standardOutput.hasPrefix("trained 2 epochs\nbest epoch "), first.standardOutput)
        // The summary table comes first, then epoch lines within 100 columns.
        XCTAssertTrue(first.standardError.hasPrefix("layer "), first.standardError)
        XCTAssertTrue(first.standardError.contains("\n0 Linear     [N, 6]  "), first.standardError)
        let epochLines = first.standardError.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
        XCTAssertEqual(epochLines.count, 2)
        for line in epochLines { XCTAssertLessThanOrEqual(line.count, 100, String(line)) }
        // The run folder keeps the recipe as trained, overrides included.
        let kept = try String(contentsOf: folder.appendingPathComponent("out/recipe.yaml"), encoding: .utf8)
        XCTAssertTrue(kept.contains("--set model.mlp.hidden=[6]"), kept)

        let again = try runConverge(["train", recipe, "--resume", out, "--set", "model.mlp.hidden=[6]"])
        XCTAssertNil(again.error, again.standardError)
        XCTAssertTrue(again.standardOutput.hasPrefix("already complete: 2 epochs trained; nothing was trained"), again.standardOutput)
    }
}
