import ConvergeCore

/// Cross-entropy with integer class-index targets (PyTorch's `cross_entropy` with an `int64`
/// target): the same loss as ``crossEntropy(logits:targets:weights:ignoreIndex:labelSmoothing:reduction:)``
/// with class ids held in an `IndexTensor` of the logits' shape minus the class axis.
///
/// For a language model, flatten the positions first: logits `[B·T, V]`, targets `[B·T]` (or use
/// ``tokenCrossEntropy(logits:targets:ignoreIndex:)``).
/// - Precondition: `targets.shape` is the logits' shape without axis 1, and every target lies in
///   `0..<C` or equals `ignoreIndex`.
public func crossEntropy(logits: Tensor, targets: IndexTensor, weights: Tensor? = nil, ignoreIndex: Int = -100,
                         labelSmoothing: Float = 0, reduction: Reduction = .mean) -> Tensor {
    let name = "crossEntropy"
    let layout = lossPrecondition { try ClassLayout(name, scoresShape: logits.shape, scoresName: "logits") }
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1,
                 "\(name): labelSmoothing must lie in [0, 1], got \(labelSmoothing)")
    precondition(targets.shape == layout.positionShape,
                 "\(name): index targets of shape \(targets.shape) do not fit logits of shape \(logits.shape) (expected \(layout.positionShape))")
    let w = lossPrecondition { try LossChecks.classWeights(name, weights, classes: layout.classes) }
    var classes = [Int](repeating: 0, count: targets.count)
    for (i, t) in targets.indices.enumerated() {
        let c = Int(t)
        if c == ignoreIndex { classes[i] = -1; continue }
        precondition(c >= 0 && c < layout.classes,
                     "\(name): target class \(c) at position \(i) is out of range for \(layout.classes) classes (targets shape \(targets.shape), logits shape \(logits.shape))")
        classes[i] = c
    }
    let logProbabilities = logSoftmaxRaw(logits, layout: layout)
    return indexCrossEntropy(logits: logits, classes: classes, logProbabilities: logProbabilities, layout: layout,
                             weights: w, smoothing: labelSmoothing, reduction: reduction)
}

/// The language-modelling loss: the mean cross-entropy per token of `logits` `[…, T, V]`
/// (classes on the last axis, as a decoder emits them) against next-token `targets` `[…, T]`.
/// Its exponential is the perplexity.
public func tokenCrossEntropy(logits: Tensor, targets: IndexTensor, ignoreIndex: Int = -100) -> Tensor {
    precondition(logits.rank >= 2 && Array(logits.shape.dropLast()) == targets.shape,
                 "tokenCrossEntropy: logits of shape \(logits.shape) need targets of shape \(Array(logits.shape.dropLast())), got \(targets.shape)")
    let v = logits.shape[logits.rank - 1]
    return crossEntropy(logits: logits.reshaped([targets.count, v]), targets: targets.reshaped([targets.count]),
                        ignoreIndex: ignoreIndex)
}
