import ConvergeCore

extension ModelBuilder {
    /// Builds a sequence layer of a recipe's layer list (`embedding`, `positional_embedding`,
    /// `transformer_block`, `lstm`, `gru`, `gpt`) for per-sample input `shape`, appends it to
    /// `model` and returns the output shape; `nil` when `spec.kind` is not one of them.
    ///
    /// - `embedding {vocab, dim}`: `[T]` token ids → `[T, dim]`.
    /// - `positional_embedding {max_length, sinusoidal}`: `[T, D]` → `[T, D]` (learned unless sinusoidal).
    /// - `transformer_block {heads, ffn, dropout, norm_first, causal, relu}`: `[T, D]` → `[T, D]`
    ///   (defaults: ffn 4·D, dropout 0, pre-LN, causal, GELU).
    /// - `lstm` / `gru {hidden, layers, last}`: `[T, F]` → `[T, hidden]`, or `[hidden]` with `last`.
    /// - `residual {layers: [...]}`: `x + f(x)` around a layer list whose output has `x`'s shape.
    /// - `gpt {…}`: `[T]` token ids → `[T, vocab_size]` (see ``GPT``; vocab_size and context
    ///   default to the data's).
    ///
    /// Each layer's parameters and the activations it keeps beyond its output (attention scores,
    /// recurrent states through time) are added to `memory` before it is allocated.
    static func buildSequenceLayer(_ spec: Recipe.LayerSpec, shape: [Int], outputs: Int, into model: Sequential,
                                   file: String, memory: inout MemoryEstimate, generator: RandomGenerator) throws -> [Int]? {
        func fail(_ message: String) -> RecipeError {
            RecipeError(file: file, line: spec.line, field: spec.path, message: "\(spec.kind) does not fit input of shape \(shape): \(message)")
        }
        func positive(_ name: String, _ fallback: Int? = nil) throws -> Int {
            guard let v = spec.options[name] else {
                if let fallback { return fallback }
                throw RecipeError(file: file, line: spec.line, field: "\(spec.path).\(spec.kind)", message: "missing required option '\(name)'")
            }
            guard v == v.rounded(), v >= 1, v < 1e9 else {
                throw RecipeError(file: file, line: spec.line, field: "\(spec.path).\(spec.kind).\(name)", message: "must be a positive integer, got \(v)")
            }
            return Int(v)
        }
        func parameters(_ count: Int?, _ detail: String) throws {
            try memory.addParameters(count, line: spec.line, field: spec.path, detail: "\(spec.kind) \(detail)")
        }
        func activations(_ count: Int?, _ detail: String) throws {
            try memory.addActivations(count, line: spec.line, field: spec.path, detail: "\(spec.kind) \(detail)")
        }
        func flag(_ name: String, _ fallback: Bool) -> Bool { spec.options[name].map { $0 != 0 } ?? fallback }
        func probability(_ name: String) throws -> Float {
            let p = spec.options[name] ?? 0
            guard p >= 0 && p < 1 else {
                throw RecipeError(file: file, line: spec.line, field: "\(spec.path).\(spec.kind).\(name)", message: "must be in [0, 1), got \(p)")
            }
            return Float(p)
        }
        switch spec.kind {
        case "embedding":
            guard shape.count == 1 else { throw fail("expects [T] token ids") }
            let dim = try positive("dim"), vocabulary = try positive("vocab")
            try parameters(MemoryEstimate.embeddingParameters(vocabulary: vocabulary, dimension: dim), "vocab \(vocabulary) × dim \(dim)")
            model.append(Embedding(vocabulary, dim, generator: generator))
            return shape + [dim]
        case "positional_embedding":
            guard shape.count == 2 else { throw fail("expects [T, D]; put it after an embedding") }
            let maxLength = try positive("max_length", shape[0])
            guard maxLength >= shape[0] else { throw fail("max_length \(maxLength) is shorter than the sequence length \(shape[0])") }
            if flag("sinusoidal", false) {
                guard shape[1] % 2 == 0 else { throw fail("sinusoidal positions need an even width, got \(shape[1])") }
                model.append(SinusoidalPositionalEncoding(maxLength: maxLength, dimension: shape[1]))
            } else {
                try parameters(MemoryEstimate.embeddingParameters(vocabulary: maxLength, dimension: shape[1]),
                               "max_length \(maxLength) × width \(shape[1])")
                model.append(LearnedPositionalEmbedding(maxLength: maxLength, dimension: shape[1], generator: generator))
            }
            return shape
        case "transformer_block":
            guard shape.count == 2 else { throw fail("expects [T, D]") }
            let heads = try positive("heads")
            guard shape[1] % heads == 0 else { throw fail("heads \(heads) must divide the width \(shape[1])") }
            let ffn = try positive("ffn", 4 * shape[1])
            try parameters(MemoryEstimate.transformerBlockParameters(width: shape[1], feedForward: ffn), "width \(shape[1]), ffn \(ffn)")
            try activations(MemoryEstimate.transformerBlockActivations(tokens: shape[0], width: shape[1], heads: heads, feedForward: ffn),
                            "attention over \(shape[0]) positions × \(heads) heads, ffn \(ffn)")
            model.append(TransformerEncoderLayer(modelDimension: shape[1], headCount: heads,
                                                 feedForwardDimension: ffn,
                                                 dropout: try probability("dropout"),
                                                 activation: flag("relu", false) ? .relu : .gelu(.none), batchFirst: true,
                                                 normFirst: flag("norm_first", true), isCausal: flag("causal", true),
                                                 initGenerator: generator))
            return shape
        case "lstm", "gru":
            guard shape.count == 2 else { throw fail("expects [T, features]; add a reshape layer first (e.g. reshape: [T, 1])") }
            let hidden = try positive("hidden"), layers = try positive("layers", 1), gates = spec.kind == "lstm" ? 4 : 3
            try parameters(MemoryEstimate.recurrentParameters(gates: gates, inputs: shape[1], hidden: hidden, layers: layers),
                           "hidden \(hidden) × \(layers) layers on \(shape[1]) features")
            try activations(MemoryEstimate.recurrentActivations(gates: gates, steps: shape[0], hidden: hidden, layers: layers),
                            "states of \(layers) layers × hidden \(hidden) through \(shape[0]) steps")
            model.append(spec.kind == "lstm"
                         ? LSTM(inputSize: shape[1], hiddenSize: hidden, layerCount: layers, batchFirst: true, generator: generator)
                         : GRU(inputSize: shape[1], hiddenSize: hidden, layerCount: layers, batchFirst: true, generator: generator))
            if flag("last", false) {
                model.append(LastTimeStep())
                return [hidden]
            }
            return [shape[0], hidden]
        case "residual":
            let branch = try buildLayers(spec.layers, inputShape: shape, outputs: 0, file: file, memory: &memory,
                                         generator: generator, checksOutput: false)
            // The branch's output shape, from one example of zeros (evaluation mode: no batch statistics).
            let probe = withNoGrad { () -> [Int] in
                branch.eval()
                defer { branch.train() }
                return Array(branch(Tensor.zeros([1] + shape)).shape.dropFirst())
            }
            guard probe == shape else { throw fail("the branch's output \(probe) must have the input's shape for x + f(x)") }
            model.append(Residual(branch))
            return shape
        case "gpt":
            guard shape.count == 1 else { throw fail("expects [T] token ids (a token-sequence data section)") }
            let vocabulary = try positive("vocab_size", outputs)
            guard vocabulary == outputs else {
                throw fail("vocab_size \(vocabulary) differs from the data's vocabulary of \(outputs) (set data.vocab_size for token files)")
            }
            let context = try positive("context", shape[0])
            guard context >= shape[0] else { throw fail("context \(context) is shorter than the data's context \(shape[0])") }
            let d = try positive("d_model", 128)
            let configuration = GPTConfiguration(
                vocabularySize: vocabulary, contextLength: context, modelDimension: d, headCount: try positive("heads", 4),
                layerCount: try positive("layers", 2), feedForwardDimension: try positive("ffn", 4 * d),
                dropout: try probability("dropout"), activation: flag("relu", false) ? .relu : .gelu(.none),
                normFirst: flag("norm_first", true), positionalEncoding: flag("sinusoidal", false) ? .sinusoidal : .learned,
                tiedEmbeddings: flag("tied", true), residualScaling: flag("residual_scaling", true))
            if let problem = configuration.problem {
                throw RecipeError(file: file, line: spec.line, field: "\(spec.path).gpt", message: problem)
            }
            let c = configuration
            let block = MemoryEstimate.transformerBlockParameters(width: d, feedForward: c.feedForwardDimension)
            let tables = MemoryEstimate.embeddingParameters(vocabulary: vocabulary, dimension: d)
                .flatMap { CheckedSize.product($0, c.tiedEmbeddings ? 1 : 2) }
                .flatMap { t in MemoryEstimate.embeddingParameters(vocabulary: context, dimension: d).flatMap { CheckedSize.sum(t, $0) } }
            try parameters(block.flatMap { CheckedSize.product($0, c.layerCount) }.flatMap { b in tables.flatMap { CheckedSize.sum(b, $0) } },
                           "vocab_size \(vocabulary), context \(context), d_model \(d), \(c.layerCount) layers")
            try activations(MemoryEstimate.transformerBlockActivations(tokens: shape[0], width: d, heads: c.headCount,
                                                                       feedForward: c.feedForwardDimension)
                                .flatMap { CheckedSize.product($0, c.layerCount) },
                            "attention over \(shape[0]) positions × \(c.headCount) heads in \(c.layerCount) layers")
            model.append(GPT(configuration, generator: generator))
            return [shape[0], vocabulary]
        default:
            return nil
        }
    }
}
