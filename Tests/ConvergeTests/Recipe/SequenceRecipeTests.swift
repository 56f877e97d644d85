import ConvergeTestSupport
import XCTest
@testable import Converge

/// Language-model and sequence recipes: the `examples/` recipes train in a test, and bad
/// sequence recipes are one-line errors.
final class SequenceRecipeTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func example(_ name: String) throws -> Recipe {
        try Recipe.load(from: SequenceRecipeTests.repository.appendingPathComponent("examples/\(name)/recipe.yaml"))
    }

    func testGPTExampleTrainsAndGenerates() throws {
        let dir = try makeIOTestDirectory()
        var recipe = try example("gpt")
        recipe.training.epochs = 2
        let session = try RecipeSession(recipe)
        XCTAssertEqual(session.inputShape, [32])
        XCTAssertEqual(session.outputCount, session.tokenSequence?.vocabularySize)
        let out = dir.appendingPathComponent("gpt")
        let summary = try RecipeRun.train(recipe, options: RecipeRun.Options(output: out, quiet: true))
        let perplexity = summary.final.first { $0.0 == "val_perplexity" }?.1 ?? .nan
        XCTAssertLessThan(perplexity, 12, "\(summary.final)")   // the vocabulary has 40+ symbols: 40+ at the start
        for file in ["model.safetensors", "vocabulary.json", "recipe.yaml", "history.csv"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        let lm = try TrainedLanguageModel(directory: out)
        let a = try lm.generate(prompt: "7. The ", length: 40, temperature: 0.8, topK: 10, seed: 3)
        XCTAssertEqual(a.count, 40)
        XCTAssertEqual(a, try lm.generate(prompt: "7. The ", length: 40, temperature: 0.8, topK: 10, seed: 3))
        XCTAssertThrowsError(try lm.generate(prompt: "Zebra ✓", length: 5)) { error in
            XCTAssertTrue("\(error)".contains("not in the model's vocabulary"), "\(error)")
        }
        XCTAssertThrowsError(try lm.generate(prompt: "The", length: 5, topK: 0))
    }

    func testLSTMSequenceClassificationExampleTrains() throws {
        let dir = try makeIOTestDirectory()
        var recipe = try example("sequences")
        recipe.training.epochs = 6
        let summary = try RecipeRun.train(recipe, options: RecipeRun.Options(output: dir.appendingPathComponent("seq"), quiet: true))
        let accuracy = summary.test?.first { $0.0 == "accuracy" }?.1 ?? 0
        XCTAssertGreaterThan(accuracy, 0.85, "\(String(describing: summary.test))")
    }

    func testLayerListLanguageModelAndSequenceLayers() throws {
        let dir = try makeIOTestDirectory()
        try String(repeating: "abcd efg. ", count: 60).write(to: dir.appendingPathComponent("t.txt"), atomically: true, encoding: .utf8)
        let yaml = """
        data: { train: t.txt, format: text, tokenization: bytes, context: 8, validation: 0.2 }
        model:
          layers:
            - embedding: { vocab: 256, dim: 16 }
            - positional_embedding: { sinusoidal: true }
            - transformer_block: { heads: 2, norm_first: false }
            - gru: { hidden: 16 }
            - residual: { layers: [ {layernorm: {}}, {linear: {out: 32}}, {gelu: {}}, {linear: {out: 16}} ] }
            - linear: { out: 256 }
        training: { epochs: 1, batch_size: 8 }
        """
        let recipe = try Recipe.parse(yaml, file: dir.appendingPathComponent("r.yaml"))
        let session = try RecipeSession(recipe)
        let model = try session.makeModel()
        XCTAssertEqual(model(session.train.features.sliced(alongAxis: 0, 0..<2)).shape, [16, 256])
        XCTAssertTrue(model.modules.contains { ($0 as? TransformerEncoderLayer)?.normFirst == false })
        XCTAssertTrue(model.modules.contains { $0 is GRU })
        XCTAssertTrue(model.modules.contains { $0 is Residual })
        let scaled = GPT2ResidualScaling(layerCount: 1).apply(to: model)
        XCTAssertEqual(scaled.scaled.count, 1, "\(scaled.scaled)")
    }

    func testBadSequenceRecipesAreOneLineErrors() throws {
        let dir = try makeIOTestDirectory()
        try "hello world, hello".write(to: dir.appendingPathComponent("t.txt"), atomically: true, encoding: .utf8)
        func error(_ yaml: String) -> String {
            do {
                let recipe = try Recipe.parse(yaml, file: dir.appendingPathComponent("r.yaml"))
                _ = try RecipeSession(recipe).makeModel()
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(error("data: { train: t.txt, format: text }\nmodel: { gpt: {} }").contains("needs 'context'"))
        XCTAssertTrue(error("data: { train: t.txt, format: text, context: 100 }\nmodel: { gpt: {} }").contains("too few for data.context"))
        XCTAssertTrue(error("data: { train: t.txt, format: text, context: 4 }\nmodel: { gpt: { d_model: 10, heads: 4 } }")
            .contains("heads: must be a positive divisor of d_model 10"))
        XCTAssertTrue(error("data: { train: t.txt, format: text, context: 4, label: y }\nmodel: { gpt: {} }").contains("does not apply"))
        XCTAssertTrue(error("data: { train: t.txt, context: 4 }\nmodel: { gpt: {} }").contains("needs data.format"))
        XCTAssertTrue(error("data: { train: t.txt, format: text, context: 4 }\nmodel: { layers: [ {embedding: {vocab: 20, dim: 4}}, {lstm: {hidden: 3}}, {linear: {out: 7}} ] }")
            .contains("logits per token"))
        XCTAssertTrue(error("data: { train: t.txt, format: text, context: 4 }\nmodel: { gpt: { vocab_size: 300 } }").contains("differs from the data's vocabulary"))
        XCTAssertTrue(error("data: { train: t.txt, format: text, context: 4, tokenization: bytes }\nmodel: { layers: [ {embedding: {vocab: 256, dim: 4}}, {residual: {layers: [{linear: {out: 3}}]}}, {linear: {out: 256}} ] }")
            .contains("must have the input's shape"))
        try "a,b,label\n1,2,0\n3,7,1\n0,0,1\n".write(to: dir.appendingPathComponent("ids.csv"), atomically: true, encoding: .utf8)
        let ids = "data: { train: ids.csv, label: label, standardize: false }\nmodel: { layers: [ {embedding: {vocab: 5, dim: 4}}, {lstm: {hidden: 3, last: true}}, {linear: {out: 1}} ] }"
        XCTAssertTrue(error(ids).contains("row 2, feature 2: 7.0 is not a token id in 0..<5"), error(ids))
    }
}

extension SequenceRecipeTests {
    func testDoctorDataChecksUnderstandTokenData() throws {
        let dir = try makeIOTestDirectory()
        try String(repeating: "the cat sat. ", count: 40).write(to: dir.appendingPathComponent("t.txt"), atomically: true, encoding: .utf8)
        let yaml = "data: { train: t.txt, format: text, context: 8, validation: 0.2 }\nmodel: { gpt: { d_model: 8, heads: 2, layers: 1 } }"
        let session = try RecipeSession(Recipe.parse(yaml, file: dir.appendingPathComponent("r.yaml")))
        let findings = try DoctorChecklist(session: session).checkData().findings
        XCTAssertEqual(findings.first { $0.check == "shapes" }?.status, .ok, "\(findings)")
        XCTAssertNil(findings.first { $0.check == "scaling" && $0.status == .warn }, "\(findings)")
    }
}
