import Foundation
import XCTest
@testable import Converge

final class RecipeEditorTests: XCTestCase {
    let source = """
    # a recipe
    data: { train: t.csv, standardize: false }
    model:
      mlp:
        hidden: [8]
        activation: relu
    optimizer: { name: sgd, lr: 0.5 }
    """

    func testEditsKeepTheLayoutAndMarkEveryChangedLine() throws {
        var editor = RecipeEditor(source: source)
        try editor.set("optimizer.lr", to: "0.05", comment: "doctor: was 0.5")
        try editor.set("data.standardize", to: "true", comment: "doctor: was false")
        try editor.set("model.mlp.init", to: "he", comment: "doctor: added")
        try editor.set("optimizer.momentum", to: "0.9", comment: "doctor: added")
        try editor.set("training.clip_norm", to: "1", comment: "doctor: added")
        let lines = editor.source.components(separatedBy: "\n")
        XCTAssertEqual(lines[0], "# a recipe")
        XCTAssertEqual(lines[1], "data: { train: t.csv, standardize: true }  # doctor: was false")
        XCTAssertEqual(lines[4], "    init: he  # doctor: added")
        XCTAssertTrue(editor.source.contains("optimizer: { momentum: 0.9, name: sgd, lr: 0.05 }  # doctor: was 0.5; added"), editor.source)
        XCTAssertTrue(editor.source.contains("training: { clip_norm: 1 }  # doctor: added"), editor.source)
        let recipe = try Recipe.parse(editor.source, file: URL(fileURLWithPath: "/tmp/r.yaml"))
        XCTAssertEqual(recipe.optimizer.learningRate, 0.05)
        XCTAssertEqual(recipe.optimizer.momentum, 0.9)
        XCTAssertTrue(recipe.data.standardize)
        XCTAssertEqual(recipe.training.clipNorm, 1)
        guard case .mlp(let mlp) = recipe.model else { return XCTFail("not an mlp") }
        XCTAssertEqual(mlp.initialization, "he")
        let diff = RecipeEditor.diff(from: source, to: editor.source)
        XCTAssertTrue(diff.contains("-2: data: { train: t.csv, standardize: false }"), diff)
        XCTAssertTrue(diff.contains("+2: data: { train: t.csv, standardize: true }  # doctor: was false"), diff)
    }

    func testRenamingALayerKindAndEveryRemedyProducesAValidRecipe() throws {
        var editor = RecipeEditor(source: "data: { train: t.csv }\nmodel: { layers: [ {linear: {out: 4}}, {relu: {}}, {linear: {out: 1}} ] }\n")
        try editor.renameKey("model.layers[1].relu", to: "leaky_relu", comment: "doctor: was relu")
        let layers = try Recipe.parse(editor.source, file: URL(fileURLWithPath: "/tmp/r.yaml"))
        guard case .layers(let specs) = layers.model else { return XCTFail("not a layer list") }
        XCTAssertEqual(specs.map(\.kind), ["linear", "leaky_relu", "linear"])
        let recipe = try Recipe.parse(source, file: URL(fileURLWithPath: "/tmp/r.yaml"))
        let remedies: [Remedy] = [.learningRate(0.01), .lowerLearningRate, .raiseLearningRate, .clipGradients(maxNorm: 1), .matchedInitializer,
                                  .batchNorm, .leakyReLU, .optimizer("adam"), .warmup, .standardizeInputs, .shuffle]
        for remedy in remedies {
            var e = RecipeEditor(source: source)
            let change = try RecipeRepairs.apply(remedy, to: recipe, editor: &e)
            XCTAssertNotNil(change, "\(remedy)")
            XCTAssertNoThrow(try Recipe.parse(e.source, file: URL(fileURLWithPath: "/tmp/r.yaml")), "\(remedy): \(e.source)")
            XCTAssertTrue(e.source.contains("# doctor:"), "\(remedy)")
        }
        var e = RecipeEditor(source: source)
        _ = try RecipeRepairs.apply(.optimizer("adam"), to: recipe, editor: &e)
        let switched = try Recipe.parse(e.source, file: URL(fileURLWithPath: "/tmp/r.yaml"))
        XCTAssertEqual(switched.optimizer.name, "adam")
        XCTAssertEqual(switched.optimizer.learningRate, 0.003, "SGD's 0.5 does not suit Adam")
    }

    /// BatchNorm for a layer list: a `{batchnorm: {}}` item after every hidden linear/conv layer
    /// (not the output, not where a norm already follows), in a flow list and in a block list.
    func testBatchNormIsInsertedIntoLayerListsInTheirOwnStyle() throws {
        let url = URL(fileURLWithPath: "/tmp/r.yaml")
        let flow = "data: { train: t.csv }\nmodel: { layers: [ {linear: {out: 4}}, {relu: {}}, {linear: {out: 4}}, {layernorm: {}}, {relu: {}}, {linear: {out: 1}} ] }\n"
        let block = "data: { train: t.csv }\nmodel:\n  layers:\n    - linear: {out: 4}\n    - tanh: {}\n    - linear: {out: 4}\n    - tanh: {}\n    - linear: {out: 1}\n"
        for (source, expected) in [(flow, ["linear", "batchnorm", "relu", "linear", "layernorm", "relu", "linear"]),
                                   (block, ["linear", "batchnorm", "tanh", "linear", "batchnorm", "tanh", "linear"])] {
            let recipe = try Recipe.parse(source, file: url)
            var editor = RecipeEditor(source: source)
            let change = try XCTUnwrap(try RecipeRepairs.apply(.batchNorm, to: recipe, editor: &editor))
            XCTAssertTrue(change.hasPrefix("\(expected.filter { $0 == "batchnorm" }.count) batchnorm layer"), change)
            let repaired = try Recipe.parse(editor.source, file: url)
            guard case .layers(let specs) = repaired.model else { return XCTFail("not a layer list") }
            XCTAssertEqual(specs.map(\.kind), expected, editor.source)
            XCTAssertEqual(editor.source.components(separatedBy: "# doctor:").count, 2, "one comment: \(editor.source)")
            XCTAssertNotNil(DoctorAdvice.alreadyApplied(.batchNorm, in: repaired), "a second BatchNorm is not recommended")
        }
        let block2 = try Recipe.parse(block, file: url)
        var editor = RecipeEditor(source: block)
        _ = try RecipeRepairs.apply(.batchNorm, to: block2, editor: &editor)
        XCTAssertTrue(editor.source.contains("\n    - {batchnorm: {}}\n    - tanh: {}"), editor.source)
    }
}
