import ConvergeCore

/// A fused elementwise regression loss of the difference `d = prediction − target`: computes
/// `value(d)` per element, reduces, and records a backward that sends `derivative(d)` to the
/// predictions and its negation to the targets.
func pointwiseLoss(_ name: String, predictions: Tensor, targets: Tensor, reduction: Reduction,
                   value: (Float) -> Float, derivative: @escaping (Float) -> Float) -> Tensor {
    lossPrecondition { try LossChecks.sameShape(name, "predictions", predictions.shape, "targets", targets.shape) }
    let n = predictions.count
    let perElement = Tensor(uninitializedShape: predictions.shape)
    let px = predictions.storage.pointer, pt = targets.storage.pointer, po = perElement.storage.pointer
    for i in 0..<n { po[i] = value(px[i] - pt[i]) }
    let denominator = Double(n)
    let out = LossReduction.reduce(perElement, reduction, denominator: denominator)
    return Tensor.recording(out, op: name, inputs: [predictions, targets]) { g in
        let px = predictions.storage.pointer, pt = targets.storage.pointer
        let scale = LossReduction.upstream(g, reduction, denominator: denominator)
        let gx = Tensor(uninitializedShape: predictions.shape)
        let pg = gx.storage.pointer
        for i in 0..<n { pg[i] = scale(i) * derivative(px[i] - pt[i]) }
        return [predictions.requiresGrad ? gx : nil, targets.requiresGrad ? -gx : nil]
    }
}
