import ConvergeCore

/// A mask on attention scores, in one of the three conventions PyTorch uses.
///
/// - ``additive(_:)``: float values added to the scores (0 keeps, `-inf` removes), as a float
///   `attn_mask` in both `F.scaled_dot_product_attention` and `nn.MultiheadAttention`.
/// - ``allowed(_:)``: a 0/1 tensor where nonzero means *takes part* — the boolean `attn_mask`
///   of `F.scaled_dot_product_attention`.
/// - ``blocked(_:)``: a 0/1 tensor where nonzero means *is masked out* — the boolean `attn_mask`
///   and `key_padding_mask` of `nn.MultiheadAttention`.
///
/// A gradient flows to an additive mask that requires one (as in PyTorch, e.g. for learned
/// position biases); none flows to a boolean mask.
public enum AttentionMask {
    /// Values added to the scores.
    case additive(Tensor)
    /// Nonzero positions take part; zero positions are removed (SDPA's boolean convention).
    case allowed(Tensor)
    /// Nonzero positions are removed (MultiheadAttention's boolean convention).
    case blocked(Tensor)

    /// The mask's shape.
    public var shape: [Int] {
        switch self { case .additive(let t), .allowed(let t), .blocked(let t): return t.shape }
    }

    /// The mask as additive values: 0 where attention is allowed, `-inf` where it is not (or the
    /// tensor itself for ``additive(_:)``).
    public func additiveValues() -> Tensor {
        switch self {
        case .additive(let t): return t
        case .allowed(let t): return Tensor(shape: t.shape, scalars: t.scalars.map { $0 != 0 ? 0 : -Float.infinity })
        case .blocked(let t): return Tensor(shape: t.shape, scalars: t.scalars.map { $0 != 0 ? -Float.infinity : 0 })
        }
    }

    /// The causal (upper-triangular) mask of PyTorch's `nn.Transformer.generate_square_subsequent_mask`:
    /// `-inf` above the diagonal of an `[length, length]` matrix, 0 on and below it.
    public static func causal(_ length: Int) -> AttentionMask {
        causal(queries: length, keys: length)
    }

    /// The causal mask aligned to the top-left corner (`torch.ones(L, S).tril()`), as
    /// `is_causal=True` builds it: query `i` sees keys `0...i`.
    public static func causal(queries: Int, keys: Int) -> AttentionMask {
        var values = [Float](repeating: 0, count: queries * keys)
        for i in 0..<queries { for j in 0..<keys where j > i { values[i * keys + j] = -.infinity } }
        return .additive(Tensor(shape: [queries, keys], scalars: values))
    }
}
