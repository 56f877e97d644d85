import ConvergeCore

/// Next-token examples cut from a ``TokenSequence``: example `i` reads the `context` tokens from
/// position `i·stride` and its label is the same window shifted by one (the next token at every
/// position), both as float ids of shape `[context]` — what ``GPT/forward(_:)`` and
/// ``tokenCrossEntropy(logits:targets:ignoreIndex:)`` take.
public struct TokenWindowDataset: Dataset {
    /// The tokens windows are cut from.
    public let sequence: TokenSequence
    /// Tokens per example.
    public let context: Int
    /// Distance between the starts of consecutive windows (`context`: non-overlapping).
    public let stride: Int

    /// Cuts windows of `context` tokens every `stride` tokens (default: `context`).
    /// - Precondition: the sequence has more than `context` tokens.
    public init(_ sequence: TokenSequence, context: Int, stride: Int? = nil) {
        precondition(context > 0, "TokenWindowDataset: context must be positive, got \(context)")
        precondition(sequence.tokens.count > context,
                     "TokenWindowDataset: \(sequence.tokens.count) tokens are too few for a context of \(context)")
        self.sequence = sequence
        self.context = context
        self.stride = stride ?? context
        precondition(self.stride > 0, "TokenWindowDataset: stride must be positive")
    }

    /// Number of windows.
    public var count: Int { (sequence.tokens.count - 1 - context) / stride + 1 }
    /// `[context]`.
    public var featureShape: [Int] { [context] }
    /// `[context]`.
    public var labelShape: [Int] { [context] }

    /// Window `index` and its next tokens.
    public func example(at index: Int) -> (features: [Float], label: [Float]) {
        let start = index * stride
        let t = sequence.tokens
        return ((start..<(start + context)).map { Float(t[$0]) }, ((start + 1)...(start + context)).map { Float(t[$0]) })
    }

    /// The windows at `indices` as index tensors `[n, context]` (inputs, next-token targets).
    public func indexBatch(_ indices: [Int]) -> (inputs: IndexTensor, targets: IndexTensor) {
        var x = [Int32](), y = [Int32]()
        x.reserveCapacity(indices.count * context)
        y.reserveCapacity(indices.count * context)
        for i in indices {
            let start = i * stride
            x.append(contentsOf: sequence.tokens[start..<(start + context)])
            y.append(contentsOf: sequence.tokens[(start + 1)...(start + context)])
        }
        return (IndexTensor(shape: [indices.count, context], indices: x), IndexTensor(shape: [indices.count, context], indices: y))
    }
}
