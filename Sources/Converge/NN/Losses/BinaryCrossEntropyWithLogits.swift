import ConvergeCore
import Foundation

/// Binary cross-entropy between `sigmoid(logits)` and `targets`, computed from the logits in one
/// numerically stable fused op (PyTorch's `binary_cross_entropy_with_logits`).
///
/// Element `i` loses `wᵢ·[(1 − tᵢ)·xᵢ − (1 + (pᵢ − 1)·tᵢ)·log σ(xᵢ)]`, which is
/// `−wᵢ·[pᵢ·tᵢ·log σ(xᵢ) + (1 − tᵢ)·log(1 − σ(xᵢ))]` with `log σ(x) = min(x, 0) − log(1 + e^−|x|)`
/// evaluated without overflow for any logit.
///
/// - Parameters:
///   - logits: the raw scores (before a sigmoid).
///   - targets: the targets, in [0, 1], of the logits' shape.
///   - reduction: how the per-element losses are combined (default: their mean).
///   - weights: a per-element rescaling that broadcasts to the logits' shape.
///   - positiveWeight: the weight `p` of positive examples, broadcast to the logits' shape
///     (typically one value per class along the last axis); `p > 1` raises recall.
/// Gradients flow to `logits` and `targets`; none flow to `weights` or `positiveWeight`.
/// - Precondition: `logits` and `targets` have the same shape; the weights broadcast to it.
public func binaryCrossEntropy(logits: Tensor, targets: Tensor, weights: Tensor? = nil,
                               positiveWeight: Tensor? = nil, reduction: Reduction = .mean) -> Tensor {
    let name = "binaryCrossEntropy(logits:)"
    lossPrecondition { try LossChecks.sameShape(name, "logits", logits.shape, "targets", targets.shape) }
    let w = broadcastLossWeights(name, weights, label: "weights", to: logits.shape)
    let pw = broadcastLossWeights(name, positiveWeight, label: "positiveWeight", to: logits.shape)
    let n = logits.count
    let px = logits.storage.pointer, pt = targets.storage.pointer
    let pwp = w?.storage.pointer, ppw = pw?.storage.pointer
    @inline(__always) func logSigmoid(_ x: Float) -> Float { Swift.min(x, 0) - Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
    let perElement = Tensor(uninitializedShape: logits.shape)
    let po = perElement.storage.pointer
    for i in 0..<n {
        let x = px[i], t = pt[i]
        let l = ppw.map { 1 + ($0[i] - 1) * t } ?? 1
        var loss = (1 - t) * x - l * logSigmoid(x)
        if let pwp { loss *= pwp[i] }
        po[i] = loss
    }
    let denominator = Double(n)
    let out = LossReduction.reduce(perElement, reduction, denominator: denominator)
    return Tensor.recording(out, op: name, inputs: [logits, targets]) { g in
        // Pointers are re-read from the tensors the closure keeps alive.
        let px = logits.storage.pointer, pt = targets.storage.pointer
        let pwp = w?.storage.pointer, ppw = pw?.storage.pointer
        let scale = LossReduction.upstream(g, reduction, denominator: denominator)
        // The targets' gradient (a log1p and an exp per element) only when they need one.
        let gx = Tensor(uninitializedShape: logits.shape)
        let gt = targets.requiresGrad ? Tensor(uninitializedShape: targets.shape) : nil
        let pgx = gx.storage.pointer, pgt = gt?.storage.pointer
        for i in 0..<n {
            let x = px[i], t = pt[i]
            let s = scale(i) * (pwp?[i] ?? 1)
            let positive = ppw?[i] ?? 1
            let l = 1 + (positive - 1) * t
            let e = Foundation.exp(-Swift.abs(x))
            let sigmoid: Float = x >= 0 ? 1 / (1 + e) : e / (1 + e)
            pgx[i] = s * ((1 - t) - l * (1 - sigmoid))
            if let pgt { pgt[i] = s * (-x - (positive - 1) * logSigmoid(x)) }
        }
        return [logits.requiresGrad ? gx : nil, gt]
    }
}

/// Materializes optional per-element loss weights at `shape` (broadcasting), or `nil`.
func broadcastLossWeights(_ loss: String, _ weights: Tensor?, label: String, to shape: [Int]) -> Tensor? {
    guard let weights else { return nil }
    lossPrecondition { try LossChecks.broadcastable(loss, label, weights, to: shape) }
    return withNoGrad { weights.expanded(to: shape) }
}
