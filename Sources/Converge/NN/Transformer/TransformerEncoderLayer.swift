import ConvergeCore

/// One Transformer encoder layer with the semantics and state-dictionary names of PyTorch's
/// `nn.TransformerEncoderLayer`: self-attention and a feed-forward network, each inside a
/// residual connection with dropout, in one of two orders:
///
///     post-LN (normFirst false, the 2017 original):   x = norm1(x + sa(x));        x = norm2(x + ff(x))
///     pre-LN  (normFirst true, GPT-2 and later):      x = x + sa(norm1(x));        x = x + ff(norm2(x))
///
/// where `sa(x) = dropout1(selfAttn(x, x, x))` and `ff(x) = dropout2(linear2(dropout(act(linear1(x)))))`.
/// Submodules are named as PyTorch names them (`self_attn.in_proj_weight`, `linear1`, `linear2`,
/// `norm1`, `norm2` with ``StateDictKeyStyle/pytorch``). `linear1` fuses the activation
/// (``Linear/init(_:_:bias:activation:generator:)``), which adds no parameters.
///
/// With ``isCausal`` true every call masks future positions, which makes the layer a
/// decoder-only (GPT) block; ``GPT`` stacks them.
public final class TransformerEncoderLayer: Module {
    /// The self-attention.
    public let selfAttn: MultiheadAttention
    /// The first feed-forward projection `E → F`, with the activation fused.
    public let linear1: Linear
    /// Dropout after the activation.
    public let dropout: Dropout
    /// The second feed-forward projection `F → E` (a residual projection, see ``GPT2ResidualScaling``).
    public let linear2: Linear
    /// The norm of the attention sublayer.
    public let norm1: LayerNorm
    /// The norm of the feed-forward sublayer.
    public let norm2: LayerNorm
    /// Dropout on the attention branch.
    public let dropout1: Dropout
    /// Dropout on the feed-forward branch.
    public let dropout2: Dropout
    /// Pre-LN when true, post-LN when false.
    public let normFirst: Bool
    /// Whether every call applies the causal mask.
    public let isCausal: Bool

    /// Creates the layer with PyTorch's defaults (feed-forward 2048, dropout 0.1, ReLU, eps 1e-5,
    /// sequence-first, post-LN).
    public init(modelDimension: Int, headCount: Int, feedForwardDimension: Int = 2048, dropout: Float = 0.1,
                activation: Activation = .relu, layerNormEpsilon: Float = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, bias: Bool = true, isCausal: Bool = false,
                generator: RandomGenerator? = nil, initGenerator: RandomGenerator = Random.generator) {
        precondition(feedForwardDimension > 0, "TransformerEncoderLayer: feedForwardDimension must be positive")
        selfAttn = MultiheadAttention(embedDimension: modelDimension, headCount: headCount, dropout: dropout, bias: bias,
                                      batchFirst: batchFirst, generator: generator, initGenerator: initGenerator)
        linear1 = Linear(modelDimension, feedForwardDimension, bias: bias, activation: activation, generator: initGenerator)
        self.dropout = Dropout(dropout, generator: generator)
        linear2 = Linear(feedForwardDimension, modelDimension, bias: bias, generator: initGenerator)
        norm1 = LayerNorm(modelDimension, epsilon: layerNormEpsilon, bias: bias)
        norm2 = LayerNorm(modelDimension, epsilon: layerNormEpsilon, bias: bias)
        dropout1 = Dropout(dropout, generator: generator)
        dropout2 = Dropout(dropout, generator: generator)
        self.normFirst = normFirst
        self.isCausal = isCausal
        super.init()
    }

    /// The layer without masks (causal when ``isCausal``).
    public override func forward(_ input: Tensor) -> Tensor { encode(input, mask: nil, keyPaddingMask: nil) }

    /// The layer with optional masks in `nn.MultiheadAttention`'s conventions (`mask` is
    /// `src_mask`, `keyPaddingMask` is `src_key_padding_mask`). Forward hooks run only when the
    /// layer is called without masks (through ``Module/callAsFunction(_:)``).
    public func callAsFunction(_ input: Tensor, mask: AttentionMask?, keyPaddingMask: AttentionMask? = nil) -> Tensor {
        encode(input, mask: mask, keyPaddingMask: keyPaddingMask)
    }

    private func encode(_ input: Tensor, mask: AttentionMask?, keyPaddingMask: AttentionMask?) -> Tensor {
        func sa(_ x: Tensor) -> Tensor {
            dropout1(selfAttn(query: x, key: x, value: x, keyPaddingMask: keyPaddingMask, attentionMask: mask,
                              isCausal: isCausal))
        }
        func ff(_ x: Tensor) -> Tensor { dropout2(linear2(dropout(linear1(x)))) }
        if normFirst {
            let x = input + sa(norm1(input))
            return x + ff(norm2(x))
        }
        let x = norm1(input + sa(input))
        return norm2(x + ff(x))
    }
}
