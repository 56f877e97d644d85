import ConvergeCore

/// A finite, indexable collection of labelled examples.
///
/// An example is a flat feature vector of ``featureShape`` and a flat label of ``labelShape``.
/// ``DataLoader`` asks a dataset for whole batches through ``batch(indices:)``; the default
/// implementation assembles one from ``example(at:)``, and tensor-backed datasets such as
/// ``TensorDataset`` override it with row copies.
public protocol Dataset {
    /// Number of examples.
    var count: Int { get }
    /// Shape of one example's features (without the batch dimension).
    var featureShape: [Int] { get }
    /// Shape of one example's label (`[]` for a scalar class id or target).
    var labelShape: [Int] { get }
    /// The features and label of example `index` (row-major, flattened).
    func example(at index: Int) -> (features: [Float], label: [Float])
    /// The examples at `indices`, stacked along a new first dimension.
    func batch(indices: [Int]) -> Batch
}

extension Dataset {
    /// Stacks ``example(at:)`` for each index into `[n] + featureShape` inputs and
    /// `[n] + labelShape` targets.
    public func batch(indices: [Int]) -> Batch {
        let featureSize = Shape.count(featureShape), labelSize = Shape.count(labelShape)
        let inputs = Tensor(uninitializedShape: [indices.count] + featureShape)
        let targets = Tensor(uninitializedShape: [indices.count] + labelShape)
        let ip = inputs.storage.pointer, tp = targets.storage.pointer
        for (row, index) in indices.enumerated() {
            let (features, label) = example(at: index)
            precondition(features.count == featureSize && label.count == labelSize,
                         "Dataset.batch: example \(index) has \(features.count) features and \(label.count) label values, expected \(featureSize) and \(labelSize)")
            for j in 0..<featureSize { ip[row * featureSize + j] = features[j] }
            for j in 0..<labelSize { tp[row * labelSize + j] = label[j] }
        }
        return Batch(inputs: inputs, targets: targets, indices: indices)
    }
}

/// One mini-batch: model inputs and the matching targets, with the dataset indices they came from.
public struct Batch {
    /// Inputs of shape `[batchSize] + featureShape`.
    public var inputs: Tensor
    /// Targets of shape `[batchSize] + labelShape`.
    public var targets: Tensor
    /// The dataset indices of the rows, in batch order.
    public var indices: [Int]

    /// Creates a batch.
    public init(inputs: Tensor, targets: Tensor, indices: [Int]) {
        self.inputs = inputs
        self.targets = targets
        self.indices = indices
    }

    /// Number of examples in the batch.
    public var count: Int { indices.count }
}
