import ConvergeCore
import Foundation
import XCTest
@testable import Converge

final class MemoryEstimateTests: XCTestCase {
    func count(_ module: Module) -> Int { module.parameters.reduce(0) { $0 + $1.count } }

    /// The formulas count exactly the parameters the layers allocate.
    func testSequenceLayerParameterCountsMatchTheLayers() {
        XCTAssertEqual(MemoryEstimate.embeddingParameters(vocabulary: 11, dimension: 6), count(Embedding(11, 6)))
        XCTAssertEqual(MemoryEstimate.transformerBlockParameters(width: 8, feedForward: 20),
                       count(TransformerEncoderLayer(modelDimension: 8, headCount: 2, feedForwardDimension: 20)))
        XCTAssertEqual(MemoryEstimate.recurrentParameters(gates: 4, inputs: 3, hidden: 5, layers: 2),
                       count(LSTM(inputSize: 3, hiddenSize: 5, layerCount: 2)))
        XCTAssertEqual(MemoryEstimate.recurrentParameters(gates: 3, inputs: 7, hidden: 4, layers: 3),
                       count(GRU(inputSize: 7, hiddenSize: 4, layerCount: 3)))
    }

    func testActivationCountsGrowWithTheSquareOfTheContextAndOverflowToNil() {
        let short = MemoryEstimate.transformerBlockActivations(tokens: 100, width: 8, heads: 2, feedForward: 32)!
        XCTAssertEqual(short, 2 * 100 * 100 * 2 + 6 * 100 * 8 + 2 * 100 * 32)
        XCTAssertGreaterThan(MemoryEstimate.transformerBlockActivations(tokens: 1000, width: 8, heads: 2, feedForward: 32)!, 50 * short)
        XCTAssertNil(MemoryEstimate.transformerBlockActivations(tokens: Int(Int32.max), width: 8, heads: 1_000_000, feedForward: 32))
        XCTAssertEqual(MemoryEstimate.recurrentActivations(gates: 4, steps: 10, hidden: 5, layers: 2), 10 * 5 * 6 * 2)
        XCTAssertNil(MemoryEstimate.embeddingParameters(vocabulary: Int.max / 2, dimension: 3))
    }

    /// An oversized sequence layer is a recipe error naming it before anything is allocated.
    func testOversizedSequenceLayersAreRefusedBeforeAllocation() throws {
        func layers(_ text: String) throws -> Recipe.ModelSpec {
            try Recipe.parse("data: { train: t.csv }\nmodel:\n  layers: [\(text)]\n", file: URL(fileURLWithPath: "/tmp/r.yaml")).model
        }
        let cases: [(String, [Int], String)] = [
            ("{embedding: {vocab: 900000000, dim: 64}}, {linear: {out: 3}}", [8], "embedding vocab 900000000 × dim 64"),
            ("{embedding: {vocab: 9, dim: 8}}, {transformer_block: {heads: 8}}, {linear: {out: 3}}", [8], "attention over 8 positions"),
            ("{lstm: {hidden: 100000}}, {linear: {out: 3}}", [4, 2], "lstm hidden 100000"),
            ("{residual: {layers: [{linear: {out: 600000000}}, {linear: {out: 4}}]}}, {linear: {out: 3}}", [4], "linear on input [4]"),
        ]
        for (text, shape, detail) in cases {
            XCTAssertThrowsError(try ModelBuilder.build(try layers(text), inputShape: shape, outputs: 3, file: "/tmp/r.yaml",
                                                        batchSize: 1_000_000)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("GiB") && message.contains(detail) && message.contains("this machine has"), message)
                XCTAssertTrue(message.hasPrefix("/tmp/r.yaml:3: model.layers["), message)
            }
        }
        // And the same layers at a sensible size build.
        XCTAssertNoThrow(try ModelBuilder.build(try layers("{embedding: {vocab: 9, dim: 8}}, {transformer_block: {heads: 2}}, {linear: {out: 3}}"),
                                                inputShape: [8], outputs: 3, file: "/tmp/r.yaml", batchSize: 4, perPosition: true))
    }

    func testTheLimitVariableCapsTheAvailableMemory() {
        XCTAssertEqual(MemoryEstimate.parseBytes("4G"), 4 << 30)
        XCTAssertEqual(MemoryEstimate.parseBytes(" 512m "), 512 << 20)
        XCTAssertEqual(MemoryEstimate.parseBytes("1000"), 1000)
        for bad in ["", "-1G", "0", "lots", "9223372036854775807G", "4 G"] { XCTAssertNil(MemoryEstimate.parseBytes(bad), bad) }
        let saved = ProcessInfo.processInfo.environment[MemoryEstimate.limitVariable]
        defer { if let saved { setenv(MemoryEstimate.limitVariable, saved, 1) } else { unsetenv(MemoryEstimate.limitVariable) } }
        setenv(MemoryEstimate.limitVariable, "1M", 1)
        XCTAssertEqual(MemoryEstimate.availableBytes, 1 << 20)
        setenv(MemoryEstimate.limitVariable, "nonsense", 1)
        XCTAssertGreaterThan(MemoryEstimate.availableBytes, 1 << 20, "an unreadable value is ignored")
    }
}
