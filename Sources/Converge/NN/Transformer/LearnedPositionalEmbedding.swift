import ConvergeCore

/// A learned position table added to token vectors, as GPT-2's `wpe`: `x[b, t] + weight[t]` for
/// inputs `[B, T, D]` with `T ≤ maxLength`. Initialized from N(0, 1) like ``Embedding`` (``GPT``
/// re-initializes it with std 0.02).
public final class LearnedPositionalEmbedding: Module {
    /// The table, `[maxLength, dimension]`.
    @Parameter public var weight: Tensor
    /// The longest sequence the table covers.
    public let maxLength: Int

    /// Creates a table for sequences up to `maxLength` of width `dimension`.
    public init(maxLength: Int, dimension: Int, generator: RandomGenerator = Random.generator) {
        precondition(maxLength > 0 && dimension > 0, "LearnedPositionalEmbedding: sizes must be positive, got \(maxLength) × \(dimension)")
        self.maxLength = maxLength
        weight = Tensor.randomNormal([maxLength, dimension], generator: generator)
        super.init()
    }

    /// Adds the first `T` rows of the table to `input` `[…, T, D]`.
    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 2 && input.shape[input.rank - 1] == weight.shape[1] && input.shape[input.rank - 2] <= maxLength,
                     "LearnedPositionalEmbedding: input \(input.shape) must be […, T ≤ \(maxLength), \(weight.shape[1])]")
        let t = input.shape[input.rank - 2]
        return input + (t == maxLength ? weight : weight.sliced(alongAxis: 0, 0..<t))
    }
}
