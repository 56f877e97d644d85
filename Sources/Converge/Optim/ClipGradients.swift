import ConvergeCore
import Foundation

/// The p-norm of `tensor`'s elements (`p = .infinity` for the largest magnitude), accumulated in
/// double precision and rounded to float32 as PyTorch's `vector_norm` returns it.
private func vectorNorm(_ tensor: Tensor, _ p: Double) -> Float {
    let x = tensor.storage.pointer
    let n = tensor.count
    if p == .infinity {
        var m: Float = 0
        for i in 0..<n {
            let a = abs(x[i])
            if a > m || a.isNaN { m = a }
            if m.isNaN { break }
        }
        return m
    }
    var sum = 0.0
    if p == 1 || p == 2 {
        // Eight double-precision partial sums, vectorized.
        var lanes = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            let v = SIMD8<Double>(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self))
            lanes += p == 2 ? v * v : v.replacing(with: -v, where: v .< 0)
            i += 8
        }
        sum = lanes.sum()
        while i < n {
            let a = Double(x[i])
            sum += p == 2 ? a * a : abs(a)
            i += 1
        }
        return Float(p == 2 ? sum.squareRoot() : sum)
    }
    for i in 0..<n { sum += pow(Double(abs(x[i])), p) }
    return Float(pow(sum, 1 / p))
}

/// The norm of all gradients of `parameters` viewed as one vector (parameters without a gradient
/// are skipped; 0 when none has one): the norm of the per-tensor norms, as PyTorch computes it.
///
/// - Parameter parameters: the tensors whose gradients are measured.
/// - Parameter normType: p ≥ 1, or `.infinity` for the largest absolute value.
public func gradNorm(_ parameters: [Tensor], normType: Double = 2) -> Double {
    precondition(normType >= 1 || normType == .infinity, "gradNorm: norm type \(normType) must be ≥ 1 or infinity")
    let norms = parameters.compactMap { $0.grad }.map { vectorNorm($0, normType) }
    if norms.isEmpty { return 0 }
    return Double(vectorNorm(Tensor(norms), normType))
}

/// Rescales the gradients of `parameters` in place so that their global norm is at most
/// `maxNorm`, as PyTorch's `clip_grad_norm_`: every gradient is multiplied by
/// `min(1, maxNorm / (norm + 1e-6))` (the 1e-6 keeps the division finite and leaves the clipped
/// norm a hair below `maxNorm`).
///
/// - Returns: the total norm *before* clipping, which is what to log and watch.
///   A NaN or infinite norm is returned as it is, not hidden: the gradients are then scaled by a
///   NaN or zero coefficient exactly as PyTorch does (`error_if_nonfinite=False`), so the caller
///   must check `norm.isFinite` and skip the step (or stop) when it is not.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Double, normType: Double = 2) -> Double {
    precondition(maxNorm >= 0, "clipGradNorm: maxNorm \(maxNorm) is negative")
    let total = Float(gradNorm(parameters, normType: normType))
    let coefficient = (1 / (total + Float(1e-6))) * Float(maxNorm)
    let clamped = coefficient > 1 ? 1 : coefficient
    for p in parameters {
        guard let g = p.grad else { continue }
        let x = g.storage.pointer
        for i in 0..<g.count { x[i] = x[i] * clamped }
    }
    return Double(total)
}

/// Clamps every gradient element of `parameters` to `[−clipValue, clipValue]` in place
/// (PyTorch's `clip_grad_value_`; NaN stays NaN). This changes the gradient's direction, unlike
/// ``clipGradNorm(_:maxNorm:normType:)``.
public func clipGradValue(_ parameters: [Tensor], clipValue: Double) {
    precondition(clipValue >= 0, "clipGradValue: clipValue \(clipValue) is negative")
    let high = Float(clipValue)
    let low = -high
    for p in parameters {
        guard let g = p.grad else { continue }
        let x = g.storage.pointer
        for i in 0..<g.count {
            let v = x[i]
            if v > high { x[i] = high } else if v < low { x[i] = low }
        }
    }
}
