import ConvergeCore
import Foundation

/// Binary cross-entropy between probabilities and targets (PyTorch's `binary_cross_entropy`):
/// element `i` loses `−wᵢ·[tᵢ·log xᵢ + (1 − tᵢ)·log(1 − xᵢ)]`, with each logarithm clamped to
/// at least −100 so a probability of exactly 0 or 1 gives a finite loss, and the gradient's
/// denominator `xᵢ·(1 − xᵢ)` clamped to at least 10⁻¹².
///
/// Prefer ``binaryCrossEntropy(logits:targets:weights:positiveWeight:reduction:)`` on logits:
/// it is exact where a sigmoid would round to 0 or 1.
/// - Parameter weights: a per-element rescaling that broadcasts to the probabilities' shape.
/// - Parameter probabilities: predicted probabilities in [0, 1].
/// - Parameter targets: the targets, in [0, 1], of the probabilities' shape.
/// - Parameter reduction: how the per-element losses are combined (default: their mean).
/// Gradients flow to `probabilities` and `targets`; none flow to `weights`.
/// - Precondition: the shapes agree and every probability lies in [0, 1].
public func binaryCrossEntropy(probabilities: Tensor, targets: Tensor, weights: Tensor? = nil,
                               reduction: Reduction = .mean) -> Tensor {
    let name = "binaryCrossEntropy(probabilities:)"
    let x = probabilities
    lossPrecondition { try LossChecks.sameShape(name, "probabilities", x.shape, "targets", targets.shape) }
    let w = broadcastLossWeights(name, weights, label: "weights", to: x.shape)
    let n = x.count
    let px = x.storage.pointer, pt = targets.storage.pointer, pw = w?.storage.pointer
    lossPrecondition { try LossChecks.probabilities(name, x) }
    @inline(__always) func logX(_ v: Float) -> Float { Swift.max(Foundation.log(v), -100) }
    @inline(__always) func log1mX(_ v: Float) -> Float { Swift.max(Foundation.log1p(-v), -100) }
    let perElement = Tensor(uninitializedShape: x.shape)
    let po = perElement.storage.pointer
    for i in 0..<n {
        let t = pt[i]
        po[i] = ((t - 1) * log1mX(px[i]) - t * logX(px[i])) * (pw?[i] ?? 1)
    }
    let denominator = Double(n)
    let out = LossReduction.reduce(perElement, reduction, denominator: denominator)
    return Tensor.recording(out, op: name, inputs: [x, targets]) { g in
        // Pointers are re-read from the tensors the closure keeps alive.
        let px = x.storage.pointer, pt = targets.storage.pointer, pw = w?.storage.pointer
        let scale = LossReduction.upstream(g, reduction, denominator: denominator)
        let gx = Tensor(uninitializedShape: x.shape), gt = Tensor(uninitializedShape: targets.shape)
        let pgx = gx.storage.pointer, pgt = gt.storage.pointer
        for i in 0..<n {
            let v = px[i], t = pt[i]
            let s = scale(i) * (pw?[i] ?? 1)
            pgx[i] = s * (v - t) / Swift.max((1 - v) * v, 1e-12)
            // −logit(v), unclamped, as PyTorch differentiates the target.
            pgt[i] = s * (Foundation.log1p(-v) - Foundation.log(v))
        }
        return [x.requiresGrad ? gx : nil, targets.requiresGrad ? gt : nil]
    }
}
