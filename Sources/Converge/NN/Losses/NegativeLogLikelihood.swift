import ConvergeCore

/// The negative log-likelihood of class-index targets under log-probabilities (PyTorch's
/// `nll_loss`; pair it with `Tensor.logSoftmax(alongAxis:)`, or use
/// `crossEntropy(logits:targets:weights:ignoreIndex:labelSmoothing:reduction:)` on logits).
///
/// `logProbabilities` has shape `[N, C]`, `[N, C, d₁, …]` or `[C]`; `targets` holds integer class
/// ids as floats with that shape minus the class axis. Position `i` loses `−w[yᵢ]·xᵢ[yᵢ]`;
/// targets equal to `ignoreIndex` lose nothing, and `.mean` divides by `Σᵢ w[yᵢ]` over the
/// counted positions.
/// - Precondition: the shapes fit, class ids lie in `0..<C` (or equal `ignoreIndex`), and
///   `weights` has shape `[C]`.
public func negativeLogLikelihood(logProbabilities: Tensor, targets: Tensor, weights: Tensor? = nil,
                                  ignoreIndex: Int = -100, reduction: Reduction = .mean) -> Tensor {
    let name = "negativeLogLikelihood"
    let x = logProbabilities
    let layout = lossPrecondition { try ClassLayout(name, scoresShape: x.shape, scoresName: "log-probabilities") }
    let w = lossPrecondition { try LossChecks.classWeights(name, weights, classes: layout.classes) }
    let classes = lossPrecondition {
        try LossChecks.classIndices(name, targets: targets, scoresShape: x.shape, ignoreIndex: ignoreIndex)
    }
    let px = x.storage.pointer
    let perPosition = Tensor(uninitializedShape: layout.positionShape)
    let po = perPosition.storage.pointer
    var totalWeight = 0.0
    for p in 0..<layout.positions {
        let y = classes[p]
        if y < 0 { po[p] = 0; continue }
        totalWeight += Double(w[y])
        po[p] = -w[y] * px[layout.offset(p, y)]
    }
    let out = LossReduction.reduce(perPosition, reduction, denominator: totalWeight)
    return Tensor.recording(out, op: name, inputs: [x]) { g in
        let scale = LossReduction.upstream(g, reduction, denominator: totalWeight)
        let gx = Tensor.zeros(x.shape)
        let pg = gx.storage.pointer
        for p in 0..<layout.positions where classes[p] >= 0 {
            pg[layout.offset(p, classes[p])] = -w[classes[p]] * scale(p)
        }
        return [gx]
    }
}
