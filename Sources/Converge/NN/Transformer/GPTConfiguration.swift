import ConvergeCore

/// The shape and training options of a decoder-only language model (``GPT``).
public struct GPTConfiguration: Equatable, Sendable {
    /// How positions enter the model.
    public enum PositionalEncoding: String, Equatable, Sendable {
        /// A learned table (``LearnedPositionalEmbedding``), as GPT-2.
        case learned
        /// The fixed sinusoids (``SinusoidalPositionalEncoding``), as the 2017 Transformer.
        case sinusoidal
    }

    /// Number of token ids (256 for bytes).
    public var vocabularySize: Int
    /// Longest context the model reads.
    public var contextLength: Int
    /// `d_model`.
    public var modelDimension: Int
    /// Attention heads per block.
    public var headCount: Int
    /// Number of blocks `N`.
    public var layerCount: Int
    /// Hidden width of the feed-forward network.
    public var feedForwardDimension: Int
    /// Dropout on embeddings, attention weights and residual branches.
    public var dropout: Float
    /// The feed-forward activation.
    public var activation: Activation
    /// Pre-LN blocks (with a final LayerNorm) when true; post-LN blocks when false.
    public var normFirst: Bool
    /// The positional encoding.
    public var positionalEncoding: PositionalEncoding
    /// Whether the output projection shares the token embedding's weight.
    public var tiedEmbeddings: Bool
    /// Whether the residual projections (`out_proj`, `linear2`) are scaled by `1/√(2N)` at
    /// initialization (GPT-2).
    public var residualScaling: Bool

    /// A configuration; the defaults are a small pre-LN GPT with learned positions, GELU, tied
    /// embeddings and GPT-2 residual scaling.
    public init(vocabularySize: Int = 256, contextLength: Int = 128, modelDimension: Int = 128, headCount: Int = 4,
                layerCount: Int = 2, feedForwardDimension: Int? = nil, dropout: Float = 0.1,
                activation: Activation = .gelu(.none), normFirst: Bool = true,
                positionalEncoding: PositionalEncoding = .learned, tiedEmbeddings: Bool = true,
                residualScaling: Bool = true) {
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.modelDimension = modelDimension
        self.headCount = headCount
        self.layerCount = layerCount
        self.feedForwardDimension = feedForwardDimension ?? 4 * modelDimension
        self.dropout = dropout
        self.activation = activation
        self.normFirst = normFirst
        self.positionalEncoding = positionalEncoding
        self.tiedEmbeddings = tiedEmbeddings
        self.residualScaling = residualScaling
    }

    /// The first problem with the sizes, as `field: message`, or `nil` when they are usable.
    public var problem: String? {
        if vocabularySize <= 0 { return "vocab_size: must be positive, got \(vocabularySize)" }
        if contextLength <= 0 { return "context: must be positive, got \(contextLength)" }
        if modelDimension <= 0 { return "d_model: must be positive, got \(modelDimension)" }
        if headCount <= 0 || modelDimension % headCount != 0 {
            return "heads: must be a positive divisor of d_model \(modelDimension), got \(headCount)"
        }
        if layerCount <= 0 { return "layers: must be positive, got \(layerCount)" }
        if feedForwardDimension <= 0 { return "ffn: must be positive, got \(feedForwardDimension)" }
        if !(dropout >= 0 && dropout < 1) { return "dropout: must be in [0, 1), got \(dropout)" }
        if positionalEncoding == .sinusoidal && modelDimension % 2 != 0 {
            return "positional: sinusoidal needs an even d_model, got \(modelDimension)"
        }
        return nil
    }
}
