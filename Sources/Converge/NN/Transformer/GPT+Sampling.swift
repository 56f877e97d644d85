import ConvergeCore
import Foundation

extension GPT {
    /// Continues `prompt` by `count` tokens, sampling each from the model's next-token
    /// distribution: logits divided by `temperature` (0 picks the most likely token), cut to the
    /// `topK` most likely when given, then drawn with `generator`. The model runs in evaluation
    /// mode without recording; the context is cropped to the last
    /// ``GPTConfiguration/contextLength`` tokens. While the context fits, a ``GPTKeyValueCache``
    /// makes each token cost one position's work. Returns only the new tokens.
    /// - Precondition: `prompt` is non-empty with ids in the vocabulary, `temperature ≥ 0`, `topK > 0`.
    public func sample(prompt: [Int], count: Int, temperature: Float = 1, topK: Int? = nil,
                       generator: RandomGenerator) -> [Int] {
        let vocabulary = configuration.vocabularySize
        precondition(!prompt.isEmpty, "GPT.sample: the prompt is empty")
        precondition(prompt.allSatisfy { $0 >= 0 && $0 < vocabulary }, "GPT.sample: prompt ids must lie in 0..<\(vocabulary)")
        precondition(temperature >= 0, "GPT.sample: temperature must be ≥ 0, got \(temperature)")
        if let topK { precondition(topK > 0, "GPT.sample: topK must be positive, got \(topK)") }
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var context = prompt
        var produced: [Int] = []
        guard count > 0 else { return [] }
        // While the context fits, each token runs one position against the cached keys and
        // values; past the context length the window slides (every position moves), so the
        // whole window runs again, as without a cache.
        let cache = GPTKeyValueCache(model: self)
        var last: [Float] = []
        for token in context.suffix(configuration.contextLength) { last = cache.append(token) }
        withNoGrad {
            for step in 0..<count {
                if step > 0 {
                    if context.count <= configuration.contextLength {
                        last = cache.append(context[context.count - 1])
                    } else {
                        let window = Array(context.suffix(configuration.contextLength))
                        last = Array(self.logits(IndexTensor(shape: [1, window.count], window)).scalars.suffix(vocabulary))
                    }
                }
                let next = GPT.pick(from: last, temperature: temperature, topK: topK, generator: generator)
                context.append(next)
                produced.append(next)
            }
        }
        return produced
    }

    /// Draws one index from `logits` with temperature and top-k (see ``sample(prompt:count:temperature:topK:generator:)``).
    static func pick(from logits: [Float], temperature: Float, topK: Int?, generator: RandomGenerator) -> Int {
        if temperature == 0 { return logits.indices.max { logits[$0] < logits[$1] } ?? 0 }
        var order = Array(logits.indices)
        if let topK, topK < logits.count {
            order.sort { logits[$0] > logits[$1] }
            order = Array(order.prefix(topK))
        }
        let m = order.map { logits[$0] }.max() ?? 0
        let weights = order.map { Foundation.exp(Double(logits[$0] - m) / Double(temperature)) }
        let total = weights.reduce(0, +)
        var u = generator.nextUniformDouble() * total
        for (i, w) in zip(order, weights) {
            u -= w
            if u < 0 { return i }
        }
        return order.last ?? 0
    }
}
