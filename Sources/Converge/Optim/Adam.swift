import ConvergeCore
import Foundation

/// Adam (Kingma & Ba, 2015) with bias correction, optional AMSGrad, and L2 weight decay coupled
/// to the gradient, following PyTorch's `torch.optim.Adam`:
///
/// ```text
/// t ← t + 1
/// g ← ∇ + λ·θ                        (L2: the decay term goes through the adaptive scaling)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// v̂ ← max(v̂, v)                       (AMSGrad; the denominator then uses v̂)
/// θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
///
/// ε is added after the bias-corrected square root, as PyTorch does (not inside it, and not to
/// the uncorrected √v), which matters early in training when `1 − β₂ᵗ` is small.
///
/// `weightDecay` here is L2 regularization, which is *not* AdamW: the λ·θ term is divided by
/// √v̂ like the rest of the gradient, so weights with large gradients are barely decayed. Use
/// ``AdamW`` for decoupled weight decay.
open class Adam: TypedOptimizer<AdamHyperparameters, AdamState> {
    /// Whether weight decay is decoupled (``AdamW``) rather than L2.
    public let decoupledWeightDecay: Bool

    /// Creates Adam over `parameters` (one group).
    public convenience init(_ parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, betas: betas, eps: eps,
                  weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// Creates Adam over parameter groups; the arguments are the hyperparameters of every group,
    /// except the learning rate and weight decay a group sets.
    public convenience init(_ groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) {
        self.init(groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, decoupledWeightDecay: false)
    }

    /// Creates Adam with coupled (L2) or decoupled (AdamW) weight decay.
    public init(_ groups: [ParameterGroup], learningRate: Double, betas: (Double, Double), eps: Double,
                weightDecay: Double, amsgrad: Bool, decoupledWeightDecay: Bool) {
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(groups, defaults: AdamHyperparameters(learningRate: learningRate, betas: betas, eps: eps,
                                                         weightDecay: weightDecay, amsgrad: amsgrad))
    }

    public override func step() {
        for group in parameterGroups {
            let h = group.hyperparameters
            let lr = h.learningRate
            let (beta1, beta2) = h.betas
            let weightDecay = h.weightDecay
            let w1 = Float(1 - beta1)
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                let state = state(for: p)
                state.step += 1
                let t = Double(state.step)
                // Scalars in double precision, then rounded, as PyTorch's Python code does.
                let correction1 = 1 - pow(beta1, t)
                let correction2 = 1 - pow(beta2, t)
                let v = state.expAvgSq.storage.pointer
                Kernel(theta: p.storage.pointer, grad: gradient.storage.pointer, m: state.expAvg.storage.pointer, v: v,
                       vMax: h.amsgrad ? state.allocatedMaxExpAvgSq(like: p).storage.pointer : v,
                       weightDecay: Float(weightDecay), decayFactor: Float(1 - lr * weightDecay), w1: w1,
                       beta2: Float(beta2), oneMinusBeta2: Float(1 - beta2), correction2Root: Float(pow(correction2, 0.5)),
                       eps: Float(h.eps), negativeStepSize: Float(-(lr / correction1)),
                       coupledDecay: weightDecay != 0 && !decoupledWeightDecay, decoupledDecay: weightDecay != 0 && decoupledWeightDecay,
                       smallWeight: abs(w1) < 0.5, amsgrad: h.amsgrad)
                    .run(count: p.count)
            }
        }
    }

    /// One Adam/AdamW update over raw buffers.
    private struct Kernel: OptimizerKernel {
        let theta, grad, m, v, vMax: UnsafeMutablePointer<Float>
        let weightDecay, decayFactor, w1, beta2, oneMinusBeta2, correction2Root, eps, negativeStepSize: Float
        let coupledDecay, decoupledDecay, smallWeight, amsgrad: Bool

        @inline(__always)
        func apply<V: OptimizerLanes>(_ i: Int, _ lanes: V.Type) {
            var x = V.load(theta, i)
            var g = V.load(grad, i)
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
}
