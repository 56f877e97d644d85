import Converge
import ConvergeCore

/// A set of examples for supervised learning: row `i` of ``features`` goes with element `i` of
/// ``labels``.
///
/// Labels are stored as `Float`: 0/1 for binary targets (pass ``labelColumn`` to a
/// binary-cross-entropy loss whose logits have shape [N, 1]) and the class index for
/// multi-class targets.
public struct LabeledExamples {
    /// Features of shape [count, featureCount].
    public let features: Tensor
    /// Labels of shape [count].
    public let labels: Tensor

    /// Pairs `features` [N, F] with `labels` [N].
    public init(features: Tensor, labels: Tensor) {
        precondition(features.rank == 2, "LabeledExamples: features must have shape [N, F], got \(features.shape)")
        precondition(labels.shape == [features.shape[0]],
                     "LabeledExamples: labels shape \(labels.shape) does not match features shape \(features.shape)")
        self.features = features
        self.labels = labels
    }

    /// Number of examples.
    public var count: Int { features.shape[0] }
    /// Number of features per example.
    public var featureCount: Int { features.shape[1] }
    /// The labels as a column of shape [count, 1], the shape of a one-output model's logits.
    public var labelColumn: Tensor { labels.reshaped([count, 1]) }

    /// The examples at `indices`, in that order (copied).
    public func subset(_ indices: [Int]) -> LabeledExamples {
        let width = featureCount
        let newFeatures = Tensor(uninitializedShape: [indices.count, width])
        let newLabels = Tensor(uninitializedShape: [indices.count])
        features.withUnsafeBufferPointer { source in
            labels.withUnsafeBufferPointer { sourceLabels in
                newFeatures.withUnsafeMutableBufferPointer { target in
                    newLabels.withUnsafeMutableBufferPointer { targetLabels in
                        for (row, index) in indices.enumerated() {
                            precondition(index >= 0 && index < count,
                                         "LabeledExamples.subset: index \(index) is outside 0..<\(count)")
                            for j in 0..<width { target[row * width + j] = source[index * width + j] }
                            targetLabels[row] = sourceLabels[index]
                        }
                    }
                }
            }
        }
        return LabeledExamples(features: newFeatures, labels: newLabels)
    }

    /// The examples in `range` (copied).
    public func rows(_ range: Range<Int>) -> LabeledExamples { subset(Array(range)) }

    /// The same labels with `transform` applied to the features (which must keep N rows).
    public func mappingFeatures(_ transform: (Tensor) -> Tensor) -> LabeledExamples {
        LabeledExamples(features: transform(features), labels: labels)
    }

    /// The fraction of labels equal to 1 (the positive rate of binary data).
    public var positiveFraction: Double {
        labels.withUnsafeBufferPointer { buffer in
            Double(buffer.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }) / Double(Swift.max(count, 1))
        }
    }
}
