extension Tensor {
    /// Normalizes and sorts reduction axes (empty means all axes).
    func reductionAxes(_ axes: [Int], op: String) -> [Int] {
        if axes.isEmpty { return Array(0..<rank) }
        if axes.count == 1 {
            return [checked { try Shape.normalize(axis: axes[0], rank: rank, op: op) }]
        }
        return checked { try ShapeCheck.reductionAxes(axes, of: shape, op: op) }
    }

    /// Reduces over `axes` (sorted, normalized) keeping them as size 1; records nothing. Adjacent
    /// axes are reduced in one pass; the result is always a new tensor.
    func reduceRaw(_ kind: ReductionKind, axes: [Int]) -> Tensor {
        if axes.isEmpty { return copy() }
        var current = self
        var currentShape = shape
        // Reduce runs of adjacent axes, last run first, each in one pass.
        var end = axes.count
        while end > 0 {
            var start = end - 1
            while start > 0 && axes[start - 1] == axes[start] - 1 { start -= 1 }
            let first = axes[start], last = axes[end - 1] + 1
            let outer = Shape.count(currentShape, 0..<first)
            let reduced = Shape.count(currentShape, first..<last)
            let inner = Shape.count(currentShape, last..<currentShape.count)
            for i in first..<last { currentShape[i] = 1 }
            let out = Tensor(uninitializedShape: currentShape)
            Kernels.reduce(kind, current.storage.pointer, outer: outer, reduced: reduced, inner: inner, out.storage.pointer)
            current = out
            end = start
        }
        return current
    }

    /// Shape after reducing `axes` (sorted), with or without keeping them as size 1.
    func reducedShape(_ axes: [Int], keep: Bool) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(rank)
        var next = 0
        for (i, d) in shape.enumerated() {
            if next < axes.count && axes[next] == i {
                next += 1
                if keep { result.append(1) }
            } else {
                result.append(d)
            }
        }
        return result
    }

    /// Number of elements combined into each result of a reduction over `axes`.
    func reducedCount(_ axes: [Int]) -> Int {
        var n = 1
        for a in axes { n *= shape[a] }
        return n
    }

    /// Sum of all elements (a scalar tensor).
    public func sum() -> Tensor { sum(alongAxes: [], keepingDimensions: false) }

    /// Sum over one axis (negative axes count from the end).
    public func sum(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keep)
    }

    /// Sum over `axes` (all axes when empty; any order, negative allowed, not repeated).
    public func sum(alongAxes axes: [Int], keepingDimensions keep: Bool = false) -> Tensor {
        let x = self
        let ax = reductionAxes(axes, op: "sum")
        let kept = reduceRaw(.sum, axes: ax)
        let out = keep ? kept : Tensor(shape: reducedShape(ax, keep: false), storage: kept.storage)
        let keptShape = kept.shape
        return Tensor.result(out, op: "sum", inputs: [x]) { g in
            [Tensor(shape: keptShape, storage: g.storage).broadcastRaw(to: x.shape)]
        }
    }

    /// Mean of all elements.
    public func mean() -> Tensor { mean(alongAxes: [], keepingDimensions: false) }

    /// Mean over one axis.
    public func mean(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDimensions: keep)
    }

    /// Mean over `axes` (all axes when empty): the sum divided by the number of elements reduced,
    /// as PyTorch does on the CPU.
    public func mean(alongAxes axes: [Int], keepingDimensions keep: Bool = false) -> Tensor {
        let x = self
        let ax = reductionAxes(axes, op: "mean")
        let n = Float(reducedCount(ax))
        let kept = reduceRaw(.sum, axes: ax)
        let pk = kept.storage.pointer
        for i in 0..<kept.count { pk[i] /= n }
        let out = keep ? kept : Tensor(shape: reducedShape(ax, keep: false), storage: kept.storage)
        let keptShape = kept.shape
        return Tensor.result(out, op: "mean", inputs: [x]) { g in
            let gx = Tensor(shape: keptShape, storage: g.storage).broadcastRaw(to: x.shape)
            let result = gx === g || gx.storage === g.storage ? Tensor(uninitializedShape: x.shape) : gx
            Kernels.map(gx.storage.pointer, result.storage.pointer, count: result.count) { $0 / n }
            return [result]
        }
    }

    /// A contiguous view of this tensor as `[outer, reduced, inner]` for reducing `axes`: itself
    /// when the axes are adjacent, else a copy with the reduced axes moved last.
    func reductionView(_ axes: [Int]) -> (tensor: Tensor, outer: Int, reduced: Int, inner: Int) {
        let adjacent = axes.isEmpty || axes.last! - axes.first! + 1 == axes.count
        if adjacent {
            let first = axes.first ?? 0, last = (axes.last ?? -1) + 1
            return (self, Shape.count(shape, 0..<first), Shape.count(shape, first..<last),
                    Shape.count(shape, last..<rank))
        }
        let kept = (0..<rank).filter { !axes.contains($0) }
        let order = kept + axes
        let own = Shape.strides(shape)
        let moved = stridedCopy(strides: order.map { own[$0] }, shape: order.map { shape[$0] })
        return (moved, kept.reduce(1) { $0 * shape[$1] }, reducedCount(axes), 1)
    }

    /// Variance over `axes` (all when empty) with Bessel's `correction` (1 = unbiased, PyTorch's
    /// default). Computed in two passes in double precision, like PyTorch's CPU kernel; a
    /// non-positive `n − correction` gives ∞ or NaN as in PyTorch.
    public func variance(alongAxes axes: [Int] = [], correction: Int = 1, keepingDimensions keep: Bool = false) -> Tensor {
        let x = self
        let ax = reductionAxes(axes, op: "var")
        let n = reducedCount(ax)
        let dof = Double(n - correction)
        let view = reductionView(ax)
        let keptShape = reducedShape(ax, keep: true)
        let kept = Tensor(uninitializedShape: keptShape)
        let src = view.tensor.storage.pointer, dst = kept.storage.pointer
        let inner = view.inner, reduced = view.reduced
        var mean = [Double](repeating: 0, count: inner)
        var m2 = [Double](repeating: 0, count: inner)
        for o in 0..<view.outer {
            let base = src + o * reduced * inner
            for j in 0..<inner { mean[j] = 0; m2[j] = 0 }
            for r in 0..<reduced { for j in 0..<inner { mean[j] += Double(base[r * inner + j]) } }
            for j in 0..<inner { mean[j] /= Double(n) }
            for r in 0..<reduced {
                for j in 0..<inner {
                    let d = Double(base[r * inner + j]) - mean[j]
                    m2[j] += d * d
                }
            }
            for j in 0..<inner { dst[o * inner + j] = Float(m2[j] / dof) }
        }
        let out = keep ? kept : Tensor(shape: reducedShape(ax, keep: false), storage: kept.storage)
        return Tensor.result(out, op: "var", inputs: [x]) { g in
            // (2 / (n − correction)) · g · (x − mean(x))
            let mu = withNoGrad { x.mean(alongAxes: ax, keepingDimensions: true) }
            let centered = Tensor.broadcastApply(SubFunctor.self, x, mu, op: "var")
            let gb = Tensor(shape: keptShape, storage: g.storage).broadcastRaw(to: x.shape)
            let scale = Float(2 / dof)
            let gx = Tensor(uninitializedShape: x.shape)
            Kernels.zip(gb.storage.pointer, centered.storage.pointer, gx.storage.pointer, count: gx.count) { g, c in
                scale * g * c
            }
            return [gx]
        }
    }

    /// Variance over one axis.
    public func variance(alongAxis axis: Int, correction: Int = 1, keepingDimensions keep: Bool = false) -> Tensor {
        variance(alongAxes: [axis], correction: correction, keepingDimensions: keep)
    }

    /// Maximum over `axes` (all when empty); NaN propagates. The gradient is shared evenly among
    /// tied maxima (PyTorch's `amax`).
    public func max(alongAxes axes: [Int] = [], keepingDimensions keep: Bool = false) -> Tensor {
        extreme(.max, axes: axes, keep: keep, op: "max")
    }

    /// Maximum over one axis.
    public func max(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        max(alongAxes: [axis], keepingDimensions: keep)
    }

    /// Minimum over `axes` (all when empty); gradient as ``max(alongAxes:keepingDimensions:)``.
    public func min(alongAxes axes: [Int] = [], keepingDimensions keep: Bool = false) -> Tensor {
        extreme(.min, axes: axes, keep: keep, op: "min")
    }

    /// Minimum over one axis.
    public func min(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        min(alongAxes: [axis], keepingDimensions: keep)
    }

    private func extreme(_ kind: ReductionKind, axes: [Int], keep: Bool, op: String) -> Tensor {
        let x = self
        let ax = reductionAxes(axes, op: op)
        precondition(ax.allSatisfy { shape[$0] > 0 }, "\(op): cannot reduce an empty dimension of shape \(shape)")
        let kept = reduceRaw(kind, axes: ax)
        let out = keep ? kept : Tensor(shape: reducedShape(ax, keep: false), storage: kept.storage)
        let saved = kept.detached()
        return Tensor.result(out, op: op, inputs: [x]) { g in
            let mask = Tensor.broadcastApply(EqualFunctor.self, x, saved, op: op)
            let ties = mask.reduceRaw(.sum, axes: ax)
            let share = Tensor.broadcastApply(DivFunctor.self, Tensor(shape: saved.shape, storage: g.storage), ties, op: op)
            let pm = mask.storage.pointer
            let spread = share.broadcastRaw(to: x.shape)
            let gx = Tensor(uninitializedShape: x.shape)
            Kernels.zip(pm, spread.storage.pointer, gx.storage.pointer, count: gx.count) { m, s in m * s }
            return [gx]
        }
    }

    /// Indices of the maximum along `axis` (first occurrence; NaN counts as the maximum), as
    /// float values.
    public func argmax(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        argExtreme(axis: axis, keep: keep, greater: true)
    }

    /// Indices of the minimum along `axis` (first occurrence; NaN counts as the minimum), as
    /// float values.
    public func argmin(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        argExtreme(axis: axis, keep: keep, greater: false)
    }

    private func argExtreme(axis: Int, keep: Bool, greater: Bool) -> Tensor {
        let op = greater ? "argmax" : "argmin"
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: op) }
        precondition(rank == 0 || shape[a] > 0, "\(op): axis \(axis) of shape \(shape) is empty")
        if rank == 0 { return Tensor(0) }
        let outer = Shape.count(shape, 0..<a), n = shape[a], inner = Shape.count(shape, (a + 1)..<rank)
        let out = Tensor(uninitializedShape: reducedShape([a], keep: keep))
        let p = storage.pointer, o = out.storage.pointer
        for i in 0..<outer {
            for j in 0..<inner {
                var best = 0
                var bestValue = p[i * n * inner + j]
                var k = 1
                while k < n && !bestValue.isNaN {
                    let v = p[(i * n + k) * inner + j]
                    if v.isNaN || (greater ? v > bestValue : v < bestValue) { best = k; bestValue = v }
                    k += 1
                }
                o[i * inner + j] = Float(best)
            }
        }
        return out
    }
}
