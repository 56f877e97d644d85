extension Tensor {
    /// Normalizes and sorts reduction axes (empty means all axes).
    func reductionAxes(_ axes: [Int], op: String) -> [Int] {
        if axes.isEmpty { return Array(0..<rank) }
        let normalized = axes.map { a in checked { try Shape.normalize(axis: a, rank: rank, op: op) } }
        let set = Set(normalized)
        precondition(set.count == normalized.count, "\(op): repeated axis in \(axes) for shape \(shape)")
        return set.sorted()
    }

    /// Reduces over `axes` (sorted, normalized) keeping them as size 1; no graph.
    func reduceRaw(_ kind: ReductionKind, axes: [Int]) -> Tensor {
        var current = self
        var currentShape = shape
        // Group runs of adjacent axes; reduce each run in one pass, last run first.
        var runs: [(Int, Int)] = []
        for a in axes {
            if let last = runs.last, last.1 == a { runs[runs.count - 1].1 = a + 1 } else { runs.append((a, a + 1)) }
        }
        if runs.isEmpty { return copy() }
        for (start, end) in runs.reversed() {
            let outer = Shape.count(Array(currentShape[..<start]))
            let reduced = Shape.count(Array(currentShape[start..<end]))
            let inner = Shape.count(Array(currentShape[end...]))
            for i in start..<end { currentShape[i] = 1 }
            let out = Tensor(uninitializedShape: currentShape)
            if reduced == 0 {
                out.fill(kind == .sum ? 0 : .nan)
            } else {
                Kernels.reduce(kind, current.storage.pointer, outer: outer, reduced: reduced, inner: inner, out.storage.pointer)
            }
            current = out
        }
        return current
    }

    /// Shape after reducing `axes`, with or without keeping them.
    func reducedShape(_ axes: [Int], keep: Bool) -> [Int] {
        keep ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
             : shape.enumerated().filter { !axes.contains($0.offset) }.map { $0.element }
    }

    /// Sum of all elements (a scalar tensor).
    public func sum() -> Tensor { sum(alongAxes: [], keepingDimensions: false) }

    /// Sum over one axis.
    public func sum(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keep)
    }

    /// Sum over `axes` (all axes when empty).
    public func sum(alongAxes axes: [Int], keepingDimensions keep: Bool = false) -> Tensor {
        let x = self
        let ax = reductionAxes(axes, op: "sum")
        let kept = reduceRaw(.sum, axes: ax)
        let out = keep ? kept : kept.reshaped(reducedShape(ax, keep: false))
        let keptShape = kept.shape
        return Tensor.result(out, op: "sum", inputs: [x]) { g in
            [g.reshaped(keptShape).expanded(to: x.shape)]
        }
    }

    /// Mean of all elements.
    public func mean() -> Tensor { mean(alongAxes: [], keepingDimensions: false) }

    /// Mean over one axis.
    public func mean(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDimensions: keep)
    }

    /// Mean over `axes` (all axes when empty).
    public func mean(alongAxes axes: [Int], keepingDimensions keep: Bool = false) -> Tensor {
        let ax = reductionAxes(axes, op: "mean")
        let n = ax.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: ax, keepingDimensions: keep) * (1 / Float(n))
    }

    /// Variance over `axes` (all when empty) with Bessel's `correction` (1 = unbiased, PyTorch's default).
    public func variance(alongAxes axes: [Int] = [], correction: Int = 1, keepingDimensions keep: Bool = false) -> Tensor {
        let ax = reductionAxes(axes, op: "var")
        let n = ax.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(alongAxes: ax, keepingDimensions: true)
        return (centered * centered).sum(alongAxes: ax, keepingDimensions: keep) * (1 / Float(Swift.max(n - correction, 0)))
    }

    /// Variance over one axis.
    public func variance(alongAxis axis: Int, correction: Int = 1, keepingDimensions keep: Bool = false) -> Tensor {
        variance(alongAxes: [axis], correction: correction, keepingDimensions: keep)
    }

    /// Maximum over `axes` (all when empty). The gradient is shared evenly among tied maxima
    /// (PyTorch's `amax`).
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
        let kept = reduceRaw(kind, axes: ax)
        let out = keep ? kept.copy() : kept.reshaped(reducedShape(ax, keep: false))
        let keptShape = kept.shape
        return Tensor.result(out, op: op, inputs: [x]) { g in
            let mask = Tensor.broadcastApply(EqualFunctor.self, x, kept, op: op)
            let ties = mask.reduceRaw(.sum, axes: ax)
            return [mask * (g.reshaped(keptShape) / ties)]
        }
    }

    /// Indices of the maximum along `axis` (first occurrence), as float values.
    public func argmax(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        argExtreme(axis: axis, keep: keep, greater: true)
    }

    /// Indices of the minimum along `axis` (first occurrence), as float values.
    public func argmin(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        argExtreme(axis: axis, keep: keep, greater: false)
    }

    private func argExtreme(axis: Int, keep: Bool, greater: Bool) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: greater ? "argmax" : "argmin") }
        let outer = Shape.count(Array(shape[..<a])), n = shape[a], inner = Shape.count(Array(shape[(a + 1)...]))
        let out = Tensor(uninitializedShape: reducedShape([a], keep: keep))
        let p = storage.pointer, o = out.storage.pointer
        for i in 0..<outer {
            for j in 0..<inner {
                var best = 0
                var bestValue = p[i * n * inner + j]
                for k in 1..<Swift.max(n, 1) {
                    let v = p[(i * n + k) * inner + j]
                    if bestValue.isNaN { break }
                    if v.isNaN || (greater ? v > bestValue : v < bestValue) { best = k; bestValue = v }
                }
                o[i * inner + j] = Float(best)
            }
        }
        return out
    }
}
