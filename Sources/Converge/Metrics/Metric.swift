/// A metric that ``MetricAccumulator`` can compute over an epoch.
public enum Metric: Hashable, CustomStringConvertible {
    /// Mean loss, weighted by batch size.
    case loss
    /// Fraction of correct predictions (threshold for binary outputs, argmax for multiclass).
    case accuracy
    /// Fraction of examples whose class is among the `k` highest scores (multiclass only).
    case topKAccuracy(Int)
    /// Area under the ROC curve (binary only), exact over the whole epoch.
    case rocAUC
    /// Precision (binary: of class 1; multiclass: macro average).
    case precision
    /// Recall (binary: of class 1; multiclass: macro average).
    case recall
    /// F1 (binary: of class 1; multiclass: macro average).
    case f1
    /// Mean squared error (regression).
    case meanSquaredError
    /// Mean absolute error (regression).
    case meanAbsoluteError
    /// `exp(mean loss)`: the perplexity of a language model whose loss is the cross-entropy per
    /// token (nats).
    case perplexity

    /// The name used in logs and history files: `loss`, `accuracy`, `top5_accuracy`, `auc`,
    /// `precision`, `recall`, `f1`, `mse`, `mae`.
    public var name: String {
        switch self {
        case .loss: return "loss"
        case .accuracy: return "accuracy"
        case .topKAccuracy(let k): return "top\(k)_accuracy"
        case .rocAUC: return "auc"
        case .precision: return "precision"
        case .recall: return "recall"
        case .f1: return "f1"
        case .meanSquaredError: return "mse"
        case .meanAbsoluteError: return "mae"
        case .perplexity: return "perplexity"
        }
    }

    /// The ``name``.
    public var description: String { name }
}
