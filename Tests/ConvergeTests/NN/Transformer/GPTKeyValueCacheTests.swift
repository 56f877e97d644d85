import ConvergeTestSupport
import XCTest
@testable import Converge

final class GPTKeyValueCacheTests: XCTestCase {
    private func model(normFirst: Bool, positions: GPTConfiguration.PositionalEncoding) -> GPT {
        let c = GPTConfiguration(vocabularySize: 11, contextLength: 6, modelDimension: 8, headCount: 2, layerCount: 2,
                                 feedForwardDimension: 16, dropout: 0.1, normFirst: normFirst, positionalEncoding: positions)
        let gpt = GPT(c, generator: RandomGenerator(seed: 3))
        gpt.eval()
        return gpt
    }

    /// Each appended token's logits are the full forward pass's logits at that position, for
    /// both norm orders and both kinds of positions.
    func testLogitsMatchTheFullForwardPass() {
        let tokens = [3, 1, 4, 1, 5, 9]
        for (normFirst, positions) in [(true, GPTConfiguration.PositionalEncoding.learned), (false, .sinusoidal)] {
            let gpt = model(normFirst: normFirst, positions: positions)
            let cache = GPTKeyValueCache(model: gpt)
            for i in tokens.indices {
                let cached = cache.append(tokens[i])
                let full = withNoGrad { gpt.logits(IndexTensor(shape: [1, i + 1], Array(tokens[0...i]))) }
                XCTAssertNil(mismatch(cached, Array(full.scalars.suffix(11)), rtol: 1e-4, atol: 1e-5), "position \(i), normFirst \(normFirst)")
            }
            XCTAssertTrue(cache.isFull)
            cache.reset()
            XCTAssertEqual(cache.count, 0)
        }
    }

    /// Greedy sampling with the cache gives the tokens the uncached loop gives, also past the
    /// context length (where the window slides and the whole window runs again).
    func testSamplingMatchesTheUncachedLoop() {
        let gpt = model(normFirst: true, positions: .learned)
        let produced = gpt.sample(prompt: [2, 7], count: 9, temperature: 0, generator: RandomGenerator(seed: 1))
        var context = [2, 7], expected: [Int] = []
        for _ in 0..<9 {
            let window = Array(context.suffix(6))
            let logits = withNoGrad { gpt.logits(IndexTensor(shape: [1, window.count], window)) }
            let next = GPT.pick(from: Array(logits.scalars.suffix(11)), temperature: 0, topK: nil, generator: RandomGenerator(seed: 1))
            context.append(next)
            expected.append(next)
        }
        XCTAssertEqual(produced, expected)
        XCTAssertEqual(produced.count, 9)
    }
}
