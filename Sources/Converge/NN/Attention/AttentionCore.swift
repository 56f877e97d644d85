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
/// Masks, the causal triangle and softmax are one pass over each score row (the C row kernel,
/// ``Kernels/softmaxRows(_:_:rows:columns:mode:causal:firstRow:emptyRowsGiveZero:)``).
///
/// Only `P` is kept for the backward pass. The dropout mask is one ``DropoutMask`` keyed by
/// `seed` over all items' weights (item `i` owns elements `i·L·S ..< (i+1)·L·S`), so it does not
/// depend on the number of threads and the backward pass redraws it instead of storing it.
///
/// With ``bfloat16`` the products run as bfloat16 GEMMs with float32 accumulation (autocast):
/// queries, keys, values and the output gradient arrive as bfloat16 operands (rounded once by
/// the caller, not once per product), and the dropped weights and the score gradients are
/// rounded into per-worker bfloat16 scratch for the products that read them. Scores, softmax and
/// its backward stay float32. Every product rounds exactly the values the float32 operand
/// path would round, so results do not depend on where the rounding happens.
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
    /// Whether the products run in bfloat16 (operands passed as bfloat16, see the type's notes).
    var bfloat16 = false

    private var ls: Int { L * S }

    /// Whether attention created now runs its products in bfloat16: under bfloat16 autocast
    /// (``Kernels/gemmPrecision``) with native bfloat16 GEMMs.
    static var usesBFloat16: Bool {
        roundsOperandsOnce && Kernels.gemmPrecision == .bfloat16 && Kernels.hasNativeBFloat16GEMM
    }

    /// Whether bfloat16 attention rounds its operands once (true) or leaves the rounding to each
    /// product (false: the float32 operand path, for tests that compare the two).
    nonisolated(unsafe) static var roundsOperandsOnce = true

    /// One worker's scratch in pooled tensor storage (no fresh pages every call): `floats`
    /// float32 and `halves` bfloat16 elements (nil when 0).
    private struct Scratch {
        private let f: Tensor, h: Tensor?
        let floats: UnsafeMutablePointer<Float>
        let halves: UnsafeMutablePointer<UInt16>?
        init(floats: Int, halves: Int) {
            f = Tensor(uninitializedShape: [Swift.max(1, floats)])
            h = halves > 0 ? Tensor(shape: [halves], storage: TensorStorage(uninitializedCount: halves, elementType: .bfloat16)) : nil
            self.floats = f.storage.pointer
            self.halves = h?.storage.bfloat16Bits
        }
    }

    /// The dropout mask over every item's weights.
    private func dropoutMask(seed: UInt64) -> DropoutMask { DropoutMask(keep: 1 - Double(dropout), key: seed) }

    /// One product on the worker's thread: float32 operands through
    /// ``Kernels/singleThreadedGEMM(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:worker:)``,
    /// bfloat16 operands through ``Kernels/gemmBFloat16(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// (single-threaded inside ``Kernels/forEachBatchRange(_:parallel:_:)``).
    @inline(__always)
    private func product(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: GEMMOperand, lda: Int, b: GEMMOperand, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, worker: Int) {
        if case .float32(let pa) = a, case .float32(let pb) = b {
            Kernels.singleThreadedGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: pa, lda: lda,
                                       b: pb, ldb: ldb, beta: 0, c: c, ldc: ldc, worker: worker)
        } else {
            Kernels.gemmBFloat16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                 b: b, ldb: ldb, beta: 0, c: c, ldc: ldc, choosingBySize: false)
        }
    }

    /// `x` as a product operand: float32 as it is, or rounded into `scratch` (``bfloat16``).
    @inline(__always)
    private func operand(_ x: UnsafePointer<Float>, count: Int, scratch: UnsafeMutablePointer<UInt16>?) -> GEMMOperand {
        guard let scratch else { return .float32(x) }
        Kernels.convertToBFloat16Serial(x, scratch, count: count)
        return .bfloat16(UnsafePointer(scratch))
    }

    /// Computes the outputs into `o` and the softmax weights (`items × L × S`, contiguous) into
    /// `weights`. `q`, `k`, `v` are float32, or bfloat16 with ``bfloat16``.
    func forward(q: GEMMOperand, k: GEMMOperand, v: GEMMOperand,
                 o: UnsafeMutablePointer<Float>, weights: UnsafeMutablePointer<Float>, seed: UInt64) {
        let ls = self.ls
        let mask = dropout > 0 ? dropoutMask(seed: seed) : nil
        Kernels.forEachBatchRange(items) { range, worker in
            let buffers = Scratch(floats: mask != nil ? ls : 0, halves: bfloat16 ? ls : 0)
            let scratch = mask != nil ? buffers.floats : nil, scratch16 = buffers.halves
            defer { withExtendedLifetime(buffers) {} }   // the pointers below live in its tensors
            for i in range {
                let w = weights + i * ls
                product(transA: false, transB: true, m: L, n: S, k: E, alpha: alpha,
                        a: q.advanced(by: qLayout.offset(i)), lda: qLayout.rowStride,
                        b: k.advanced(by: kLayout.offset(i)), ldb: kLayout.rowStride, c: w, ldc: S, worker: worker)
                for view in masks { view.add(to: w, batch: i, rows: L, columns: S) }
                Kernels.softmaxRows(w, w, rows: L, columns: S, causal: isCausal, emptyRowsGiveZero: true)
                var attend = UnsafePointer(w)
                if let scratch, let mask {
                    mask.apply(w, scratch, count: ls, first: i * ls)
                    attend = UnsafePointer(scratch)
                }
                product(transA: false, transB: false, m: L, n: Ev, k: S, alpha: 1,
                        a: operand(attend, count: ls, scratch: scratch16), lda: S,
                        b: v.advanced(by: vLayout.offset(i)), ldb: vLayout.rowStride,
                        c: o + oLayout.offset(i), ldc: oLayout.rowStride, worker: worker)
            }
        }
    }

    /// Writes the gradients of queries, keys and values (in their layouts, every element of every
    /// item) for the output gradient `g` (in ``oLayout``), and adds the score gradients into
    /// `maskGradients` (one per mask in `gradientMasks`, indices into ``masks``). `g`, `q`, `k`,
    /// `v` are float32, or bfloat16 with ``bfloat16``.
    func backward(g: GEMMOperand, weights: UnsafePointer<Float>, seed: UInt64,
                  q: GEMMOperand, k: GEMMOperand, v: GEMMOperand,
                  gq: UnsafeMutablePointer<Float>, gk: UnsafeMutablePointer<Float>, gv: UnsafeMutablePointer<Float>,
                  gradientMasks: [Int], maskGradients: [Tensor]) {
        let ls = self.ls
        let mask = dropout > 0 ? dropoutMask(seed: seed) : nil
        // Mask gradients sum over the items a mask is broadcast across: one thread then.
        Kernels.forEachBatchRange(items, parallel: gradientMasks.isEmpty) { range, worker in
            let buffers = Scratch(floats: ls * (mask != nil ? 3 : 1), halves: bfloat16 ? ls : 0)
            let scratch = buffers.floats, scratch16 = buffers.halves
            defer { withExtendedLifetime(buffers) {} }   // the pointers below live in its tensors
            let dP = scratch
            for i in range {
                let w = weights + i * ls, gOut = g.advanced(by: oLayout.offset(i))
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
                product(transA: true, transB: false, m: S, n: Ev, k: L, alpha: 1,
                        a: operand(attend, count: ls, scratch: scratch16), lda: S, b: gOut, ldb: oLayout.rowStride,
                        c: gv + vLayout.offset(i), ldc: vLayout.rowStride, worker: worker)
                // dP = dO · Vᵀ
                product(transA: false, transB: true, m: L, n: S, k: Ev, alpha: 1,
                        a: gOut, lda: oLayout.rowStride, b: v.advanced(by: vLayout.offset(i)), ldb: vLayout.rowStride,
                        c: dP, ldc: S, worker: worker)
                // dScores = P ∘ (dP ∘ mask − rowsum(P ∘ dP ∘ mask)), one pass per row
                Kernels.softmaxRowsBackward(output: w, gradient: dP, gradientScale: dropMask.map { UnsafePointer($0) },
                                            dP, rows: L, columns: S, causal: isCausal)
                for (n, m) in gradientMasks.enumerated() {
                    masks[m].accumulate(dP, into: maskGradients[n], batch: i, rows: L, columns: S)
                }
                // dQ = alpha · dS · K, dK = alpha · dSᵀ · Q
                let dS = operand(dP, count: ls, scratch: scratch16)
                product(transA: false, transB: false, m: L, n: E, k: S, alpha: alpha, a: dS, lda: S,
                        b: k.advanced(by: kLayout.offset(i)), ldb: kLayout.rowStride,
                        c: gq + qLayout.offset(i), ldc: qLayout.rowStride, worker: worker)
                product(transA: true, transB: false, m: S, n: E, k: L, alpha: alpha, a: dS, lda: S,
                        b: q.advanced(by: qLayout.offset(i)), ldb: qLayout.rowStride,
                        c: gk + kLayout.offset(i), ldc: kLayout.rowStride, worker: worker)
            }
        }
    }
}

extension GEMMOperand {
    /// The operand `n` elements further on.
    @inline(__always)
    func advanced(by n: Int) -> GEMMOperand {
        switch self {
        case .float32(let p): return .float32(p + n)
        case .bfloat16(let p): return .bfloat16(p + n)
        }
    }
}

/// A tensor's values as bfloat16 product operands for ``AttentionCore``: its own bfloat16 copy
/// (rounded once, or the bits copied when the tensor is held in bfloat16) in pooled tensor
/// storage, kept alive for the backward pass.
final class AttentionOperandCopy {
    private let copy: Tensor
    private let bits: UnsafeMutablePointer<UInt16>

    init(_ t: Tensor) {
        copy = Tensor(shape: [t.count], storage: TensorStorage(uninitializedCount: t.count, elementType: .bfloat16))
        bits = copy.storage.bfloat16Bits!
        if let held = t.storage.bfloat16Bits {
            bits.update(from: held, count: t.count)
        } else {
            Kernels.convertToBFloat16(t.storage.pointer, bits, count: t.count)
        }
    }

    /// The copy as an operand.
    var operand: GEMMOperand { .bfloat16(UnsafePointer(bits)) }
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
