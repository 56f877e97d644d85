import ConvergeCore

/// Sampling from any next-token model: a module mapping token ids `[1, T]` (as floats) to logits
/// whose last `vocabularySize` values are the next-token scores at the last position (`[1, T, V]`,
/// or `[T, V]` as recipe language models emit them).
public enum LanguageModelSampling {
    /// Continues `prompt` by `count` tokens (see ``GPT/sample(prompt:count:temperature:topK:generator:)``
    /// for temperature and top-k). The context is cropped to the last `contextLength` tokens; the
    /// model runs in evaluation mode without recording. A ``GPT`` samples through its
    /// ``GPTKeyValueCache``.
    /// - Precondition: `prompt` is non-empty with ids in `0..<vocabularySize`, `temperature ≥ 0`,
    ///   `topK > 0`, and the model's output ends with `vocabularySize` scores.
    public static func sample(_ model: Module, prompt: [Int], count: Int, contextLength: Int, vocabularySize: Int,
                              temperature: Float = 1, topK: Int? = nil, generator: RandomGenerator) -> [Int] {
        precondition(!prompt.isEmpty, "sample: the prompt is empty")
        precondition(prompt.allSatisfy { $0 >= 0 && $0 < vocabularySize }, "sample: prompt ids must lie in 0..<\(vocabularySize)")
        precondition(temperature >= 0, "sample: temperature must be ≥ 0, got \(temperature)")
        if let topK { precondition(topK > 0, "sample: topK must be positive, got \(topK)") }
        if let gpt = model as? GPT, gpt.configuration.contextLength == contextLength,
           gpt.configuration.vocabularySize == vocabularySize {
            // The GPT's own sampler: the same draws, with its key-value cache.
            return gpt.sample(prompt: prompt, count: count, temperature: temperature, topK: topK, generator: generator)
        }
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var context = prompt
        var produced: [Int] = []
        withNoGrad {
            for _ in 0..<count {
                let window = Array(context.suffix(contextLength))
                let logits = model(Tensor(shape: [1, window.count], scalars: window.map { Float($0) }))
                precondition(logits.shape.last == vocabularySize,
                             "sample: the model's output \(logits.shape) does not end with \(vocabularySize) scores")
                let last = Array(logits.scalars.suffix(vocabularySize))
                let next = pick(from: last, temperature: temperature, topK: topK, generator: generator)
                context.append(next)
                produced.append(next)
            }
        }
        return produced
    }

    /// Draws one index from `logits`: the argmax at temperature 0, else from
    /// `softmax(logits / temperature)` restricted to the `topK` largest.
    public static func pick(from logits: [Float], temperature: Float, topK: Int?, generator: RandomGenerator) -> Int {
        GPT.pick(from: logits, temperature: temperature, topK: topK, generator: generator)
    }
}
