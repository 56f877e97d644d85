import ConvergeCore

extension Tensor {
    /// Multi-head self-attention read straight out of a packed projection: `packed` is
    /// `[B, T, 3E]` (queries, keys and values side by side, as `in_proj` makes them), each of the
    /// three split into `heads` heads of `E/heads` features; the result is the heads' outputs
    /// merged back, `[B, T, E]` — what `splitHeads` ×3, ``scaledDotProductAttention(query:key:value:mask:isCausal:dropout:scale:training:generator:)``
    /// and `mergeHeads` compute, without the split and merge copies: every head's products read
    /// and write the packed and merged tensors in place (``MatrixBatchLayout``), heads run in
    /// parallel, and the gradient is one `[B, T, 3E]` tensor.
    ///
    /// `masks` are additive and broadcast to the scores `[B, heads, T, T]`; `isCausal` removes
    /// keys after each query; dropout (probability `dropout`, drawn from `generator`) applies to
    /// the weights; `scale` defaults to `1/√(E/heads)`.
    static func packedSelfAttention(_ packed: Tensor, heads: Int, masks: [Tensor], isCausal: Bool, dropout: Float,
                                    scale: Float? = nil, generator: RandomGenerator) -> Tensor {
        let op = "packedSelfAttention"
        precondition(packed.rank == 3 && packed.shape[2] % 3 == 0,
                     "\(op): input must be [B, T, 3·E], got \(packed.shape)")
        let B = packed.shape[0], T = packed.shape[1], E = packed.shape[2] / 3
        precondition(heads > 0 && E % heads == 0, "\(op): \(E) features do not split into \(heads) heads")
        precondition(dropout >= 0 && dropout < 1, "\(op): dropout must be in [0, 1), got \(dropout)")
        let D = E / heads
        let views = AttentionMaskView.views(masks, target: [B, heads, T, T], op: op)
        let inLayout = MatrixBatchLayout(inner: heads, outerStride: T * 3 * E, innerStride: D, rowStride: 3 * E)
        let outLayout = MatrixBatchLayout(inner: heads, outerStride: T * E, innerStride: D, rowStride: E)
        var core = AttentionCore(items: B * heads, L: T, S: T, E: D, Ev: D, alpha: scale ?? 1 / Float(D).squareRoot(),
                                 isCausal: isCausal, dropout: dropout, masks: views,
                                 qLayout: inLayout, kLayout: inLayout, vLayout: inLayout, oLayout: outLayout)
        core.bfloat16 = AttentionCore.usesBFloat16
        // Under bfloat16 autocast the projection is rounded to bfloat16 once, for every product.
        let packed16 = core.bfloat16 ? AttentionOperandCopy(packed) : nil
        let weights = Tensor(uninitializedShape: [B, heads, T, T])
        let out = Tensor(uninitializedShape: [B, T, E])
        let seed = dropout > 0 ? generator.next() : 0
        let p = packed16?.operand ?? .float32(UnsafePointer(packed.storage.pointer))
        core.forward(q: p, k: p.advanced(by: E), v: p.advanced(by: 2 * E), o: out.storage.pointer,
                     weights: weights.storage.pointer, seed: seed)
        let gradMasks = masks.indices.filter { masks[$0].requiresGrad }
        return Tensor.recording(out, op: op, inputs: [packed] + gradMasks.map { masks[$0] }) { g in
            let gPacked = Tensor(uninitializedShape: packed.shape)
            let maskGrads = gradMasks.map { Tensor.zeros(masks[$0].shape) }
            let g16 = core.bfloat16 ? AttentionOperandCopy(g) : nil
            defer { withExtendedLifetime(g16) {} }   // its bits are read by the products below
            let p = packed16?.operand ?? .float32(UnsafePointer(packed.storage.pointer)), gp = gPacked.storage.pointer
            core.backward(g: g16?.operand ?? .float32(UnsafePointer(g.storage.pointer)), weights: weights.storage.pointer,
                          seed: seed, q: p, k: p.advanced(by: E), v: p.advanced(by: 2 * E), gq: gp, gk: gp + E, gv: gp + 2 * E,
                          gradientMasks: gradMasks, maskGradients: maskGrads)
            return [packed.requiresGrad ? gPacked : nil] + maskGrads
        }
    }
}
