import ConvergeCore

/// Multi-head attention with the semantics and state-dictionary names of PyTorch's
/// `nn.MultiheadAttention` (`kdim = vdim = embed_dim`, no `add_bias_kv`, no `add_zero_attn`):
///
///     q, k, v = split(x · in_proj_weightᵀ + in_proj_bias)        (packed in-projection)
///     heads   = softmax(q kᵀ / √(E/H) + masks) · v                 (per head, dropout on the weights)
///     output  = concat(heads) · out_proj.weightᵀ + out_proj.bias
///
/// Parameters: ``inProjWeight`` `[3E, E]` (Xavier-uniform), ``inProjBias`` `[3E]` (zeros),
/// ``outProj`` (a ``Linear`` with PyTorch's default weight init and a zero bias). With
/// ``StateDictKeyStyle/pytorch`` their keys are `in_proj_weight`, `in_proj_bias`,
/// `out_proj.weight`, `out_proj.bias`, so `load_state_dict(strict=True)` takes them.
///
/// Inputs are `[B, L, E]` when ``batchFirst`` is true, else `[L, B, E]` (PyTorch's default).
/// `keyPaddingMask` is `[B, S]` and `attentionMask` `[L, S]` or `[B·H, L, S]`; both use
/// PyTorch's conventions (a boolean mask marks positions that are *not* allowed:
/// ``AttentionMask/blocked(_:)``; a float mask is added). `isCausal` adds the causal triangle
/// itself (PyTorch treats it only as a hint about `attn_mask`).
public final class MultiheadAttention: Module {
    /// The packed query, key and value projection weights, `[3E, E]`.
    @Parameter public var inProjWeight: Tensor
    /// The packed projection biases, `[3E]`, or `nil` without bias.
    @OptionalParameter public var inProjBias: Tensor?
    /// The output projection.
    public let outProj: Linear
    /// `E`, the model width.
    public let embedDimension: Int
    /// `H`, the number of heads (`E` must be divisible by it).
    public let headCount: Int
    /// Dropout probability on the attention weights (training only).
    public let dropout: Float
    /// Whether inputs are `[B, L, E]` (else `[L, B, E]`).
    public let batchFirst: Bool
    /// The generator for attention dropout; `nil` means `Random.generator` at call time.
    public let generator: RandomGenerator?

    /// Creates the layer with PyTorch's initialization.
    public init(embedDimension: Int, headCount: Int, dropout: Float = 0, bias: Bool = true, batchFirst: Bool = false,
                generator: RandomGenerator? = nil, initGenerator: RandomGenerator = Random.generator) {
        precondition(embedDimension > 0 && headCount > 0 && embedDimension % headCount == 0,
                     "MultiheadAttention: embedDimension \(embedDimension) must be a positive multiple of headCount \(headCount)")
        precondition(dropout >= 0 && dropout < 1, "MultiheadAttention: dropout must be in [0, 1), got \(dropout)")
        self.embedDimension = embedDimension
        self.headCount = headCount
        self.dropout = dropout
        self.batchFirst = batchFirst
        self.generator = generator
        let bound = (6 / Float(embedDimension + 3 * embedDimension)).squareRoot()
        inProjWeight = Tensor.randomUniform([3 * embedDimension, embedDimension], low: -bound, high: bound,
                                            generator: initGenerator)
        inProjBias = bias ? Tensor.zeros([3 * embedDimension]) : nil
        outProj = Linear(embedDimension, embedDimension, bias: bias, generator: initGenerator)
        if let b = outProj.bias { b.fill(0) }
        super.init()
    }

    /// Self-attention of `input` with no mask.
    public override func forward(_ input: Tensor) -> Tensor {
        self(query: input, key: input, value: input)
    }

    /// Attends from `query` to `key`/`value` (pass the same tensor three times for
    /// self-attention; the projection then runs as one GEMM). Returns the attention output in
    /// the layout of the inputs.
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor, keyPaddingMask: AttentionMask? = nil,
                               attentionMask: AttentionMask? = nil, isCausal: Bool = false) -> Tensor {
        attend(query: query, key: key, value: value, keyPaddingMask: keyPaddingMask, attentionMask: attentionMask,
               isCausal: isCausal, weights: nil).output
    }

    /// The attention output and the attention weights, as PyTorch's `need_weights=True`: the
    /// weights are `[B, L, S]` averaged over the heads when `averageOverHeads` is true
    /// (`average_attn_weights=True`, PyTorch's default), else `[B, H, L, S]`; in training they are
    /// the weights after dropout, the ones that multiplied the values. Both are differentiable.
    /// This path materializes the weights with separate ops (the plain call uses the fused
    /// kernel); a query whose keys are all masked gets NaN weights, as in PyTorch.
    public func attendWithWeights(query: Tensor, key: Tensor, value: Tensor, keyPaddingMask: AttentionMask? = nil,
                                  attentionMask: AttentionMask? = nil, isCausal: Bool = false,
                                  averageOverHeads: Bool = true) -> (output: Tensor, weights: Tensor) {
        let result = attend(query: query, key: key, value: value, keyPaddingMask: keyPaddingMask,
                            attentionMask: attentionMask, isCausal: isCausal, weights: averageOverHeads)
        guard let weights = result.weights else { preconditionFailure("MultiheadAttention: no weights") }
        return (result.output, weights)
    }

    /// The layer; `weights` nil runs the fused kernel, otherwise the explicit path that also
    /// returns the weights (averaged over heads when `weights` is true).
    private func attend(query: Tensor, key: Tensor, value: Tensor, keyPaddingMask: AttentionMask?,
                        attentionMask: AttentionMask?, isCausal: Bool, weights averageOverHeads: Bool?) -> (output: Tensor, weights: Tensor?) {
        let E = embedDimension, H = headCount
        func toBatchFirst(_ t: Tensor, _ name: String) -> Tensor {
            precondition(t.rank == 3 && t.shape[2] == E,
                         "MultiheadAttention: \(name) must be \(batchFirst ? "[B, L, \(E)]" : "[L, B, \(E)]"), got \(t.shape)")
            return batchFirst ? t : t.transposed(0, 1)
        }
        let selfAttention = query === key && key === value
        let q0 = toBatchFirst(query, "query")
        let B = q0.shape[0], L = q0.shape[1]
        var packed: Tensor?
        var q: Tensor?, k: Tensor?, v: Tensor?
        if selfAttention {
            // One GEMM for the packed projection; the heads are read out of it in place. Under
            // bfloat16 autocast it is an autocast linear (weight cast once, bfloat16 output), as
            // PyTorch's `in_proj` under `torch.autocast`.
            if Kernels.gemmPrecision == .bfloat16 {
                packed = q0.bfloat16Linear(weight: inProjWeight.castToBFloat16(), bias: inProjBias)
            } else {
                packed = q0.linear(weight: inProjWeight, bias: inProjBias)
            }
        } else {
            let k0 = toBatchFirst(key, "key"), v0 = toBatchFirst(value, "value")
            precondition(k0.shape == v0.shape && k0.shape[0] == B,
                         "MultiheadAttention: key \(key.shape) and value \(value.shape) must match each other and the query's batch (query \(query.shape))")
            func project(_ x: Tensor, _ i: Int) -> Tensor {
                let w = inProjWeight.sliced(alongAxis: 0, (i * E)..<((i + 1) * E))
                let b = inProjBias?.sliced(alongAxis: 0, (i * E)..<((i + 1) * E))
                return x.linear(weight: w, bias: b).splitHeads(part: 0, of: 1, heads: H)
            }
            q = project(q0, 0); k = project(k0, 1); v = project(v0, 2)
        }
        let S = k?.shape[2] ?? L
        var masks: [Tensor] = []
        if let attentionMask {
            let m = attentionMask.additiveValues()
            if m.shape == [L, S] {
                masks.append(m)
            } else {
                precondition(m.shape == [B * H, L, S],
                             "MultiheadAttention: attentionMask must be [\(L), \(S)] or [\(B * H), \(L), \(S)], got \(m.shape)")
                masks.append(m.reshaped([B, H, L, S]))
            }
        }
        if let keyPaddingMask {
            let m = keyPaddingMask.additiveValues()
            precondition(m.shape == [B, S], "MultiheadAttention: keyPaddingMask must be [\(B), \(S)], got \(m.shape)")
            masks.append(m.reshaped([B, 1, 1, S]))
        }
        let attended: Tensor
        var weights: Tensor?
        if let averageOverHeads {
            let qh = q ?? packed!.splitHeads(part: 0, of: 3, heads: H), kh = k ?? packed!.splitHeads(part: 1, of: 3, heads: H)
            let vh = v ?? packed!.splitHeads(part: 2, of: 3, heads: H)
            var scores = qh.matmul(kh.transposed()) * (1 / Float(E / H).squareRoot())
            for m in masks { scores = scores + m }
            if isCausal { scores = scores + AttentionMask.causal(queries: L, keys: S).additiveValues() }
            var p = scores.softmax(alongAxis: -1)
            if isTraining && dropout > 0 { p = p.dropout(probability: dropout, generator: generator ?? Random.generator) }
            attended = p.matmul(vh).mergeHeads()
            weights = averageOverHeads ? p.mean(alongAxis: 1) : p
        } else if let packed {
            attended = Tensor.packedSelfAttention(packed, heads: H, masks: masks, isCausal: isCausal,
                                                  dropout: isTraining ? dropout : 0, generator: generator ?? Random.generator)
        } else if let q, let k, let v {
            attended = Tensor.attentionKernel(query: q, key: k, value: v, masks: masks, isCausal: isCausal,
                                              dropout: isTraining ? dropout : 0, scale: nil,
                                              generator: generator ?? Random.generator).mergeHeads()
        } else {
            preconditionFailure("MultiheadAttention: no projection")
        }
        let out = outProj(attended)
        return (batchFirst ? out : out.transposed(0, 1), weights)
    }
}
