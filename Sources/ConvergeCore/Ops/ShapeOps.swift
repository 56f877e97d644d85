/// `a` (ignores `b`): used to copy through the broadcasting kernel.
enum FirstFunctor: BinaryFunctor { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a } }

extension Tensor {
    /// Copies `self` read with `strides` (in `shape`'s coordinates) into a new contiguous tensor.
    func stridedCopy(strides: [Int], shape target: [Int]) -> Tensor {
        let out = Tensor(uninitializedShape: target)
        var zero: Float = 0
        withUnsafePointer(to: &zero) { z in
            Kernels.broadcastBinary(FirstFunctor.self, storage.pointer, aStrides: strides, z,
                                    bStrides: [Int](repeating: 0, count: target.count), out.storage.pointer, shape: target)
        }
        return out
    }

    /// A tensor with the same elements in a new shape (one dimension may be -1). Shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let x = self
        let target = newShape == shape ? newShape : checked { try ShapeCheck.reshape(shape, to: newShape) }
        if target == shape && !requiresGrad { return self }
        let out = Tensor(shape: target, storage: storage)
        return Tensor.result(out, op: "reshape", inputs: [x]) { g in [Tensor(shape: x.shape, storage: g.storage)] }
    }

    /// Flattens dimensions `startAxis...endAxis` into one (default: everything after the first,
    /// as `nn.Flatten`). A scalar becomes a one-element vector.
    public func flattened(startAxis: Int = 1, endAxis: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        if rank == 1 { return self }
        let s = checked { try Shape.normalize(axis: startAxis, rank: rank, op: "flatten") }
        let e = checked { try Shape.normalize(axis: endAxis, rank: rank, op: "flatten") }
        precondition(s <= e, "flatten: start axis \(startAxis) comes after end axis \(endAxis) for shape \(shape)")
        if s == e { return self }
        let merged = Shape.count(shape, s..<(e + 1))
        return reshaped(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    /// Inserts a dimension of size 1 at `axis`.
    public func unsqueezed(at axis: Int) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank + 1, op: "unsqueeze") }
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Removes dimensions of size 1 (only `axis` when given; a no-op when that size is not 1).
    public func squeezed(at axis: Int? = nil) -> Tensor {
        if let axis {
            let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "squeeze") }
            guard rank > 0, shape[a] == 1 else { return self }
            var s = shape
            s.remove(at: a)
            return reshaped(s)
        }
        return reshaped(shape.filter { $0 != 1 })
    }

    /// Broadcasts to `target` (materialized). The gradient sums back over broadcast dimensions.
    public func expanded(to target: [Int]) -> Tensor {
        let x = self
        if target == shape { return self }
        checked { try ShapeCheck.expand(shape, to: target) }
        let out = broadcastRaw(to: target)
        let result = out === self ? Tensor(shape: target, storage: storage) : out
        return Tensor.result(result, op: "expand", inputs: [x]) { g in [g.summed(toShape: x.shape)] }
    }

    /// Reorders dimensions: result dimension `i` is input dimension `axes[i]` (negative axes allowed).
    public func permuted(_ axes: [Int]) -> Tensor {
        let x = self
        let normalized = checked { try ShapeCheck.permutation(axes, of: shape) }
        if normalized == Array(0..<rank) { return self }
        let own = Shape.strides(shape)
        let target = normalized.map { shape[$0] }
        let out = stridedCopy(strides: normalized.map { own[$0] }, shape: target)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in normalized.enumerated() { inverse[a] = i }
        return Tensor.result(out, op: "permute", inputs: [x]) { g in [g.permuted(inverse)] }
    }

    /// Swaps two dimensions (by default the last two: the matrix transpose). A 1-D tensor is
    /// returned as it is.
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        if rank < 2 {
            precondition(rank == 1 && axis0 == -2 && axis1 == -1,
                         "transpose: tensor of shape \(shape) has fewer than 2 dimensions")
            return self
        }
        let a = checked { try Shape.normalize(axis: axis0, rank: rank, op: "transpose") }
        let b = checked { try Shape.normalize(axis: axis1, rank: rank, op: "transpose") }
        var axes = Array(0..<rank)
        axes.swapAt(a, b)
        return permuted(axes)
    }

    /// Elements `range` along `axis` (PyTorch's `narrow` / basic slicing).
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let x = self
        let a = checked { try ShapeCheck.slice(shape, axis: axis, range: range) }
        var target = shape
        target[a] = range.count
        let outer = Shape.count(shape, 0..<a), inner = Shape.count(shape, (a + 1)..<rank)
        let n = shape[a]
        let out = Tensor(uninitializedShape: target)
        let src = storage.pointer, dst = out.storage.pointer
        let chunk = range.count * inner
        for o in 0..<outer {
            (dst + o * chunk).update(from: src + (o * n + range.lowerBound) * inner, count: chunk)
        }
        return Tensor.result(out, op: "slice", inputs: [x]) { g in
            let gx = Tensor.zeros(x.shape)
            let gp = g.storage.pointer, gxp = gx.storage.pointer
            for o in 0..<outer {
                (gxp + (o * n + range.lowerBound) * inner).update(from: gp + o * chunk, count: chunk)
            }
            return [gx]
        }
    }

    /// Elements `range` along `axis` (same as ``sliced(alongAxis:_:)``), for closed or partial ranges.
    public func sliced<R: RangeExpression>(alongAxis axis: Int, _ range: R) -> Tensor where R.Bound == Int {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "slice") }
        return sliced(alongAxis: a, range.relative(to: 0..<shape[a]))
    }

    /// Joins tensors along an existing `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        let target = checked { try ShapeCheck.concatenate(tensors.map(\.shape), axis: axis) }
        let first = tensors[0]
        let a = checked { try Shape.normalize(axis: axis, rank: first.rank, op: "concatenate") }
        let outer = Shape.count(first.shape, 0..<a), inner = Shape.count(first.shape, (a + 1)..<first.rank)
        let out = Tensor(uninitializedShape: target)
        let dst = out.storage.pointer
        let rowSize = target[a] * inner
        var offset = 0
        for t in tensors {
            let chunk = t.shape[a] * inner
            for o in 0..<outer { (dst + o * rowSize + offset).update(from: t.storage.pointer + o * chunk, count: chunk) }
            offset += chunk
        }
        let sizes = tensors.map { $0.shape[a] }
        let needs = tensors.map(\.requiresGrad)
        return result(out, op: "concatenate", inputs: tensors) { g in
            var start = 0
            return sizes.indices.map { i in
                defer { start += sizes[i] }
                return needs[i] ? g.sliced(alongAxis: a, start..<(start + sizes[i])) : nil
            }
        }
    }

    /// Stacks equal-shaped tensors along a new `axis`.
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        let a = checked { try ShapeCheck.stack(tensors.map(\.shape), axis: axis) }
        return concatenate(tensors.map { $0.unsqueezed(at: a) }, alongAxis: a)
    }

    /// Rows (slices along `axis`) picked by `indices`, repeats allowed (PyTorch's `index_select`;
    /// batching and embeddings). The gradient adds into the picked rows.
    public func indexSelect(alongAxis axis: Int, indices: [Int]) -> Tensor {
        let x = self
        let a = checked { try ShapeCheck.indexSelect(shape, axis: axis, indices: indices) }
        let n = shape[a]
        var target = shape
        target[a] = indices.count
        let outer = Shape.count(shape, 0..<a), inner = Shape.count(shape, (a + 1)..<rank)
        let out = Tensor(uninitializedShape: target)
        let src = storage.pointer, dst = out.storage.pointer
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                (dst + (o * indices.count + j) * inner).update(from: src + (o * n + i) * inner, count: inner)
            }
        }
        return Tensor.result(out, op: "indexSelect", inputs: [x]) { g in
            let gx = Tensor.zeros(x.shape)
            let gp = g.storage.pointer, gxp = gx.storage.pointer
            for o in 0..<outer {
                for (j, i) in indices.enumerated() {
                    let d = gxp + (o * n + i) * inner, s = gp + (o * indices.count + j) * inner
                    for k in 0..<inner { d[k] += s[k] }
                }
            }
            return [gx]
        }
    }

    /// Rows picked by the integer values of `indices` (any shape); the result has shape
    /// `indices.shape + shape[1...]` — an embedding lookup along axis 0.
    public func indexSelect(_ indices: Tensor) -> Tensor {
        let picked = indexSelect(alongAxis: 0, indices: indices.scalars.map { Int($0) })
        return picked.reshaped(indices.shape + Array(shape.dropFirst()))
    }

    /// PyTorch's `gather`: `out[…, j, …] = self[…, index[…, j, …], …]` along `axis`, where `index`
    /// has the same rank and, outside `axis`, the same sizes. The gradient adds into the picked
    /// elements (repeats accumulate).
    public func gather(alongAxis axis: Int, index: Tensor) -> Tensor {
        let x = self
        let a = checked { try ShapeCheck.gather(shape, axis: axis, index: index.shape) }
        let outer = Shape.count(shape, 0..<a), inner = Shape.count(shape, (a + 1)..<rank)
        let n = shape[a], m = index.shape[a]
        let out = Tensor(uninitializedShape: index.shape)
        let src = storage.pointer, ip = index.storage.pointer, dst = out.storage.pointer
        var positions = [Int](repeating: 0, count: index.count)
        for o in 0..<outer {
            for j in 0..<m {
                for k in 0..<inner {
                    let t = (o * m + j) * inner + k
                    let i = Int(ip[t])
                    precondition(i >= 0 && i < n, "gather: index \(i) is out of range for axis \(axis) of size \(n) (shape \(shape))")
                    positions[t] = (o * n + i) * inner + k
                    dst[t] = src[positions[t]]
                }
            }
        }
        return Tensor.result(out, op: "gather", inputs: [x]) { g in
            let gx = Tensor.zeros(x.shape)
            let gp = g.storage.pointer, gxp = gx.storage.pointer
            for t in 0..<positions.count { gxp[positions[t]] += gp[t] }
            return [gx]
        }
    }
}
