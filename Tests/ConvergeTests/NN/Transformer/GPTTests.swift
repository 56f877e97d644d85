import ConvergeTestSupport
import XCTest
@testable import Converge

final class GPTTests: XCTestCase {
    private func tiny(_ change: (inout GPTConfiguration) -> Void = { _ in }) -> GPT {
        var c = GPTConfiguration(vocabularySize: 11, contextLength: 6, modelDimension: 8, headCount: 2, layerCount: 2,
                                 feedForwardDimension: 16, dropout: 0)
        change(&c)
        return GPT(c, generator: RandomGenerator(seed: 1))
    }

    func testTiedEmbeddingsShareOneParameter() {
        let tied = tiny(), untied = tiny { $0.tiedEmbeddings = false }
        XCTAssertTrue(tied.head.weight === tied.tokenEmbedding.weight)
        XCTAssertEqual(untied.parameterCount - tied.parameterCount, 11 * 8)
        let logits = tied.logits(IndexTensor(shape: [1, 3], [1, 2, 3]))
        tokenCrossEntropy(logits: logits, targets: IndexTensor(shape: [1, 3], [2, 3, 4])).backward()
        XCTAssertNotNil(tied.tokenEmbedding.weight.grad)
        // Rows never looked up still get a gradient through the tied output projection.
        XCTAssertNotEqual(tied.tokenEmbedding.weight.grad!.scalars[10 * 8..<11 * 8].map { abs($0) }.max(), 0)
    }

    func testResidualProjectionsAreScaledByOneOverSqrtTwoN() {
        let scaled = tiny(), plain = tiny { $0.residualScaling = false }
        let factor = 1 / Float(4).squareRoot()
        for name in ["blocks.0.selfAttn.outProj.weight", "blocks.1.linear2.weight"] {
            let a = scaled.tensor(named: name)!.scalars, b = plain.tensor(named: name)!.scalars
            XCTAssertNil(mismatch(a, b.map { $0 * factor }), name)
        }
        XCTAssertEqual(scaled.tensor(named: "blocks.0.linear1.weight")!.scalars, plain.tensor(named: "blocks.0.linear1.weight")!.scalars)
    }

    func testGPT2InitializationStatistics() {
        let model = GPT(GPTConfiguration(vocabularySize: 64, modelDimension: 64, layerCount: 1, residualScaling: false),
                        generator: RandomGenerator(seed: 2))
        let w = model.tokenEmbedding.weight.scalars
        let std = (w.map { $0 * $0 }.reduce(0, +) / Float(w.count)).squareRoot()
        XCTAssertEqual(std, 0.02, accuracy: 0.002)
        XCTAssertEqual(model.blocks[0].linear1.bias!.scalars.allSatisfy { $0 == 0 }, true)
        XCTAssertEqual(model.blocks[0].norm1.weight!.scalars.allSatisfy { $0 == 1 }, true)
    }

    func testLogitsAtAPositionDependOnlyOnEarlierTokens() {
        for positional in [GPTConfiguration.PositionalEncoding.learned, .sinusoidal] {
            for normFirst in [true, false] {
                let model = tiny { $0.positionalEncoding = positional; $0.normFirst = normFirst }
                let a = model.logits(IndexTensor(shape: [1, 4], [1, 2, 3, 4])).scalars
                let b = model.logits(IndexTensor(shape: [1, 4], [1, 2, 3, 9])).scalars
                XCTAssertEqual(Array(a.prefix(33)), Array(b.prefix(33)), "\(positional) normFirst \(normFirst)")
                XCTAssertNotEqual(Array(a.suffix(11)), Array(b.suffix(11)))
            }
        }
    }

    func testLearnsACyclicSequence() {
        Random.seed(3)
        let model = tiny()
        let optimizer = AdamW(model.parameters, learningRate: 1e-2, weightDecay: 0)
        let tokens = IndexTensor(shape: [2, 5], [1, 2, 3, 4, 5, 3, 4, 5, 1, 2])
        let targets = IndexTensor(shape: [2, 5], [2, 3, 4, 5, 1, 4, 5, 1, 2, 3])
        var first: Float = 0, last: Float = 0
        for step in 0..<60 {
            optimizer.zeroGrad()
            let loss = tokenCrossEntropy(logits: model.logits(tokens), targets: targets)
            loss.backward()
            optimizer.step()
            if step == 0 { first = loss.item() }
            last = loss.item()
        }
        XCTAssertGreaterThan(first, 2)
        XCTAssertLessThan(last, 0.1)
        let continuation = model.sample(prompt: [1, 2, 3], count: 2, temperature: 0, generator: RandomGenerator(seed: 1))
        XCTAssertEqual(continuation, [4, 5])
    }

    func testSamplingIsSeededAndRespectsTopK() {
        let model = tiny()
        let a = model.sample(prompt: [1], count: 8, generator: RandomGenerator(seed: 5))
        let b = model.sample(prompt: [1], count: 8, generator: RandomGenerator(seed: 5))
        XCTAssertEqual(a, b)
        XCTAssertEqual(GPT.pick(from: [0, 5, 1, 4], temperature: 1, topK: 1, generator: RandomGenerator(seed: 1)), 1)
        let picks = (0..<200).map { _ in GPT.pick(from: [0, 5, 1, 4.5], temperature: 1, topK: 2, generator: RandomGenerator(seed: UInt64.random(in: 0...1000))) }
        XCTAssertEqual(Set(picks), [1, 3])
    }

    func testConfigurationProblemsNameTheField() {
        XCTAssertEqual(GPTConfiguration(modelDimension: 10, headCount: 4).problem,
                       "heads: must be a positive divisor of d_model 10, got 4")
        XCTAssertNil(GPTConfiguration().problem)
    }
}
