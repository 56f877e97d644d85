import ConvergeCore

/// The indices of a seeded train/validation split of `count` examples.
///
/// The validation part has `ceil(validationFraction · count)` examples (as scikit-learn's
/// `train_test_split` counts its test part), drawn by a permutation from a `RandomGenerator`
/// seeded with `seed`. Each part keeps the dataset's order, so the same seed gives the same split
/// on every run and platform.
///
/// - Precondition: `0 < validationFraction < 1`.
public func randomSplitIndices(count: Int, validationFraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
    precondition(validationFraction > 0 && validationFraction < 1,
                 "randomSplit: validationFraction must be in (0, 1), got \(validationFraction)")
    let validationCount = Swift.min(count, Int((validationFraction * Double(count)).rounded(.up)))
    let permutation = RandomGenerator(seed: seed).permutation(count)
    return (Array(permutation[validationCount...]).sorted(), Array(permutation[..<validationCount]).sorted())
}

/// Splits `dataset` into training and validation subsets (see
/// ``randomSplitIndices(count:validationFraction:seed:)`` for the sizes and the order).
public func randomSplit(_ dataset: any Dataset, validationFraction: Double, seed: UInt64) -> (train: DatasetSubset, validation: DatasetSubset) {
    let (train, validation) = randomSplitIndices(count: dataset.count, validationFraction: validationFraction, seed: seed)
    return (DatasetSubset(dataset, indices: train), DatasetSubset(dataset, indices: validation))
}

/// Splits `dataset` into training and validation tensor datasets holding copies of their rows,
/// so each part batches as fast as the whole and a ``Standardizer`` can be fitted on
/// `train.features` alone.
public func randomSplit(_ dataset: TensorDataset, validationFraction: Double, seed: UInt64) -> (train: TensorDataset, validation: TensorDataset) {
    let (train, validation) = randomSplitIndices(count: dataset.count, validationFraction: validationFraction, seed: seed)
    return (dataset.subset(train), dataset.subset(validation))
}

/// The examples of a base dataset at chosen indices, without copying.
public struct DatasetSubset: Dataset {
    /// The underlying dataset.
    public let base: any Dataset
    /// Indices into ``base``; example `i` of the subset is `base` example `indices[i]`.
    public let indices: [Int]

    /// Selects `indices` (repeats allowed) of `base`.
    public init(_ base: any Dataset, indices: [Int]) {
        for i in indices {
            precondition(i >= 0 && i < base.count, "DatasetSubset: index \(i) is out of range 0..<\(base.count)")
        }
        self.base = base
        self.indices = indices
    }

    /// Number of selected examples.
    public var count: Int { indices.count }
    /// The base dataset's feature shape.
    public var featureShape: [Int] { base.featureShape }
    /// The base dataset's label shape.
    public var labelShape: [Int] { base.labelShape }
    /// Example `index` of the subset.
    public func example(at index: Int) -> (features: [Float], label: [Float]) { base.example(at: indices[index]) }
    /// The subset's examples at `batchIndices`, batched by the base dataset.
    public func batch(indices batchIndices: [Int]) -> Batch {
        let picked = base.batch(indices: batchIndices.map { indices[$0] })
        return Batch(inputs: picked.inputs, targets: picked.targets, indices: batchIndices)
    }
}
