import ConvergeCore
import Foundation

extension Tensor {
    /// Scaled dot-product attention with the semantics of PyTorch's
    /// `F.scaled_dot_product_attention`:
    ///
    ///     weights = softmax(query · keyᵀ · scale + mask)      (causal: keys after the query removed)
    ///     output  = dropout(weights) · value
    ///
    /// `query` is `[…, L, E]`, `key` `[…, S, E]` and `value` `[…, S, Ev]` with the same leading
    /// (batch, head) dimensions; the output is `[…, L, Ev]`. `mask` broadcasts to `[…, L, S]`
    /// (see ``AttentionMask`` for its conventions); `isCausal` keeps key `j` for query `i` only when
    /// `j ≤ i` (the top-left-aligned triangle); `scale` defaults to `1/√E`. Dropout on the weights
    /// runs only when `training` is true; its masks come from `generator`.
    ///
    /// One fused op (``AttentionCore``): the forward keeps only the softmax weights (`[…, L, S]`)
    /// and, with dropout, one seed drawn from `generator` — every batch entry's masks come from a
    /// generator seeded by it and the entry's index, and the backward pass redraws them instead
    /// of storing them. Batch entries run in parallel, each product single-threaded. Scores, masked scores and dropped weights are scratch memory.
    /// A query whose keys are all masked gets zero weights (and a zero output), as PyTorch's math
    /// backend does since 2.5.
    ///
    /// Gradients flow to `query`, `key`, `value` and an additive mask that requires one (summed
    /// over the dimensions it was broadcast along).
    /// - Precondition: the shapes fit as described, `mask` is nil when `isCausal` is true (as in
    ///   PyTorch), and `0 ≤ dropout < 1`.
    public static func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask? = nil,
                                                 isCausal: Bool = false, dropout: Float = 0, scale: Float? = nil,
                                                 training: Bool = true,
                                                 generator: RandomGenerator = Random.generator) -> Tensor {
        precondition(!(isCausal && mask != nil),
                     "scaledDotProductAttention: pass either a mask or isCausal, not both (as PyTorch requires)")
        return attentionKernel(query: query, key: key, value: value, masks: mask.map { [$0.additiveValues()] } ?? [],
                               isCausal: isCausal, dropout: training ? dropout : 0, scale: scale, generator: generator)
    }

    /// The fused attention op behind ``scaledDotProductAttention(query:key:value:mask:isCausal:dropout:scale:training:generator:)``:
    /// any number of additive masks (each broadcast to `[…, L, S]` and summed) and the causal
    /// triangle may be combined.
    static func attentionKernel(query q: Tensor, key k: Tensor, value v: Tensor, masks: [Tensor], isCausal: Bool,
                                dropout: Float, scale: Float?, generator: RandomGenerator) -> Tensor {
        let op = "scaledDotProductAttention"
        precondition(q.rank >= 2 && k.rank == q.rank && v.rank == q.rank,
                     "\(op): query \(q.shape), key \(k.shape) and value \(v.shape) need the same rank, at least 2")
        let r = q.rank
        let batchShape = Array(q.shape.dropLast(2))
        precondition(Array(k.shape.dropLast(2)) == batchShape && Array(v.shape.dropLast(2)) == batchShape,
                     "\(op): query \(q.shape), key \(k.shape) and value \(v.shape) need the same leading dimensions")
        let L = q.shape[r - 2], E = q.shape[r - 1], S = k.shape[r - 2], Ev = v.shape[r - 1]
        precondition(k.shape[r - 1] == E, "\(op): key \(k.shape) must end in the query's feature size \(E) (query \(q.shape))")
        precondition(v.shape[r - 2] == S, "\(op): value \(v.shape) needs \(S) rows like key \(k.shape)")
        precondition(dropout >= 0 && dropout < 1, "\(op): dropout must be in [0, 1), got \(dropout)")
        let batch = Shape.count(batchShape)
        let target = batchShape + [L, S]
        let views = AttentionMaskView.views(masks, target: target, op: op)
        var core = AttentionCore(items: batch, L: L, S: S, E: E, Ev: Ev, alpha: scale ?? 1 / Float(E).squareRoot(),
                                 isCausal: isCausal, dropout: dropout, masks: views,
                                 qLayout: .contiguous(rows: L, columns: E), kLayout: .contiguous(rows: S, columns: E),
                                 vLayout: .contiguous(rows: S, columns: Ev), oLayout: .contiguous(rows: L, columns: Ev))
        core.bfloat16 = AttentionCore.usesBFloat16
        // Under bfloat16 autocast the operands are rounded to bfloat16 once, for every product.
        let copies = core.bfloat16 ? [q, k, v].map(AttentionOperandCopy.init) : nil
        func operands() -> [GEMMOperand] {
            copies?.map(\.operand) ?? [q, k, v].map { .float32(UnsafePointer($0.storage.pointer)) }
        }
        let weights = Tensor(uninitializedShape: target)
        let out = Tensor(uninitializedShape: batchShape + [L, Ev])
        let seed = dropout > 0 ? generator.next() : 0
        let x = operands()
        core.forward(q: x[0], k: x[1], v: x[2], o: out.storage.pointer, weights: weights.storage.pointer, seed: seed)
        let gradMasks = masks.indices.filter { masks[$0].requiresGrad }
        return Tensor.recording(out, op: op, inputs: [q, k, v] + gradMasks.map { masks[$0] }) { g in
            let gq = Tensor(uninitializedShape: q.shape), gk = Tensor(uninitializedShape: k.shape)
            let gv = Tensor(uninitializedShape: v.shape)
            let maskGrads = gradMasks.map { Tensor.zeros(masks[$0].shape) }
            let g16 = core.bfloat16 ? AttentionOperandCopy(g) : nil
            defer { withExtendedLifetime(g16) {} }   // its bits are read by the products below
            let x = operands()
            core.backward(g: g16?.operand ?? .float32(UnsafePointer(g.storage.pointer)), weights: weights.storage.pointer,
                          seed: seed, q: x[0], k: x[1], v: x[2],
                          gq: gq.storage.pointer, gk: gk.storage.pointer, gv: gv.storage.pointer,
                          gradientMasks: gradMasks, maskGradients: maskGrads)
            return [q.requiresGrad ? gq : nil, k.requiresGrad ? gk : nil, v.requiresGrad ? gv : nil] + maskGrads
        }
    }
}
