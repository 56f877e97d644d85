/// How to read a model's outputs when computing metrics.
public enum ModelOutputKind: Equatable {
    /// One logit per example (`[N]` or `[N, 1]`); positive above 0.
    case binaryLogits
    /// One probability per example; positive above 0.5.
    case binaryProbabilities
    /// Logits (or probabilities) `[N, C]`; the prediction is the argmax.
    case multiclass(numClasses: Int)
    /// Real-valued predictions of the targets' shape.
    case regression
}
