import ConvergeCore
import Foundation

/// The fused attention kernel behind ``Tensor/scaledDotProductAttention(query:key:value:mask:isCausal:dropout:scale:training:generator:)``
/// and ``MultiheadAttention``: for every item (a batch entry, or one head of one sequence)
///
///     P = softmax(alpha · Q Kᵀ + masks)        (causal: keys after the query removed)
///     O = dropout(P) · V
///
/// with the items spread over the cores (``Kernels/forEachBatchRange(_:parallel:_:)``: each
/// worker runs its products single-threaded) and read and written where they lie
/// (``MatrixBatchLayout``), so heads of a packed projection need no split or merge copies.
/// Scale, masks, the causal triangle, softmax and dropout are one pass over each score row.
///
/// Only `P` is kept for the backward pass. The dropout mask is one ``DropoutMask`` keyed by
/// `seed` over all items' weights (item `i` owns elements `i·L·S ..< (i+1)·L·S`), so it does not
/// depend on the number of threads and the backward pass redraws it instead of storing it.
struct AttentionCore {
    /// Items (batch entries × heads).
    let items: Int
    /// Queries, keys, query/key features and value features per item.
    let L: Int, S: Int, E: Int, Ev: Int
    /// The score scale.
    let alpha: Float
    /// Whether key `j` is removed for query `i < j`.
    let isCausal: Bool
    /// Dropout probability on the weights.
    let dropout: Float
    /// Additive masks, read with broadcast strides.
    let masks: [AttentionMaskView]
    /// Where each item's query, key, value and output matrices lie.
    let qLayout: MatrixBatchLayout, kLayout: MatrixBatchLayout, vLayout: MatrixBatchLayout, oLayout: MatrixBatchLayout

    private var ls: Int { L * S }

    /// The dropout mask over every item's weights.
    private func dropoutMask(seed: UInt64) -> DropoutMask { DropoutMask(keep: 1 - Double(dropout), key: seed) }

    /// Computes the outputs into `o` and the softmax weights (`items × L × S`, contiguous) into `weights`.
    func forward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                 o: UnsafeMutablePointer<Float>, weights: UnsafeMutablePointer<Float>, seed: UInt64) {
        let ls = self.ls
        let mask = dropout > 0 ? dropoutMask(seed: seed) : nil
        Kernels.forEachBatchRange(items) { range, worker in
            let scratch = mask != nil ? UnsafeMutablePointer<Float>.allocate(capacity: ls) : nil
            defer { scratch?.deallocate() }
            for i in range {
                let w = weights + i * ls
                Kernels.singleThreadedGEMM(transA: false, transB: true, m: L, n: S, k: E, alpha: alpha,
                                           a: q + qLayout.offset(i), lda: qLayout.rowStride,
                                           b: k + kLayout.offset(i), ldb: kLayout.rowStride, beta: 0, c: w, ldc: S,
                                           worker: worker)
                for view in masks { view.add(to: w, batch: i, rows: L, columns: S) }
                Kernels.softmaxRows(w, w, rows: L, columns: S, causal: isCausal, emptyRowsGiveZero: true)
                var attend = UnsafePointer(w)
                if let scratch, let mask {
                    mask.apply(w, scratch, count: ls, first: i * ls)
                    attend = UnsafePointer(scratch)
                }
                Kernels.singleThreadedGEMM(transA: false, transB: false, m: L, n: Ev, k: S, alpha: 1, a: attend, lda: S,
                                           b: v + vLayout.offset(i), ldb: vLayout.rowStride, beta: 0,
                                           c: o + oLayout.offset(i), ldc: oLayout.rowStride, worker: worker)
            }
        }
    }

    /// Writes the gradients of queries, keys and values (in their layouts, every element of every
    /// item) for the output gradient `g` (in ``oLayout``), and adds the score gradients into
    /// `maskGradients` (one per mask in `gradientMasks`, indices into ``masks``).
    func backward(g: UnsafePointer<Float>, weights: UnsafePointer<Float>, seed: UInt64,
                  q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                  gq: UnsafeMutablePointer<Float>, gk: UnsafeMutablePointer<Float>, gv: UnsafeMutablePointer<Float>,
                  gradientMasks: [Int], maskGradients: [Tensor]) {
        let ls = self.ls
        let mask = dropout > 0 ? dropoutMask(seed: seed) : nil
        // Mask gradients sum over the items a mask is broadcast across: one thread then.
        Kernels.forEachBatchRange(items, parallel: gradientMasks.isEmpty) { range, worker in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: ls * (dropout > 0 ? 3 : 1))
            defer { scratch.deallocate() }
            let dP = scratch
            for i in range {
                let w = weights + i * ls, gOut = g + oLayout.offset(i)
                var attend = w
                var dropMask: UnsafeMutablePointer<Float>?
                if let mask {
                    let m = scratch + ls, d = scratch + 2 * ls
                    mask.fill(m, count: ls, first: i * ls)
                    mask.apply(w, d, count: ls, first: i * ls)
                    attend = UnsafePointer(d)
                    dropMask = m
                }
                // dV = (dropped weights)ᵀ · dO
                Kernels.singleThreadedGEMM(transA: true, transB: false, m: S, n: Ev, k: L, alpha: 1, a: attend, lda: S,
                                           b: gOut, ldb: oLayout.rowStride, beta: 0,
                                           c: gv + vLayout.offset(i), ldc: vLayout.rowStride, worker: worker)
                // dP = dO · Vᵀ
                Kernels.singleThreadedGEMM(transA: false, transB: true, m: L, n: S, k: Ev, alpha: 1,
                                           a: gOut, lda: oLayout.rowStride, b: v + vLayout.offset(i), ldb: vLayout.rowStride,
                                           beta: 0, c: dP, ldc: S, worker: worker)
                // dScores = P ∘ (dP ∘ mask − rowsum(P ∘ dP ∘ mask)), one pass per row
                Kernels.softmaxRowsBackward(output: w, gradient: dP, gradientScale: dropMask.map { UnsafePointer($0) },
                                            dP, rows: L, columns: S, causal: isCausal)
                for (n, m) in gradientMasks.enumerated() {
                    masks[m].accumulate(dP, into: maskGradients[n], batch: i, rows: L, columns: S)
                }
                // dQ = alpha · dS · K, dK = alpha · dSᵀ · Q
                Kernels.singleThreadedGEMM(transA: false, transB: false, m: L, n: E, k: S, alpha: alpha, a: dP, lda: S,
                                           b: k + kLayout.offset(i), ldb: kLayout.rowStride, beta: 0,
                                           c: gq + qLayout.offset(i), ldc: qLayout.rowStride, worker: worker)
                Kernels.singleThreadedGEMM(transA: true, transB: false, m: S, n: E, k: L, alpha: alpha, a: dP, lda: S,
                                           b: q + qLayout.offset(i), ldb: qLayout.rowStride, beta: 0,
                                           c: gk + kLayout.offset(i), ldc: kLayout.rowStride, worker: worker)
            }
        }
    }
}

/// An additive mask read with broadcast strides against scores of shape `[…, L, S]`.
struct AttentionMaskView {
    let mask: Tensor
    let batchOffsets: [Int]
    let rowStride: Int, columnStride: Int

    /// A view of `mask` (its shape left-padded with ones to `padded`) against scores `target`.
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

    /// Checked views of `masks` against scores `target` (`[…, L, S]`), stopping with a message
    /// naming `op` when one does not broadcast.
    static func views(_ masks: [Tensor], target: [Int], op: String) -> [AttentionMaskView] {
        masks.map { mask in
            precondition(mask.rank <= target.count, "\(op): mask of shape \(mask.shape) does not broadcast to \(target)")
            let padded = [Int](repeating: 1, count: target.count - mask.rank) + mask.shape
            for (m, t) in zip(padded, target) {
                precondition(m == 1 || m == t, "\(op): mask of shape \(mask.shape) does not broadcast to scores of shape \(target)")
            }
            return AttentionMaskView(mask, padded: padded, target: target)
        }
    }

    /// Adds the mask's values for score batch `b` into `w` (rows × columns).
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
