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
    /// One fused op: the forward keeps only the softmax weights (`[…, L, S]`) and, with dropout,
    /// the generator's state before the masks were drawn — the backward pass redraws the masks
    /// instead of storing them. Scores, masked scores and dropped weights are scratch memory.
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
        let maskViews: [MaskView] = masks.map { mask in
            precondition(mask.rank <= target.count, "\(op): mask of shape \(mask.shape) does not broadcast to \(target)")
            let padded = [Int](repeating: 1, count: target.count - mask.rank) + mask.shape
            for (m, t) in zip(padded, target) {
                precondition(m == 1 || m == t, "\(op): mask of shape \(mask.shape) does not broadcast to scores of shape \(target)")
            }
            return MaskView(mask, padded: padded, target: target)
        }
        let alpha = scale ?? 1 / Float(E).squareRoot()
        let ls = L * S
        let weights = Tensor(uninitializedShape: target)
        let out = Tensor(uninitializedShape: batchShape + [L, Ev])
        let pq = q.storage.pointer, pk = k.storage.pointer, pv = v.storage.pointer
        let pw = weights.storage.pointer, po = out.storage.pointer
        let savedState = dropout > 0 ? generator.state : []
        let keep = 1 - Double(dropout)
        let dropped = dropout > 0 ? UnsafeMutablePointer<Float>.allocate(capacity: ls * 2) : nil
        defer { dropped?.deallocate() }
        for b in 0..<batch {
            let w = pw + b * ls
            Kernels.gemm(transA: false, transB: true, m: L, n: S, k: E, alpha: alpha, a: pq + b * L * E, lda: E,
                         b: pk + b * S * E, ldb: E, beta: 0, c: w, ldc: S)
            for view in maskViews { view.add(to: w, batch: b, rows: L, columns: S) }
            softmaxRows(w, rows: L, columns: S, causal: isCausal)
            var attend = UnsafePointer(w)
            if let dropped {
                Tensor.fillDropoutMask(dropped, count: ls, keep: keep, generator: generator)
                for i in 0..<ls { dropped[ls + i] = w[i] * dropped[i] }
                attend = UnsafePointer(dropped + ls)
            }
            Kernels.gemm(transA: false, transB: false, m: L, n: Ev, k: S, alpha: 1, a: attend, lda: S,
                         b: pv + b * S * Ev, ldb: Ev, beta: 0, c: po + b * L * Ev, ldc: Ev)
        }
        let gradMasks = masks.indices.filter { masks[$0].requiresGrad }
        return Tensor.recording(out, op: op, inputs: [q, k, v] + gradMasks.map { masks[$0] }) { g in
            let gq = Tensor(uninitializedShape: q.shape), gk = Tensor(uninitializedShape: k.shape)
            let gv = Tensor(uninitializedShape: v.shape)
            let pg = g.storage.pointer, pw = weights.storage.pointer
            let pq = q.storage.pointer, pk = k.storage.pointer, pv = v.storage.pointer
            let pgq = gq.storage.pointer, pgk = gk.storage.pointer, pgv = gv.storage.pointer
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: ls * (dropout > 0 ? 3 : 1))
            defer { scratch.deallocate() }
            let redraw = dropout > 0 ? RandomGenerator(state: savedState) : nil
            let dP = scratch
            let maskGrads = gradMasks.map { Tensor.zeros(masks[$0].shape) }
            for b in 0..<batch {
                let w = pw + b * ls, gOut = pg + b * L * Ev
                var attend = UnsafePointer(w)
                var maskValues: UnsafeMutablePointer<Float>?
                if let redraw {
                    let m = scratch + ls, d = scratch + 2 * ls
                    Tensor.fillDropoutMask(m, count: ls, keep: keep, generator: redraw)
                    for i in 0..<ls { d[i] = w[i] * m[i] }
                    attend = UnsafePointer(d)
                    maskValues = m
                }
                // dV = (dropped weights)ᵀ · dO
                Kernels.gemm(transA: true, transB: false, m: S, n: Ev, k: L, alpha: 1, a: attend, lda: S,
                             b: gOut, ldb: Ev, beta: 0, c: pgv + b * S * Ev, ldc: Ev)
                // dP = dO · Vᵀ (∘ dropout mask)
                Kernels.gemm(transA: false, transB: true, m: L, n: S, k: Ev, alpha: 1, a: gOut, lda: Ev,
                             b: pv + b * S * Ev, ldb: Ev, beta: 0, c: dP, ldc: S)
                if let m = maskValues { for i in 0..<ls { dP[i] *= m[i] } }
                // dScores = P ∘ (dP − rowsum(P ∘ dP))
                for i in 0..<L {
                    let row = w + i * S, drow = dP + i * S
                    var dot: Float = 0
                    for j in 0..<S { dot += row[j] * drow[j] }
                    for j in 0..<S { drow[j] = row[j] * (drow[j] - dot) }
                }
                for (n, m) in gradMasks.enumerated() {
                    maskViews[m].accumulate(dP, into: maskGrads[n], batch: b, rows: L, columns: S)
                }
                Kernels.gemm(transA: false, transB: false, m: L, n: E, k: S, alpha: alpha, a: dP, lda: S,
                             b: pk + b * S * E, ldb: E, beta: 0, c: pgq + b * L * E, ldc: E)
                Kernels.gemm(transA: true, transB: false, m: S, n: E, k: L, alpha: alpha, a: dP, lda: S,
                             b: pq + b * L * E, ldb: E, beta: 0, c: pgk + b * S * E, ldc: E)
            }
            return [q.requiresGrad ? gq : nil, k.requiresGrad ? gk : nil, v.requiresGrad ? gv : nil] + maskGrads
        }
    }

    /// Softmax of each row in place; with `causal`, entries right of the diagonal are removed
    /// first. A row with no finite score becomes all zeros.
    private static func softmaxRows(_ w: UnsafeMutablePointer<Float>, rows: Int, columns: Int, causal: Bool) {
        for i in 0..<rows {
            let row = w + i * columns
            let visible = causal ? Swift.min(columns, i + 1) : columns
            var m = -Float.infinity
            for j in 0..<visible where row[j] > m { m = row[j] }
            if m == -.infinity {
                row.update(repeating: 0, count: columns)
                continue
            }
            var s: Float = 0
            for j in 0..<visible { let e = Foundation.exp(row[j] - m); row[j] = e; s += e }
            let inv = 1 / s
            for j in 0..<visible { row[j] *= inv }
            if visible < columns { (row + visible).update(repeating: 0, count: columns - visible) }
        }
    }
}

/// An additive mask read with broadcast strides against scores of shape `[…, L, S]`.
private struct MaskView {
    let mask: Tensor
    let batchOffsets: [Int]
    let rowStride: Int, columnStride: Int

    init(_ mask: Tensor, padded: [Int], target: [Int]) {
        self.mask = mask
        let strides = Shape.broadcastStrides(padded, to: target)
        let n = target.count
        rowStride = strides[n - 2]
        columnStride = strides[n - 1]
        let batchShape = Array(target.dropLast(2)), batchStrides = Array(strides.dropLast(2))
        var offsets = [Int](repeating: 0, count: Shape.count(batchShape))
        var index = [Int](repeating: 0, count: batchShape.count)
        for b in 0..<offsets.count {
            var off = 0
            for d in 0..<batchShape.count { off += index[d] * batchStrides[d] }
            offsets[b] = off
            var d = batchShape.count - 1
            while d >= 0 { index[d] += 1; if index[d] < batchShape[d] { break }; index[d] = 0; d -= 1 }
        }
        batchOffsets = offsets
    }

    func add(to w: UnsafeMutablePointer<Float>, batch b: Int, rows: Int, columns: Int) {
        let pm = mask.storage.pointer + batchOffsets[b]
        for i in 0..<rows {
            let row = w + i * columns, mrow = pm + i * rowStride
            for j in 0..<columns { row[j] += mrow[j * columnStride] }
        }
    }

    /// Adds score gradients `d` (rows × columns) into `gradient` (the mask's shape), summing over
    /// broadcast positions.
    func accumulate(_ d: UnsafePointer<Float>, into gradient: Tensor, batch b: Int, rows: Int, columns: Int) {
        let pg = gradient.storage.pointer + batchOffsets[b]
        for i in 0..<rows {
            let drow = d + i * columns, grow = pg + i * rowStride
            for j in 0..<columns { grow[j * columnStride] += drow[j] }
        }
    }
}
