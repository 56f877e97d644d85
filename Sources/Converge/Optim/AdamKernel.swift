/// One Adam/AdamW update over one parameter's raw buffers (``Adam``'s step, per tensor or over
/// the blocks of a ``MultiTensorPass``).
///
/// With `scalesGradient` the gradient is first multiplied by `gradientScale` and written back,
/// which is `clip_grad_norm_`'s in-place rescaling folded into the update: the same float32
/// products as clipping first and stepping after, so the results are bit-identical.
struct AdamKernel: OptimizerKernel {
    let theta, grad, m, v, vMax: UnsafeMutablePointer<Float>
    let weightDecay, decayFactor, w1, beta2, oneMinusBeta2, correction2Root, eps, negativeStepSize: Float
    let coupledDecay, decoupledDecay, smallWeight, amsgrad: Bool
    /// The clipping coefficient applied to the gradient (used only when `scalesGradient`).
    var gradientScale: Float = 1
    /// Whether the gradient is rescaled (and the rescaled gradient stored) before the update.
    var scalesGradient = false

    @inline(__always)
    func apply<V: OptimizerLanes>(_ i: Int, _ lanes: V.Type) {
        var x = V.load(theta, i)
        var g = V.load(grad, i)
        if scalesGradient {
            g = g * V(splat: gradientScale)
            g.store(grad, i)
        }
        if coupledDecay { g = g + x * V(splat: weightDecay) }
        if decoupledDecay { x = x * V(splat: decayFactor) }
        // m.lerp_(g, 1 − β₁) in PyTorch's two forms.
        let mOld = V.load(m, i)
        let mNew = smallWeight ? mOld + V(splat: w1) * (g - mOld) : g - (g - mOld) * V(splat: 1 - w1)
        mNew.store(m, i)
        let vNew = V.load(v, i) * V(splat: beta2) + (V(splat: oneMinusBeta2) * g) * g
        vNew.store(v, i)
        var second = vNew
        if amsgrad {
            second = vNew.maximumPropagatingNaN(V.load(vMax, i))
            second.store(vMax, i)
        }
        let denominator = second.squareRoot() / V(splat: correction2Root) + V(splat: eps)
        (x + (V(splat: negativeStepSize) * mNew) / denominator).store(theta, i)
    }
}
