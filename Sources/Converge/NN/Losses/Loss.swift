import ConvergeCore

/// A loss function as a value: what a trainer is configured with.
///
/// ```swift
/// let loss = Loss.crossEntropy(labelSmoothing: 0.1)
/// let value = loss(model(inputs), targets)            // mean reduction
/// let trainer = Trainer(model: model, loss: .binaryCrossEntropyWithLogits, …)
/// ```
///
/// The built-in losses are static members (with PyTorch's defaults) and static functions taking
/// their options; ``init(name:_:)`` wraps any other function of predictions and targets.
public struct Loss {
    /// A short name for logs and reports, e.g. `crossEntropy`.
    public let name: String
    private let body: (Tensor, Tensor, Reduction) -> Tensor

    /// Wraps `body(predictions, targets, reduction)` as a loss named `name`.
    public init(name: String, _ body: @escaping (_ predictions: Tensor, _ targets: Tensor, _ reduction: Reduction) -> Tensor) {
        self.name = name
        self.body = body
    }

    /// The loss of `predictions` (the model's output) against `targets`.
    public func callAsFunction(_ predictions: Tensor, _ targets: Tensor, reduction: Reduction = .mean) -> Tensor {
        body(predictions, targets, reduction)
    }

    /// ``meanSquaredError(predictions:targets:reduction:)``.
    public static var meanSquaredError: Loss {
        Loss(name: "meanSquaredError") { Converge.meanSquaredError(predictions: $0, targets: $1, reduction: $2) }
    }

    /// ``l1Loss(predictions:targets:reduction:)``.
    public static var l1: Loss {
        Loss(name: "l1") { l1Loss(predictions: $0, targets: $1, reduction: $2) }
    }

    /// ``huberLoss(predictions:targets:delta:reduction:)`` with `delta` 1.
    public static var huber: Loss { huber(delta: 1) }

    /// ``huberLoss(predictions:targets:delta:reduction:)``.
    public static func huber(delta: Float) -> Loss {
        Loss(name: "huber") { huberLoss(predictions: $0, targets: $1, delta: delta, reduction: $2) }
    }

    /// ``smoothL1Loss(predictions:targets:beta:reduction:)`` with `beta` 1.
    public static var smoothL1: Loss { smoothL1(beta: 1) }

    /// ``smoothL1Loss(predictions:targets:beta:reduction:)``.
    public static func smoothL1(beta: Float) -> Loss {
        Loss(name: "smoothL1") { smoothL1Loss(predictions: $0, targets: $1, beta: beta, reduction: $2) }
    }

    /// `crossEntropy(logits:targets:weights:ignoreIndex:labelSmoothing:reduction:)` with
    /// PyTorch's defaults; the model outputs logits.
    public static var crossEntropy: Loss { crossEntropy() }

    /// `crossEntropy(logits:targets:weights:ignoreIndex:labelSmoothing:reduction:)`.
    public static func crossEntropy(weights: Tensor? = nil, ignoreIndex: Int = -100, labelSmoothing: Float = 0) -> Loss {
        Loss(name: "crossEntropy") {
            Converge.crossEntropy(logits: $0, targets: $1, weights: weights, ignoreIndex: ignoreIndex,
                                  labelSmoothing: labelSmoothing, reduction: $2)
        }
    }

    /// ``negativeLogLikelihood(logProbabilities:targets:weights:ignoreIndex:reduction:)``; the
    /// model outputs log-probabilities.
    public static var negativeLogLikelihood: Loss { negativeLogLikelihood() }

    /// ``negativeLogLikelihood(logProbabilities:targets:weights:ignoreIndex:reduction:)``.
    public static func negativeLogLikelihood(weights: Tensor? = nil, ignoreIndex: Int = -100) -> Loss {
        Loss(name: "negativeLogLikelihood") {
            Converge.negativeLogLikelihood(logProbabilities: $0, targets: $1, weights: weights,
                                           ignoreIndex: ignoreIndex, reduction: $2)
        }
    }

    /// ``binaryCrossEntropy(logits:targets:weights:positiveWeight:reduction:)``; the model
    /// outputs logits.
    public static var binaryCrossEntropyWithLogits: Loss { binaryCrossEntropyWithLogits() }

    /// ``binaryCrossEntropy(logits:targets:weights:positiveWeight:reduction:)``.
    public static func binaryCrossEntropyWithLogits(weights: Tensor? = nil, positiveWeight: Tensor? = nil) -> Loss {
        Loss(name: "binaryCrossEntropyWithLogits") {
            Converge.binaryCrossEntropy(logits: $0, targets: $1, weights: weights, positiveWeight: positiveWeight, reduction: $2)
        }
    }

    /// ``binaryCrossEntropy(probabilities:targets:weights:reduction:)``; the model outputs
    /// probabilities.
    public static var binaryCrossEntropy: Loss { binaryCrossEntropy() }

    /// ``binaryCrossEntropy(probabilities:targets:weights:reduction:)``.
    public static func binaryCrossEntropy(weights: Tensor? = nil) -> Loss {
        Loss(name: "binaryCrossEntropy") {
            Converge.binaryCrossEntropy(probabilities: $0, targets: $1, weights: weights, reduction: $2)
        }
    }
}
