/// An n-dimensional array of `Float` values that can record the operations applied to it and
/// compute gradients by reverse-mode automatic differentiation.
///
/// Tensors have reference semantics, like PyTorch's: an optimizer that updates a parameter in place
/// changes the tensor every module that holds it sees. Storage is contiguous and row-major; views
/// such as ``reshaped(_:)`` share storage with their base.
public final class Tensor {
    /// The size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// The buffer holding the elements in row-major order.
    public let storage: TensorStorage
    /// The element type: what the storage held when this tensor was made (``TensorStorage/elementType``,
    /// bfloat16 for autocast activations), or the precision a rounding op marked. Kernels compute
    /// in float32; see ``DType``.
    public internal(set) var dtype: DType = .float32
    /// Whether gradients flow to this tensor. Setting it on a leaf makes it a trainable leaf.
    public var requiresGrad: Bool
    /// The accumulated gradient (same shape), filled by ``backward(_:)`` for leaves that require it.
    public var grad: Tensor?
    /// The recorded operation that produced this tensor; `nil` for leaves.
    var node: GradNode?
    /// An optional human-readable name, used in diagnostics (parameters get their dotted path).
    public var name: String?
    /// Scratch state of a backward pass: the pass that last visited this tensor, and the gradient
    /// gathered for it so far (`pendingOwned` when that pass allocated it and may add in place).
    var backwardPass: UInt64 = 0
    var pendingGradient: Tensor?
    var pendingOwned = false
    /// Called once per backward pass after this leaf's ``grad`` has received the pass's
    /// gradient (PyTorch's `register_post_accumulate_grad_hook`); data-parallel training uses it
    /// to start reducing gradient buckets while the rest of the backward pass runs.
    public var postAccumulateGradHook: ((Tensor) -> Void)?

    /// Wraps existing storage. `shape` must describe exactly `storage.count` elements.
    public init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(Shape.count(shape) == storage.count,
                     "Tensor: shape \(shape) needs \(Shape.count(shape)) elements, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
        self.dtype = storage.elementType
    }

    /// Creates a tensor from row-major `scalars` with the given `shape`.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        precondition(Shape.count(shape) == scalars.count,
                     "Tensor(shape:scalars:): shape \(shape) needs \(Shape.count(shape)) values, got \(scalars.count)")
        self.init(shape: shape, storage: TensorStorage(scalars), requiresGrad: requiresGrad)
    }

    /// Creates a 1-D tensor from `scalars`.
    public convenience init(_ scalars: [Float], requiresGrad: Bool = false) {
        self.init(shape: [scalars.count], scalars: scalars, requiresGrad: requiresGrad)
    }

    /// Creates a 2-D tensor from rows of equal length.
    public convenience init(_ rows: [[Float]], requiresGrad: Bool = false) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor([[Float]]): rows have different lengths")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 }, requiresGrad: requiresGrad)
    }

    /// Creates a scalar (rank-0) tensor.
    public convenience init(_ value: Float, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [value], requiresGrad: requiresGrad)
    }

    /// Creates a tensor of `shape` whose contents are garbage until written (for kernels that
    /// fill every element).
    public convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: Shape.count(shape)))
    }

    // MARK: - Reading values

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { storage.count }
    /// The elements in row-major order.
    public var scalars: [Float] { Array(storage.buffer) }
    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) elements, not 1")
        return storage.pointer[0]
    }
    /// The single element of a one-element tensor (PyTorch's `item()`).
    public func item() -> Float { scalar }
    /// Whether this tensor was created by the user rather than recorded from an op.
    public var isLeaf: Bool { node == nil }
    /// The name of the op that produced this tensor, or `nil` for a leaf.
    public var operationName: String? { node?.op }

    /// Calls `body` with read access to the elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(storage.buffer))
    }

    /// Calls `body` with write access to the elements. Writing bypasses autograd, as PyTorch's
    /// in-place updates under `torch.no_grad()` do.
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        defer { storage.markModified() }
        return try body(storage.buffer)
    }

    /// Copies `source`'s elements into this tensor in place (shapes must have equal counts).
    public func assign(_ source: Tensor) {
        precondition(source.count == count, "Tensor.assign: shape \(source.shape) into shape \(shape)")
        storage.pointer.update(from: source.storage.pointer, count: count)
        storage.markModified()
    }

    /// Sets every element to `value` in place.
    public func fill(_ value: Float) {
        storage.pointer.update(repeating: value, count: count)
        storage.markModified()
    }

    /// A tensor sharing this one's values but cut off from the graph.
    public func detached() -> Tensor {
        let result = Tensor(shape: shape, storage: storage)
        result.dtype = dtype
        return result
    }

    /// A deep copy of the values, cut off from the graph.
    public func copy() -> Tensor { Tensor(shape: shape, storage: storage.copy()) }
}

extension Tensor: CustomStringConvertible {
    /// A short summary: shape and (up to 8) values.
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}
