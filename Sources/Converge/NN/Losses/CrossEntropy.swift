import ConvergeCore
import Foundation

/// Cross-entropy between the softmax of `logits` and the targets, fused with its gradient
/// (PyTorch's `cross_entropy`).
///
/// `logits` has shape `[N, C]`, `[N, C, d₁, …]` (classes along axis 1) or `[C]`. The targets are
/// either
/// - **class indices**: a float tensor of integer class ids with the logits' shape minus the
///   class axis (`[N]`, `[N, d₁, …]` or `[]`); a target equal to `ignoreIndex` contributes
///   nothing and is not counted by the mean; or
/// - **class probabilities**: a tensor of the logits' shape (each position's distribution over
///   classes), for soft labels and distillation (`ignoreIndex` does not apply).
///
/// With class-index targets, position `i` of class `yᵢ` loses
/// `(1 − ε)·(−w[yᵢ]·log pᵢ[yᵢ]) + (ε/C)·(−Σ_c w[c]·log pᵢ[c])` for label smoothing `ε` and class
/// weights `w` (all 1 when `weights` is nil); `.mean` divides the sum by `Σᵢ w[yᵢ]` over the
/// counted positions (PyTorch's weighted mean), so with every target ignored it is NaN. With
/// probability targets `q`, position `i` loses `−Σ_c w[c]·q′ᵢ[c]·log pᵢ[c]` with smoothed targets
/// `q′ = (1 − ε)·q + ε/C`, and `.mean` divides by the number of positions.
///
/// Gradients flow to `logits` and (for probability targets) to `targets`; none flow to `weights`.
/// - Precondition: the shapes fit as described, class ids lie in `0..<C` (or equal
///   `ignoreIndex`), `weights` has shape `[C]`, and `0 ≤ labelSmoothing ≤ 1`.
public func crossEntropy(logits: Tensor, targets: Tensor, weights: Tensor? = nil, ignoreIndex: Int = -100,
                         labelSmoothing: Float = 0, reduction: Reduction = .mean) -> Tensor {
    let name = "crossEntropy"
    let layout = lossPrecondition { try ClassLayout(name, scoresShape: logits.shape, scoresName: "logits") }
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1,
                 "\(name): labelSmoothing must lie in [0, 1], got \(labelSmoothing)")
    let w = lossPrecondition { try LossChecks.classWeights(name, weights, classes: layout.classes) }
    let logProbabilities = logSoftmaxRaw(logits, layout: layout)
    if targets.shape == logits.shape {
        return probabilityCrossEntropy(logits: logits, targets: targets, logProbabilities: logProbabilities,
                                       layout: layout, weights: w, smoothing: labelSmoothing, reduction: reduction)
    }
    precondition(targets.shape == layout.positionShape,
                 "\(name): targets of shape \(targets.shape) fit neither class indices (shape \(layout.positionShape)) nor class probabilities (shape \(logits.shape)) for logits of shape \(logits.shape)")
    let classes = lossPrecondition {
        try LossChecks.classIndices(name, targets: targets, scoresShape: logits.shape, ignoreIndex: ignoreIndex)
    }
    return indexCrossEntropy(logits: logits, classes: classes, logProbabilities: logProbabilities, layout: layout,
                             weights: w, smoothing: labelSmoothing, reduction: reduction)
}

/// `log_softmax` over the class axis, without recording.
func logSoftmaxRaw(_ scores: Tensor, layout: ClassLayout) -> Tensor {
    let out = Tensor(uninitializedShape: scores.shape)
    let px = scores.storage.pointer, po = out.storage.pointer
    if layout.inner == 1 && layout.classes > 0 {
        // Contiguous rows of classes (the usual [N, C] logits): the C row kernel, row blocks on the cores.
        let C = layout.classes
        Parallel.forChunks(layout.positions, threshold: Swift.max(2, Parallel.elementwiseThreshold / C)) { rows in
            Kernels.softmaxRows(px + rows.lowerBound * C, po + rows.lowerBound * C, rows: rows.count, columns: C,
                                mode: .logSoftmax)
        }
        return out
    }
    for p in 0..<layout.positions {
        var m = -Float.infinity
        for c in 0..<layout.classes { m = Swift.max(m, px[layout.offset(p, c)]) }
        var s: Float = 0
        for c in 0..<layout.classes { s += Foundation.exp(px[layout.offset(p, c)] - m) }
        let lse = m + Foundation.log(s)
        for c in 0..<layout.classes { let k = layout.offset(p, c); po[k] = px[k] - lse }
    }
    return out
}

func indexCrossEntropy(logits: Tensor, classes: [Int], logProbabilities lp: Tensor, layout: ClassLayout,
                               weights w: [Float], smoothing eps: Float, reduction: Reduction) -> Tensor {
    let C = layout.classes
    let plp = lp.storage.pointer
    let smoothPart = eps / Float(C)
    let perPosition = Tensor(uninitializedShape: layout.positionShape)
    let po = perPosition.storage.pointer
    var totalWeight = 0.0
    for p in 0..<layout.positions {
        let y = classes[p]
        if y < 0 { po[p] = 0; continue }
        totalWeight += Double(w[y])
        var loss = (1 - eps) * (-w[y] * plp[layout.offset(p, y)])
        if eps > 0 {
            var smooth: Float = 0
            for c in 0..<C { smooth -= w[c] * plp[layout.offset(p, c)] }
            loss += smoothPart * smooth
        }
        po[p] = loss
    }
    let out = LossReduction.reduce(perPosition, reduction, denominator: totalWeight)
    let weightSum = w.reduce(0, +)
    return Tensor.recording(out, op: "crossEntropy", inputs: [logits]) { g in
        let plp = lp.storage.pointer
        let scale = LossReduction.upstream(g, reduction, denominator: totalWeight)
        let gx = Tensor.zeros(logits.shape)
        let pg = gx.storage.pointer
        if layout.inner == 1 {
            // Contiguous rows: probabilities from the C exp kernel, no index arithmetic per element.
            Kernels.exp(plp, pg, count: layout.positions * C)
            for p in 0..<layout.positions {
                let y = classes[p], row = pg + p * C
                if y < 0 { row.update(repeating: 0, count: C); continue }
                let s = scale(p)
                let a = (1 - eps) * w[y], b = smoothPart * weightSum
                let dy = (a + b) * row[y] - smoothPart * w[y] - a
                for c in 0..<C { row[c] = s * ((a + b) * row[c] - smoothPart * w[c]) }
                row[y] = s * dy
            }
            return [gx]
        }
        for p in 0..<layout.positions {
            let y = classes[p]
            if y < 0 { continue }
            let s = scale(p)
            let a = (1 - eps) * w[y], b = smoothPart * weightSum
            for c in 0..<C {
                let k = layout.offset(p, c)
                let prob = Foundation.exp(plp[k])
                var d = (a + b) * prob - smoothPart * w[c]
                if c == y { d -= a }
                pg[k] = s * d
            }
        }
        return [gx]
    }
}

private func probabilityCrossEntropy(logits: Tensor, targets: Tensor, logProbabilities lp: Tensor, layout: ClassLayout,
                                     weights w: [Float], smoothing eps: Float, reduction: Reduction) -> Tensor {
    let C = layout.classes
    let plp = lp.storage.pointer, pq = targets.storage.pointer
    let uniform = eps / Float(C)
    @inline(__always) func smoothed(_ k: Int) -> Float { eps > 0 ? pq[k] * (1 - eps) + uniform : pq[k] }
    let perPosition = Tensor(uninitializedShape: layout.positionShape)
    let po = perPosition.storage.pointer
    for p in 0..<layout.positions {
        var loss: Float = 0
        for c in 0..<C { let k = layout.offset(p, c); loss -= w[c] * smoothed(k) * plp[k] }
        po[p] = loss
    }
    let denominator = Double(layout.positions)
    let out = LossReduction.reduce(perPosition, reduction, denominator: denominator)
    return Tensor.recording(out, op: "crossEntropy", inputs: [logits, targets]) { g in
        let plp = lp.storage.pointer, pq = targets.storage.pointer
        @inline(__always) func smoothed(_ k: Int) -> Float { eps > 0 ? pq[k] * (1 - eps) + uniform : pq[k] }
        let scale = LossReduction.upstream(g, reduction, denominator: denominator)
        let gx = Tensor(uninitializedShape: logits.shape), gq = Tensor(uninitializedShape: targets.shape)
        let pgx = gx.storage.pointer, pgq = gq.storage.pointer
        for p in 0..<layout.positions {
            let s = scale(p)
            var mass: Float = 0
            for c in 0..<C { mass += w[c] * smoothed(layout.offset(p, c)) }
            for c in 0..<C {
                let k = layout.offset(p, c)
                pgx[k] = s * (Foundation.exp(plp[k]) * mass - w[c] * smoothed(k))
                pgq[k] = -s * (1 - eps) * w[c] * plp[k]
            }
        }
        return [logits.requiresGrad ? gx : nil, targets.requiresGrad ? gq : nil]
    }
}
