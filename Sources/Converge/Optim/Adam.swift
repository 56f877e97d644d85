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
open class Adam: Optimizer {
    static let expAvgSlot = 0
    static let expAvgSqSlot = 1
    static let maxExpAvgSqSlot = 2
    /// Whether weight decay is decoupled (``AdamW``) rather than L2.
    public let decoupledWeightDecay: Bool

    /// Creates Adam over `parameters` (one group).
    public convenience init(_ parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, betas: betas, eps: eps,
                  weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// Creates Adam over parameter groups; the arguments are the defaults for fields a group leaves `nil`.
    public convenience init(_ groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) {
        self.init(groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, decoupledWeightDecay: false)
    }

    /// Creates Adam with coupled (L2) or decoupled (AdamW) weight decay.
    public init(_ groups: [ParameterGroup], learningRate: Double, betas: (Double, Double), eps: Double,
                weightDecay: Double, amsgrad: Bool, decoupledWeightDecay: Bool) {
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(groups, defaults: ParameterGroup([], learningRate: learningRate, weightDecay: weightDecay,
                                                    betas: betas, eps: eps, amsgrad: amsgrad))
        let name = decoupledWeightDecay ? "AdamW" : "Adam"
        for group in parameterGroups {
            let (b1, b2) = group.betas!
            precondition(group.learningRate! >= 0, "\(name): learning rate \(group.learningRate!) is negative")
            precondition(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1, "\(name): betas (\(b1), \(b2)) must lie in [0, 1)")
            precondition(group.eps! >= 0, "\(name): eps \(group.eps!) is negative")
            precondition(group.weightDecay! >= 0, "\(name): weight decay \(group.weightDecay!) is negative")
        }
    }

    /// `["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]` (the last only with AMSGrad).
    public override var stateBufferNames: [String] { ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] }

    /// The moments, and the running maximum with AMSGrad, are allocated up front.
    public override func requiredBufferNames(for group: ParameterGroup) -> [String] {
        group.amsgrad == true ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"]
    }

    /// β₁, which one-cycle schedules cycle in place of momentum.
    public override var momentum: Double? {
        get { (parameterGroups.first?.betas ?? defaults.betas)?.0 }
        set {
            guard let newValue else { return }
            updateEveryGroup { $0.betas = (newValue, $0.betas?.1 ?? 0.999) }
        }
    }

    public override func step() {
        for group in parameterGroups {
            let lr = group.learningRate!
            let (beta1, beta2) = group.betas!
            let weightDecay = group.weightDecay!
            let amsgrad = group.amsgrad!
            let w1 = Float(1 - beta1)
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                let state = state(for: p)
                state.step += 1
                let t = Double(state.step)
                // Scalars in double precision, then rounded, as PyTorch's Python code does.
                let correction1 = 1 - pow(beta1, t)
                let correction2 = 1 - pow(beta2, t)
                let v = buffer(Self.expAvgSqSlot, of: state, for: p, group: group).storage.pointer
                Kernel(theta: p.storage.pointer, grad: gradient.storage.pointer,
                       m: buffer(Self.expAvgSlot, of: state, for: p, group: group).storage.pointer, v: v,
                       vMax: amsgrad ? buffer(Self.maxExpAvgSqSlot, of: state, for: p, group: group).storage.pointer : v,
                       weightDecay: Float(weightDecay), decayFactor: Float(1 - lr * weightDecay), w1: w1,
                       beta2: Float(beta2), oneMinusBeta2: Float(1 - beta2), correction2Root: Float(pow(correction2, 0.5)),
                       eps: Float(group.eps!), negativeStepSize: Float(-(lr / correction1)),
                       coupledDecay: weightDecay != 0 && !decoupledWeightDecay, decoupledDecay: weightDecay != 0 && decoupledWeightDecay,
                       smallWeight: abs(w1) < 0.5, amsgrad: amsgrad)
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
