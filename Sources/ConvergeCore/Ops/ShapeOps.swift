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
        var target = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0,
                         "reshape: cannot reshape tensor of shape \(shape) (\(count) elements) into \(newShape)")
            target[inferred] = count / known
        }
        precondition(Shape.count(target) == count,
                     "reshape: cannot reshape tensor of shape \(shape) (\(count) elements) into \(newShape)")
        if target == shape && node == nil && !requiresGrad { return self }
        let out = Tensor(shape: target, storage: storage)
        return Tensor.result(out, op: "reshape", inputs: [x]) { g in [g.reshaped(x.shape)] }
    }

    /// Flattens dimensions `startAxis...endAxis` into one (default: everything after the first,
    /// as `nn.Flatten`).
    public func flattened(startAxis: Int = 1, endAxis: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        let s = checked { try Shape.normalize(axis: startAxis, rank: rank, op: "flatten") }
        let e = checked { try Shape.normalize(axis: endAxis, rank: rank, op: "flatten") }
        if s >= e { return self }
        let merged = Shape.count(Array(shape[s...e]))
        return reshaped(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    /// Inserts a dimension of size 1 at `axis`.
    public func unsqueezed(at axis: Int) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank + 1, op: "unsqueeze") }
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Removes dimensions of size 1 (only `axis` when given).
    public func squeezed(at axis: Int? = nil) -> Tensor {
        if let axis {
            let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "squeeze") }
            guard shape[a] == 1 else { return self }
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
        let full = checked { try Shape.broadcast(shape, target, op: "expand") }
        precondition(full == target, "expand: cannot expand shape \(shape) to \(target)")
        let out = stridedCopy(strides: Shape.broadcastStrides(shape, to: target), shape: target)
        return Tensor.result(out, op: "expand", inputs: [x]) { g in [g.summed(toShape: x.shape)] }
    }

    /// Reorders dimensions: result dimension `i` is input dimension `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        let x = self
        let normalized = axes.map { a in checked { try Shape.normalize(axis: a, rank: rank, op: "permute") } }
        precondition(normalized.count == rank && Set(normalized).count == rank,
                     "permute: \(axes) is not a permutation of the \(rank) dimensions of shape \(shape)")
        if normalized == Array(0..<rank) { return self }
        let own = Shape.strides(shape)
        let target = normalized.map { shape[$0] }
        let out = stridedCopy(strides: normalized.map { own[$0] }, shape: target)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in normalized.enumerated() { inverse[a] = i }
        return Tensor.result(out, op: "permute", inputs: [x]) { g in [g.permuted(inverse)] }
    }

    /// Swaps two dimensions (by default the last two: the matrix transpose).
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        precondition(rank >= 2 || (rank == 1 && axis0 == -2), "transpose: tensor of shape \(shape) has fewer than 2 dimensions")
        if rank < 2 { return self }
        let a = checked { try Shape.normalize(axis: axis0, rank: rank, op: "transpose") }
        let b = checked { try Shape.normalize(axis: axis1, rank: rank, op: "transpose") }
        var axes = Array(0..<rank)
        axes.swapAt(a, b)
        return permuted(axes)
    }

    /// Elements `range` along `axis` (PyTorch's `narrow` / basic slicing).
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let x = self
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "slice") }
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice: range \(range) is out of bounds for axis \(axis) of size \(shape[a]) (shape \(shape))")
        var target = shape
        target[a] = range.count
        let outer = Shape.count(Array(shape[..<a])), inner = Shape.count(Array(shape[(a + 1)...]))
        let out = Tensor(uninitializedShape: target)
        let src = storage.pointer, dst = out.storage.pointer
        let chunk = range.count * inner
        for o in 0..<outer {
            (dst + o * chunk).update(from: src + (o * shape[a] + range.lowerBound) * inner, count: chunk)
        }
        return Tensor.result(out, op: "slice", inputs: [x]) { g in
            let gx = Tensor.zeros(x.shape)
            let gp = g.storage.pointer, gxp = gx.storage.pointer
            for o in 0..<outer {
                (gxp + (o * x.shape[a] + range.lowerBound) * inner).update(from: gp + o * chunk, count: chunk)
            }
            return [gx]
        }
    }

    /// Joins tensors along an existing `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0]
        let a = checked { try Shape.normalize(axis: axis, rank: first.rank, op: "concatenate") }
        for t in tensors {
            let ok = t.rank == first.rank && t.shape.enumerated().allSatisfy { $0.offset == a || $0.element == first.shape[$0.offset] }
            precondition(ok, "concatenate: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        var target = first.shape
        target[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let outer = Shape.count(Array(first.shape[..<a])), inner = Shape.count(Array(first.shape[(a + 1)...]))
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
        return result(out, op: "concatenate", inputs: tensors) { g in
            var start = 0
            return sizes.map { n in
                defer { start += n }
                return g.sliced(alongAxis: a, start..<(start + n))
            }
        }
    }

    /// Stacks equal-shaped tensors along a new `axis`.
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: no tensors")
        let shape = tensors[0].shape
        for t in tensors { precondition(t.shape == shape, "stack: shapes \(shape) and \(t.shape) differ") }
        let a = checked { try Shape.normalize(axis: axis, rank: shape.count + 1, op: "stack") }
        return concatenate(tensors.map { $0.unsqueezed(at: a) }, alongAxis: a)
    }

    /// Rows (slices along `axis`) picked by `indices`, repeats allowed (PyTorch's `index_select`;
    /// batching and embeddings). The gradient adds into the picked rows.
    public func indexSelect(alongAxis axis: Int, indices: [Int]) -> Tensor {
        let x = self
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "indexSelect") }
        let n = shape[a]
        for i in indices {
            precondition(i >= 0 && i < n, "indexSelect: index \(i) is out of range for axis \(axis) of size \(n) (shape \(shape))")
        }
        var target = shape
        target[a] = indices.count
        let outer = Shape.count(Array(shape[..<a])), inner = Shape.count(Array(shape[(a + 1)...]))
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
    /// has the same rank and, outside `axis`, the same sizes.
    public func gather(alongAxis axis: Int, index: Tensor) -> Tensor {
        let x = self
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "gather") }
        precondition(index.rank == rank, "gather: index of shape \(index.shape) must have the rank of input shape \(shape)")
        for d in 0..<rank where d != a {
            precondition(index.shape[d] == shape[d], "gather: index shape \(index.shape) does not fit input shape \(shape) outside axis \(axis)")
        }
        let outer = Shape.count(Array(shape[..<a])), inner = Shape.count(Array(shape[(a + 1)...]))
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
