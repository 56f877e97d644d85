import Foundation
import XCTest
@testable import Converge

final class RecipePrinterTests: XCTestCase {
    let file = URL(fileURLWithPath: "/tmp/example.yaml")

    func testEveryDefaultIsShownAndTheTextParsesBack() throws {
        let recipe = try Recipe.parse("""
        data: { train: train.csv }
        model: { mlp: { hidden: [16, 8] } }
        schedule: { name: one-cycle, max_lr: 0.01 }
        """, file: file)
        let yaml = recipe.resolvedYAML()
        for line in ["seed: 42", "  missing: error", "  categorical: []", "  label: label", "  task: classification", "  standardize: true", "    hidden: [16, 8]",
                     "    activation: relu", "    init: default", "  name: adamw", "  lr: 0.001", "  weight_decay: 0.01",
                     "  betas: [0.9, 0.999]", "  eps: 1.0e-08", "  max_lr: 0.01", "  pct_start: 0.3", "  div_factor: 25.0",
                     "  # total_steps: steps, where steps is the run's length in optimizer steps",
                     "  epochs: 10", "  batch_size: 64", "  precision: float32", "  # clip_norm: not set",
                     "# output: not set (runs/example)"] {
            XCTAssertTrue(yaml.contains(line + "\n"), "missing \(line) in\n\(yaml)")
        }
        let again = try Recipe.parse(yaml, file: file)
        XCTAssertEqual(again.resolvedYAML(), yaml)
        XCTAssertEqual(again.optimizer.learningRate, recipe.optimizer.learningRate)
        XCTAssertEqual(again.schedule?.name, "one-cycle")
    }

    func testLayerListsOptionalSectionsAndQuotedStrings() throws {
        let recipe = try Recipe.parse("""
        seed: 3
        data: { train: "{name}.npy", label: "{name}_labels.npy", validation: 0.25, test: t.csv, num_classes: 3,
                missing: {constant: 0.5}, categorical: [city, "two words"] }
        model: { layers: [ {reshape: [1, 8]}, {conv1d: {out: 4, kernel: 3, bias: false}}, {flatten: {}}, {linear: {out: 3}} ] }
        optimizer: { name: sgd, lr: 0.1, momentum: 0.9, nesterov: true }
        schedule: { name: plateau, patience: 2 }
        training: { epochs: 3, clip_norm: 0.5, early_stopping: { patience: 4, monitor: val_accuracy } }
        output: out
        """, file: file)
        let yaml = recipe.resolvedYAML()
        for line in ["  train: \"{name}.npy\"", "  validation: 0.25", "  num_classes: 3", "  missing: {constant: 0.5}", "  categorical: [city, \"two words\"]", "    - reshape: [1, 8]",
                     "    - conv1d: {bias: false, kernel: 3.0, out: 4.0}", "  weight_decay: 0.0", "  nesterov: true",
                     "  interval: epoch", "  patience: 2", "  factor: 0.1", "  clip_norm: 0.5", "    monitor: val_accuracy",
                     "output: out"] {
            XCTAssertTrue(yaml.contains(line + "\n"), "missing \(line) in\n\(yaml)")
        }
        XCTAssertEqual(try Recipe.parse(yaml, file: file).resolvedYAML(), yaml)
    }

    func testLanguageModelRecipesPrintBack() throws {
        let recipe = try Recipe.parse("""
        data: { train: corpus.txt, format: text, context: 16, validation: 0.1 }
        model: { gpt: { d_model: 32, heads: 2, positional: sinusoidal } }
        """, file: file)
        let yaml = recipe.resolvedYAML()
        for line in ["  format: text", "  tokenization: characters", "  context: 16", "  # stride: the context, 16",
                     "    - gpt: {d_model: 32.0, heads: 2.0, sinusoidal: true}"] {
            XCTAssertTrue(yaml.contains(line + "\n"), "missing \(line) in\n\(yaml)")
        }
        XCTAssertFalse(yaml.contains("  label:"), "label does not apply to a token stream")
        XCTAssertEqual(try Recipe.parse(yaml, file: file).resolvedYAML(), yaml)
    }

    func testResidualBranchesPrintBack() throws {
        let recipe = try Recipe.parse("""
        data: { train: a.csv }
        model: { layers: [ {linear: {out: 8}}, {residual: {layers: [ {linear: {out: 8}}, {relu: {}} ]}}, {linear: {out: 1}} ] }
        """, file: file)
        let yaml = recipe.resolvedYAML()
        XCTAssertTrue(yaml.contains("    - residual: {layers: [{linear: {out: 8.0}}, {relu: {}}]}\n"), yaml)
        XCTAssertEqual(try Recipe.parse(yaml, file: file).resolvedYAML(), yaml)
    }

    func testNumbersReadBackExactly() throws {
        for value in [1e-3, 3e-4, 1e-8, 0.1, 2.5, 100, 1e20, 0] {
            let text = Recipe.yamlNumber(value)
            XCTAssertTrue(text.contains("."), text)
            let recipe = try Recipe.parse("data: {train: a.csv}\nmodel: {mlp: {}}\noptimizer: {weight_decay: \(text)}", file: file)
            XCTAssertEqual(recipe.optimizer.weightDecay, value, text)
        }
    }
}
