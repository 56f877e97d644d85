import ConvergeCore

/// A dataset held in two tensors: `features` of shape `[N, …]` and `labels` of shape `[N]` or
/// `[N, k]` (any shape whose first dimension is `N`).
///
/// Batches are built by copying whole rows (one `memcpy` per example), so a loader over a
/// tensor dataset costs little more than the copy itself. The tensors are used as given (not
/// copied); batches are fresh tensors cut off from any graph.
public struct TensorDataset: Dataset {
    /// All features, `[N] + featureShape`.
    public let features: Tensor
    /// All labels, `[N] + labelShape`.
    public let labels: Tensor

    /// Wraps `features` and `labels`, which must have the same first dimension.
    public init(features: Tensor, labels: Tensor) {
        precondition(features.rank >= 1 && labels.rank >= 1,
                     "TensorDataset: features \(features.shape) and labels \(labels.shape) need a first (example) dimension")
        precondition(features.shape[0] == labels.shape[0],
                     "TensorDataset: features \(features.shape) and labels \(labels.shape) have different numbers of examples")
        self.features = features
        self.labels = labels
    }

    /// Number of examples.
    public var count: Int { features.shape[0] }
    /// Shape of one example's features.
    public var featureShape: [Int] { Array(features.shape.dropFirst()) }
    /// Shape of one example's label.
    public var labelShape: [Int] { Array(labels.shape.dropFirst()) }

    /// Example `index` as flat arrays.
    public func example(at index: Int) -> (features: [Float], label: [Float]) {
        precondition(index >= 0 && index < count, "TensorDataset.example: index \(index) is out of range 0..<\(count)")
        let f = Shape.count(featureShape), l = Shape.count(labelShape)
        return (Array(UnsafeBufferPointer(start: features.storage.pointer + index * f, count: f)),
                Array(UnsafeBufferPointer(start: labels.storage.pointer + index * l, count: l)))
    }

    /// The rows at `indices` (repeats allowed), copied into new tensors.
    public func batch(indices: [Int]) -> Batch {
        Batch(inputs: Self.rows(features, indices), targets: Self.rows(labels, indices), indices: indices)
    }

    /// A new dataset holding copies of the rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> TensorDataset {
        TensorDataset(features: Self.rows(features, indices), labels: Self.rows(labels, indices))
    }

    /// The same features with labels reshaped to `[N] + shape` (e.g. `[1]` to turn `[N]`
    /// regression targets into the `[N, 1]` column a one-output model produces).
    public func reshapingLabels(to shape: [Int]) -> TensorDataset {
        TensorDataset(features: features, labels: labels.detached().reshaped([count] + shape))
    }

    /// Copies the rows (slices along axis 0) at `indices` into a new contiguous tensor.
    static func rows(_ source: Tensor, _ indices: [Int]) -> Tensor {
        let n = source.shape[0]
        let rowSize = Shape.count(Array(source.shape.dropFirst()))
        let out = Tensor(uninitializedShape: [indices.count] + Array(source.shape.dropFirst()))
        let src = source.storage.pointer, dst = out.storage.pointer
        for (j, i) in indices.enumerated() {
            precondition(i >= 0 && i < n, "TensorDataset: index \(i) is out of range 0..<\(n)")
            (dst + j * rowSize).update(from: src + i * rowSize, count: rowSize)
        }
        return out
    }
}
