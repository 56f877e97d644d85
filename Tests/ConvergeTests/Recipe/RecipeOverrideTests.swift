import Foundation
import XCTest
@testable import Converge

final class RecipeOverrideTests: XCTestCase {
    let file = URL(fileURLWithPath: "/tmp/recipe.yaml")
    let text = """
    data: { train: train.csv, validation: 0.2 }
    model: { layers: [ {linear: {out: 8}}, {relu: {}}, {linear: {out: 1}} ] }
    optimizer: { name: adamw, lr: 1.0e-3 }
    training: { epochs: 5 }
    """

    func parse(_ overrides: String...) throws -> Recipe {
        try Recipe.parse(text, file: file, overrides: overrides.map(RecipeOverride.init))
    }

    func overrideError(_ overrides: String...) -> String? {
        do {
            _ = try Recipe.parse(text, file: file, overrides: overrides.map(RecipeOverride.init))
            return nil
        } catch { return "\(error)" }
    }

    func testValuesAreTypedLikeTheYAMLScalar() throws {
        let recipe = try parse("optimizer.lr=3e-3", "training.epochs=7", "training.shuffle=false",
                               "optimizer.name=adam", "optimizer.betas=[0.8, 0.9]")
        XCTAssertEqual(recipe.optimizer.learningRate, 3e-3)
        XCTAssertEqual(recipe.optimizer.name, "adam")
        XCTAssertEqual(recipe.optimizer.betas.0, 0.8)
        XCTAssertEqual(recipe.training.epochs, 7)
        XCTAssertFalse(recipe.training.shuffle)
        // Fields the recipe does not have are added; mappings on the way are created.
        let more = try parse("training.early_stopping.patience=3", "schedule.name=cosine", "seed=9")
        XCTAssertEqual(more.training.earlyStopping?.patience, 3)
        XCTAssertEqual(more.schedule?.name, "cosine")
        XCTAssertEqual(more.seed, 9)
        XCTAssertEqual(more.training.epochs, 5, "untouched fields keep the file's values")
    }

    func testListIndicesReachIntoLayerLists() throws {
        let recipe = try parse("model.layers[0].linear.out=32")
        guard case .layers(let layers) = recipe.model else { return XCTFail("expected a layer list") }
        XCTAssertEqual(layers[0].options["out"], 32)
        XCTAssertEqual(overrideError("model.layers[7].linear.out=3"),
                       "--set model.layers[7].linear.out=3: model.layers: index 7 is out of range: model.layers has 3 items")
    }

    func testErrorsNameTheFlagAndTheField() {
        XCTAssertEqual(overrideError("optimizer.lr=fast"), "--set optimizer.lr=fast: optimizer.lr: expected a number, got 'fast'")
        XCTAssertEqual(overrideError("training.epochs=0"), "--set training.epochs=0: training.epochs: must be a positive integer, got 0")
        XCTAssertEqual(overrideError("optimizer.lrr=1"),
                       "--set optimizer.lrr=1: optimizer.lrr: unknown key 'lrr' (valid: name, lr, weight_decay, momentum, nesterov, betas, eps, alpha, centered, amsgrad, dampening)")
        XCTAssertEqual(overrideError("optimizer.lr.x=1"), "--set optimizer.lr.x=1: optimizer.lr: cannot set key 'x': optimizer.lr is not a mapping")
        XCTAssertThrowsError(try RecipeOverride("optimizer.lr")) { XCTAssertEqual("\($0)", "--set optimizer.lr: expected key.path=value") }
        XCTAssertThrowsError(try RecipeOverride("optimizer..lr=1")) {
            XCTAssertEqual("\($0)", "--set optimizer..lr=1: optimizer..lr: empty key in the field path")
        }
        XCTAssertThrowsError(try RecipeOverride("=1"))
    }

    func testAnErrorInTheFileItselfKeepsItsLine() {
        let broken = text.replacingOccurrences(of: "epochs: 5", with: "epochs: five")
        XCTAssertThrowsError(try Recipe.parse(broken, file: file, overrides: [try RecipeOverride("optimizer.lr=0.1")])) {
            XCTAssertEqual("\($0)", "/tmp/recipe.yaml:4: training.epochs: expected an integer, got 'five'")
        }
    }

    func testTheSourceRecordsTheResolvedRecipe() throws {
        let recipe = try parse("optimizer.lr=0.5")
        XCTAssertTrue(recipe.source.hasPrefix("# recipe.yaml with --set optimizer.lr=0.5\n"), recipe.source)
        // What a run folder keeps rebuilds the same recipe.
        XCTAssertEqual(try Recipe.parse(recipe.source, file: file).optimizer.learningRate, 0.5)
    }
}
