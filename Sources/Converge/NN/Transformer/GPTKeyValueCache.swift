import ConvergeCore
import Foundation

/// The keys and values a ``GPT`` has computed for the tokens so far, so that each new token
/// costs one position's work instead of a forward pass over the whole context (a KV cache).
///
/// ``append(_:)`` runs the model on one more token at the next position — embedding and
/// position, every block with its attention over the cached keys and values (which are causal
/// by construction), the final norm and the head — and returns that position's logits, the same
/// numbers (up to float rounding) that ``GPT/logits(_:)`` gives for the last position of the
/// whole sequence. The model must be in evaluation mode (dropout off) and is run without
/// recording. The cache holds at most ``GPTConfiguration/contextLength`` positions.
public final class GPTKeyValueCache {
    /// The model the cache belongs to.
    public let model: GPT
    /// The number of positions cached.
    public private(set) var count = 0
    private var keys: [[Float]], values: [[Float]]
    private let width: Int

    /// An empty cache for `model`.
    public init(model: GPT) {
        self.model = model
        width = model.configuration.modelDimension
        let capacity = model.configuration.contextLength * width
        keys = model.blocks.map { _ in [Float](repeating: 0, count: capacity) }
        values = keys
    }

    /// Whether another position fits.
    public var isFull: Bool { count >= model.configuration.contextLength }

    /// Forgets every position.
    public func reset() { count = 0 }

    /// Runs the model on `token` at position ``count`` and returns its next-token logits
    /// (`vocabularySize` values).
    /// - Precondition: the cache is not full, the model is in evaluation mode, and `token` is in
    ///   the vocabulary.
    public func append(_ token: Int) -> [Float] {
        let c = model.configuration
        precondition(!isFull, "GPTKeyValueCache: all \(c.contextLength) positions are used; reset and start again")
        precondition(!model.isTraining, "GPTKeyValueCache: the model must be in evaluation mode (call eval())")
        precondition(token >= 0 && token < c.vocabularySize, "GPTKeyValueCache: token \(token) is not in 0..<\(c.vocabularySize)")
        let position = count
        return withNoGrad {
            var x = model.tokenEmbedding(IndexTensor(shape: [1, 1], [token])).reshaped([1, width]) + positionRow(position)
            for (b, block) in model.blocks.enumerated() {
                if block.normFirst {
                    x = x + attend(block, block.norm1(x), block: b, position: position)
                    x = x + block.linear2(block.linear1(block.norm2(x)))
                } else {
                    x = block.norm1(x + attend(block, x, block: b, position: position))
                    x = block.norm2(x + block.linear2(block.linear1(x)))
                }
            }
            if let finalNorm = model.finalNorm { x = finalNorm(x) }
            count = position + 1
            return model.head(x).scalars
        }
    }

    /// The positional term of `position`, `[1, D]`.
    private func positionRow(_ position: Int) -> Tensor {
        if let learned = model.positionalEmbedding as? LearnedPositionalEmbedding {
            return learned.weight.sliced(alongAxis: 0, position..<(position + 1))
        }
        if let sinusoidal = model.positionalEmbedding as? SinusoidalPositionalEncoding {
            return sinusoidal.table.sliced(alongAxis: 0, position..<(position + 1))
        }
        preconditionFailure("GPTKeyValueCache: unknown positional embedding \(type(of: model.positionalEmbedding))")
    }

    /// The block's self-attention output for input row `x` (`[1, E]`) at `position`, after
    /// appending its key and value to the cache.
    private func attend(_ layer: TransformerEncoderLayer, _ x: Tensor, block b: Int, position: Int) -> Tensor {
        let attention = layer.selfAttn
        let E = width, H = attention.headCount, D = E / H
        let packed = x.linear(weight: attention.inProjWeight, bias: attention.inProjBias).scalars
        let t = position + 1
        keys[b].withUnsafeMutableBufferPointer { k in
            values[b].withUnsafeMutableBufferPointer { v in
                for i in 0..<E {
                    k[position * E + i] = packed[E + i]
                    v[position * E + i] = packed[2 * E + i]
                }
            }
        }
        var out = [Float](repeating: 0, count: E)
        let scale = 1 / Float(D).squareRoot()
        var scores = [Float](repeating: 0, count: t)
        keys[b].withUnsafeBufferPointer { k in
            values[b].withUnsafeBufferPointer { v in
                for h in 0..<H {
                    var m = -Float.infinity
                    for j in 0..<t {
                        var dot: Float = 0
                        for d in 0..<D { dot += packed[h * D + d] * k[j * E + h * D + d] }
                        scores[j] = dot * scale
                        m = Swift.max(m, scores[j])
                    }
                    var total: Float = 0
                    for j in 0..<t { scores[j] = Foundation.exp(scores[j] - m); total += scores[j] }
                    for j in 0..<t {
                        let p = scores[j] / total
                        for d in 0..<D { out[h * D + d] += p * v[j * E + h * D + d] }
                    }
                }
            }
        }
        return attention.outProj(Tensor(shape: [1, E], scalars: out))
    }
}
