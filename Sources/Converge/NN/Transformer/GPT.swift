import ConvergeCore

/// A decoder-only Transformer language model (GPT): token embedding + positions → dropout →
/// `N` causal ``TransformerEncoderLayer`` blocks → (pre-LN: a final LayerNorm) → a linear head
/// to vocabulary logits, optionally tied to the token embedding.
///
/// Initialization follows GPT-2: every Linear and embedding weight from N(0, 0.02), biases zero,
/// LayerNorms at identity, and (with ``GPTConfiguration/residualScaling``) the residual
/// projections — each block's `self_attn.out_proj.weight` and `linear2.weight` — scaled by
/// `1/√(2N)` (``GPT2ResidualScaling``).
///
/// Input: token ids `[B, T]` as an `IndexTensor` (or a float tensor of ids through
/// ``forward(_:)``, for the training loop); output: logits `[B, T, V]`.
public final class GPT: Module {
    /// The token table `wte`, `[V, D]`.
    public let tokenEmbedding: Embedding
    /// The positions (``LearnedPositionalEmbedding`` or ``SinusoidalPositionalEncoding``).
    public let positionalEmbedding: Module
    /// Dropout on the summed embeddings.
    public let embeddingDropout: Dropout
    /// The blocks.
    public let blocks: [TransformerEncoderLayer]
    /// The final LayerNorm of a pre-LN model, `nil` for post-LN.
    public let finalNorm: LayerNorm?
    /// The output projection `D → V` (no bias); its weight is the token table when tied.
    public let head: Linear
    /// The configuration the model was built from.
    public let configuration: GPTConfiguration

    /// Builds and initializes the model.
    /// - Precondition: `configuration.problem` is nil.
    public init(_ configuration: GPTConfiguration, generator: RandomGenerator = Random.generator) {
        if let problem = configuration.problem { preconditionFailure("GPT: \(problem)") }
        let c = configuration
        self.configuration = c
        tokenEmbedding = Embedding(c.vocabularySize, c.modelDimension, generator: generator)
        switch c.positionalEncoding {
        case .learned: positionalEmbedding = LearnedPositionalEmbedding(maxLength: c.contextLength, dimension: c.modelDimension, generator: generator)
        case .sinusoidal: positionalEmbedding = SinusoidalPositionalEncoding(maxLength: c.contextLength, dimension: c.modelDimension)
        }
        embeddingDropout = Dropout(c.dropout)
        blocks = (0..<c.layerCount).map { _ in
            TransformerEncoderLayer(modelDimension: c.modelDimension, headCount: c.headCount,
                                    feedForwardDimension: c.feedForwardDimension, dropout: c.dropout,
                                    activation: c.activation, batchFirst: true, normFirst: c.normFirst,
                                    isCausal: true, initGenerator: generator)
        }
        finalNorm = c.normFirst ? LayerNorm(c.modelDimension) : nil
        head = Linear(c.modelDimension, c.vocabularySize, bias: false, generator: generator)
        super.init()
        initializeGPT2(generator: generator)
        if c.tiedEmbeddings { head.weight = tokenEmbedding.weight }
        if c.residualScaling { GPT.residualScaling(layerCount: c.layerCount).apply(to: self) }
    }

    /// GPT-2's residual scaling rule for a stack of ``TransformerEncoderLayer`` blocks: the
    /// weights named `…self_attn.out_proj.weight` / `…selfAttn.outProj.weight` and `…linear2.weight`
    /// are multiplied by `1/√(2·layerCount)`.
    public static func residualScaling(layerCount: Int) -> GPT2ResidualScaling {
        GPT2ResidualScaling(layerCount: layerCount, selection: .named {
            $0.hasSuffix("selfAttn.outProj.weight") || $0.hasSuffix("linear2.weight")
        })
    }

    private func initializeGPT2(generator: RandomGenerator) {
        for (name, p) in namedParameters() {
            if name.hasSuffix("bias") {
                p.fill(0)
            } else if name.hasPrefix("finalNorm") || name.contains(".norm1.") || name.contains(".norm2.") {
                p.fill(1)
            } else {
                generator.fillNormal(p.storage.buffer, mean: 0, std: 0.02)
            }
        }
    }

    /// Logits `[B, T, V]` for token ids `[B, T]` held as floats.
    public override func forward(_ input: Tensor) -> Tensor { logits(IndexTensor(exactly: input)) }

    /// Logits `[B, T, V]` for token ids `[B, T]`.
    public func logits(_ tokens: IndexTensor) -> Tensor {
        precondition(tokens.rank == 2 && tokens.shape[1] <= configuration.contextLength && tokens.shape[1] > 0,
                     "GPT: tokens must be [B, T] with 0 < T ≤ \(configuration.contextLength), got \(tokens.shape)")
        var x = embeddingDropout(positionalEmbedding(tokenEmbedding(tokens)))
        for block in blocks { x = block(x) }
        if let finalNorm { x = finalNorm(x) }
        return head(x)
    }
}
