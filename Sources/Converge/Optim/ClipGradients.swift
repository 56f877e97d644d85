import ConvergeCore
import Foundation

/// The p-norm of `count` floats at `x` (`p = .infinity` for the largest magnitude), accumulated
/// in double precision and rounded to float32 as PyTorch's `vector_norm` returns it.
private func vectorNorm(_ x: UnsafePointer<Float>, count n: Int, _ p: Double) -> Float {
    if p == .infinity {
        var m: Float = 0
        for i in 0..<n {
            let a = abs(x[i])
            if a > m || a.isNaN { m = a }
            if m.isNaN { break }
        }
        return m
    }
    if p == 1 || p == 2 {
        // Eight double-precision partial sums, vectorized; then the tail.
        var sum = BlockNorms.laneSums(x, from: 0, to: n, p: p).sum()
        var i = n - n % 8
        while i < n {
            let a = Double(x[i])
            sum += p == 2 ? a * a : abs(a)
            i += 1
        }
        return Float(p == 2 ? sum.squareRoot() : sum)
    }
    var sum = 0.0
    for i in 0..<n { sum += pow(Double(abs(x[i])), p) }
    return Float(pow(sum, 1 / p))
}

/// The norm of the per-tensor norms `norms` (PyTorch's `clip_grad_norm_` total).
func totalNorm(_ norms: [Float], _ p: Double) -> Float {
    norms.withUnsafeBufferPointer { vectorNorm($0.baseAddress!, count: $0.count, p) }
}

/// The p-norm (p = 1 or 2) of each of `gradients`, in one pass over all of them shared by the
/// cores (``MultiTensorPass``), into `norms`.
func blockwiseNorms(_ gradients: [Tensor], _ p: Double, pass: inout MultiTensorPass, sums: inout BlockNorms,
                    into norms: inout [Float]) {
    pass.reset(counts: gradients.lazy.map(\.count))
    sums.reset(blockCount: pass.blocks.count)
    gradients.withUnsafeBufferPointer { grads in
        sums.withStorage { storage in
            pass.run { b, block in
                BlockNorms.record(storage, b, grads[block.segment].storage.pointer, block, p: p)
            }
        }
    }
    norms.removeAll(keepingCapacity: true)
    var first = 0
    for (s, g) in gradients.enumerated() {
        var last = first
        while last < pass.blocks.count && pass.blocks[last].segment == s { last += 1 }
        norms.append(sums.norm(g.storage.pointer, count: g.count, blocks: first..<last))
        first = last
    }
}

/// The norm of all gradients of `parameters` viewed as one vector (parameters without a gradient
/// are skipped; 0 when none has one): the norm of the per-tensor norms, as PyTorch computes it.
/// The 1- and 2-norms are measured in one pass over all gradients that the cores share.
///
/// - Parameter parameters: the tensors whose gradients are measured.
/// - Parameter normType: p ≥ 1, or `.infinity` for the largest absolute value.
public func gradNorm(_ parameters: [Tensor], normType: Double = 2) -> Double {
    precondition(normType >= 1 || normType == .infinity, "gradNorm: norm type \(normType) must be ≥ 1 or infinity")
    let gradients = parameters.compactMap { $0.grad }
    if gradients.isEmpty { return 0 }
    var norms: [Float] = []
    if normType == 1 || normType == 2 {
        var pass = MultiTensorPass()
        var sums = BlockNorms(p: normType)
        blockwiseNorms(gradients, normType, pass: &pass, sums: &sums, into: &norms)
    } else {
        norms = gradients.map { vectorNorm($0.storage.pointer, count: $0.count, normType) }
    }
    return Double(totalNorm(norms, normType))
}

/// `min(1, maxNorm / (total + 1e-6))` in float32, as `clip_grad_norm_` computes it.
func clipCoefficient(total: Float, maxNorm: Double) -> Float {
    let coefficient = (1 / (total + Float(1e-6))) * Float(maxNorm)
    return coefficient > 1 ? 1 : coefficient
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
    let clamped = clipCoefficient(total: total, maxNorm: maxNorm)
    for p in parameters {
        guard let g = p.grad else { continue }
        let x = g.storage.pointer
        Parallel.forChunks(g.count, threshold: Parallel.memoryBoundThreshold) { r in
            for i in r { x[i] = x[i] * clamped }
        }
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
