/// An n-dimensional array of integer indices: token ids, class labels, gather positions.
///
/// PyTorch keeps these in `int64` tensors; Converge keeps them apart from ``Tensor`` (whose
/// values are computed in float32, where integers above 2²⁴ are not exact) in a small value type
/// of its own. Indices never carry gradients, so an index tensor has no graph.
///
/// ```swift
/// let tokens = IndexTensor(shape: [2, 3], indices: [5, 1, 0, 2, 2, 7])
/// let vectors = Tensor.embedding(tokens, weight: table)      // [2, 3, D]
/// let loss = crossEntropy(logits: logits, targets: labels)   // labels: IndexTensor
/// ```
public struct IndexTensor: Equatable, Sendable, CustomStringConvertible {
    /// The size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// The indices in row-major order.
    public var indices: [Int32]

    /// Creates an index tensor; `shape` must describe exactly `indices.count` elements.
    public init(shape: [Int], indices: [Int32]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "IndexTensor: negative dimension in shape \(shape)")
        precondition(Shape.count(shape) == indices.count,
                     "IndexTensor: shape \(shape) needs \(Shape.count(shape)) indices, got \(indices.count)")
        self.shape = shape
        self.indices = indices
    }

    /// Creates an index tensor from `Int` values (each must fit in 32 bits).
    public init(shape: [Int], _ values: [Int]) {
        self.init(shape: shape, indices: values.map { value in
            precondition(value >= Int(Int32.min) && value <= Int(Int32.max),
                         "IndexTensor: index \(value) does not fit in 32 bits")
            return Int32(value)
        })
    }

    /// A 1-D index tensor.
    public init(_ values: [Int]) { self.init(shape: [values.count], values) }

    /// Converts a float tensor of integer values (the older convention for labels); stops with a
    /// message naming the first value that is not an integer.
    public init(exactly tensor: Tensor) {
        let values = tensor.scalars
        var out = [Int32]()
        out.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            precondition(v.rounded() == v && Swift.abs(v) < 16_777_217,
                         "IndexTensor(exactly:): element \(i) of shape \(tensor.shape) is \(v), not an integer")
            out.append(Int32(v))
        }
        self.init(shape: tensor.shape, indices: out)
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { indices.count }

    /// The indices as a float tensor (exact below 2²⁴), for APIs that take float ids.
    public func floatTensor() -> Tensor { Tensor(shape: shape, scalars: indices.map { Float($0) }) }

    /// The same indices with a new shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> IndexTensor {
        precondition(Shape.count(newShape) == count, "IndexTensor.reshaped: \(shape) cannot become \(newShape)")
        return IndexTensor(shape: newShape, indices: indices)
    }

    /// A short summary: shape and (up to 8) indices.
    public var description: String {
        let shown = indices.prefix(8).map { String($0) }.joined(separator: ", ")
        return "IndexTensor(shape: \(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}

extension Tensor {
    /// PyTorch's `gather` with an integer index: `out[…, j, …] = self[…, index[…, j, …], …]`
    /// along `axis`, where `index` has the same rank and, outside `axis`, the same sizes. The
    /// gradient adds into the picked elements (repeats accumulate).
    public func gather(alongAxis axis: Int, index: IndexTensor) -> Tensor {
        let x = self
        let a = checked { try ShapeCheck.gather(shape, axis: axis, index: index.shape) }
        let outer = Shape.count(shape, 0..<a), inner = Shape.count(shape, (a + 1)..<rank)
        let n = shape[a], m = index.shape[a]
        let out = Tensor(uninitializedShape: index.shape)
        let src = storage.pointer, dst = out.storage.pointer
        var positions = [Int](repeating: 0, count: index.count)
        index.indices.withUnsafeBufferPointer { ip in
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
        }
        return Tensor.result(out, op: "gather", inputs: [x]) { g in
            let gx = Tensor.zeros(x.shape)
            let gp = g.storage.pointer, gxp = gx.storage.pointer
            for t in 0..<positions.count { gxp[positions[t]] += gp[t] }
            return [gx]
        }
    }
}
