import Foundation

/// Row kernels for softmax-like ops over a contiguous `[outer, n, inner]` view, reducing the
/// middle dimension (elements of one row are `inner` apart).
enum SoftmaxKernels {
    /// What a row pass writes.
    enum Mode { case softmax, logSoftmax }

    /// Softmax or log-softmax of every row, stably: the row maximum is subtracted first, so
    /// inputs of any magnitude give finite results (a row of all −∞ gives NaN, as in PyTorch).
    static func forward(_ mode: Mode, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        outer: Int, n: Int, inner: Int) {
        if n == 0 { return }
        let threshold = Swift.max(2, Parallel.elementwiseThreshold / (n * inner))
        if inner == 1 {
            // Contiguous rows: the C row kernel (vector exp), row blocks split over the cores.
            let rowMode: Kernels.SoftmaxRowMode = mode == .softmax ? .softmax : .logSoftmax
            Parallel.forChunks(outer, threshold: Swift.max(2, Kernels.vectorKernelThreshold / n)) { rows in
                Kernels.softmaxRows(x + rows.lowerBound * n, y + rows.lowerBound * n, rows: rows.count, columns: n,
                                    mode: rowMode)
            }
            return
        }
        Parallel.forChunks(outer * inner, threshold: threshold) { range in
            for item in range {
                let o = item / inner, j = item % inner
                let p = x + o * n * inner + j, q = y + o * n * inner + j
                var m = p[0]
                for i in 1..<n { let v = p[i * inner]; m = (v > m || v.isNaN) ? v : m }
                switch mode {
                case .softmax:
                    var s: Float = 0
                    for i in 0..<n { let e = Kernels.exp(p[i * inner] - m); q[i * inner] = e; s += e }
                    let r = 1 / s
                    for i in 0..<n { q[i * inner] *= r }
                case .logSoftmax:
                    var s: Float = 0
                    for i in 0..<n { s += Kernels.exp(p[i * inner] - m) }
                    // (x − max) − log Σ: adding log Σ to a large max first would round it away.
                    let logSum = Foundation.log(s)
                    for i in 0..<n { q[i * inner] = (p[i * inner] - m) - logSum }
                }
            }
        }
    }

    /// Backward of ``forward(_:_:_:outer:n:inner:)`` from the saved output `y`:
    /// softmax `y · (g − Σ g·y)`, log-softmax `g − exp(y) · Σ g`.
    static func backward(_ mode: Mode, _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                         _ gx: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        if n == 0 { return }
        let threshold = Swift.max(2, Parallel.elementwiseThreshold / (n * inner))
        if inner == 1 {
            let rowMode: Kernels.SoftmaxRowMode = mode == .softmax ? .softmax : .logSoftmax
            Parallel.forChunks(outer, threshold: Swift.max(2, Kernels.vectorKernelThreshold / n)) { rows in
                let o = rows.lowerBound * n
                Kernels.softmaxRowsBackward(output: y + o, gradient: g + o, gx + o, rows: rows.count, columns: n, mode: rowMode)
            }
            return
        }
        Parallel.forChunks(outer * inner, threshold: threshold) { range in
            for item in range {
                let o = item / inner, j = item % inner
                let base = o * n * inner + j
                let pg = g + base, py = y + base, pd = gx + base
                switch mode {
                case .softmax:
                    var dot: Float = 0
                    for i in 0..<n { dot += pg[i * inner] * py[i * inner] }
                    for i in 0..<n { pd[i * inner] = py[i * inner] * (pg[i * inner] - dot) }
                case .logSoftmax:
                    var total: Float = 0
                    for i in 0..<n { total += pg[i * inner] }
                    for i in 0..<n { pd[i * inner] = pg[i * inner] - Kernels.exp(py[i * inner]) * total }
                }
            }
        }
    }
}

extension Tensor {
    /// Softmax along `axis`, computed stably (the maximum is subtracted first).
    public func softmax(alongAxis axis: Int = -1) -> Tensor { softmaxLike(.softmax, axis: axis, op: "softmax") }

    /// Log-softmax along `axis`: `x − max − log Σ exp(x − max)`, finite for any finite input.
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor { softmaxLike(.logSoftmax, axis: axis, op: "logSoftmax") }

    private func softmaxLike(_ mode: SoftmaxKernels.Mode, axis: Int, op: String) -> Tensor {
        let x = self
        if rank == 0 {
            // A scalar is a one-element row.
            return reshaped([1]).softmaxLike(mode, axis: 0, op: op).reshaped([])
        }
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: op) }
        let outer = Shape.count(shape, 0..<a), n = shape[a], inner = Shape.count(shape, (a + 1)..<rank)
        let out = Tensor(uninitializedShape: shape)
        SoftmaxKernels.forward(mode, storage.pointer, out.storage.pointer, outer: outer, n: n, inner: inner)
        let y = out.detached()
        return Tensor.result(out, op: op, inputs: [x]) { g in
            let gx = Tensor(uninitializedShape: x.shape)
            SoftmaxKernels.backward(mode, g.storage.pointer, y.storage.pointer, gx.storage.pointer,
                                    outer: outer, n: n, inner: inner)
            return [gx]
        }
    }

    /// `log Σ exp(x)` along `axis`, computed stably.
    public func logSumExp(alongAxis axis: Int = -1, keepingDimensions keep: Bool = false) -> Tensor {
        logSumExp(alongAxes: [axis], keepingDimensions: keep)
    }

    /// `log Σ exp(x)` over `axes` (all when empty), computed stably: the maximum is subtracted
    /// first, and an infinite maximum is replaced by 0 as in PyTorch (so a row of −∞ gives −∞ and
    /// a row containing +∞ gives +∞). The gradient is `g · exp(x − result)`.
    public func logSumExp(alongAxes axes: [Int], keepingDimensions keep: Bool = false) -> Tensor {
        let x = self
        let ax = reductionAxes(axes, op: "logSumExp")
        let view = reductionView(ax)
        let keptShape = reducedShape(ax, keep: true)
        let kept = Tensor(uninitializedShape: keptShape)
        let src = view.tensor.storage.pointer, dst = kept.storage.pointer
        let n = view.reduced, inner = view.inner
        for item in 0..<(view.outer * inner) {
            let o = item / inner, j = item % inner
            let p = src + o * n * inner + j
            var m: Float = n > 0 ? p[0] : -.infinity
            for i in 1..<Swift.max(n, 1) { let v = p[i * inner]; m = (v > m || v.isNaN) ? v : m }
            if m.isInfinite { m = 0 }
            var s: Float = 0
            for i in 0..<n { s += Kernels.exp(p[i * inner] - m) }
            dst[item] = Foundation.log(s) + m
        }
        let out = keep ? kept : Tensor(shape: reducedShape(ax, keep: false), storage: kept.storage)
        let saved = kept.detached()
        return Tensor.result(out, op: "logSumExp", inputs: [x]) { g in
            let gb = Tensor(shape: keptShape, storage: g.storage).broadcastRaw(to: x.shape)
            let rb = saved.broadcastRaw(to: x.shape)
            let gx = Tensor(uninitializedShape: x.shape)
            Kernels.zip(gb.storage.pointer, x.storage.pointer, rb.storage.pointer, gx.storage.pointer, count: gx.count) { g, v, r in
                g * Kernels.exp(v - r)
            }
            return [gx]
        }
    }
}
