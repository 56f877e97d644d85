import ConvergeCore

/// RMSprop (Hinton, 2012) with optional momentum, centering and L2 weight decay, following
/// PyTorch's `torch.optim.RMSprop`:
///
/// ```text
/// g ← ∇ + λ·θ
/// s ← α·s + (1 − α)·g²
/// ḡ ← α·ḡ + (1 − α)·g,  d ← √(s − ḡ²) + ε      (centered)
/// d ← √s + ε                                    (otherwise)
/// b ← μ·b + g/d,  θ ← θ − η·b                   (momentum μ > 0)
/// θ ← θ − η·g/d                                 (otherwise)
/// ```
public final class RMSprop: TypedOptimizer<RMSpropHyperparameters, RMSpropState> {
    /// Creates RMSprop over `parameters` (one group).
    public convenience init(_ parameters: [Tensor], learningRate: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                            weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, alpha: alpha, eps: eps,
                  weightDecay: weightDecay, momentum: momentum, centered: centered)
    }

    /// Creates RMSprop over parameter groups; the arguments are the hyperparameters of every
    /// group, except the learning rate and weight decay a group sets.
    public init(_ groups: [ParameterGroup], learningRate: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        super.init(groups, defaults: RMSpropHyperparameters(learningRate: learningRate, alpha: alpha, eps: eps,
                                                            weightDecay: weightDecay, momentum: momentum, centered: centered))
    }

    public override func step() {
        for group in parameterGroups {
            let h = group.hyperparameters
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                let state = state(for: p)
                state.step += 1
                let s = state.squareAverage.storage.pointer
                Kernel(theta: p.storage.pointer, grad: gradient.storage.pointer, squareAverage: s,
                       momentumBuffer: h.momentum > 0 ? state.allocated(\.momentumBuffer, like: p).storage.pointer : s,
                       gradientAverage: h.centered ? state.allocated(\.gradientAverage, like: p).storage.pointer : s,
                       rate: Float(h.learningRate), alpha: Float(h.alpha), oneMinusAlpha: Float(1 - h.alpha),
                       eps: Float(h.eps), weightDecay: Float(h.weightDecay), momentum: Float(h.momentum),
                       decays: h.weightDecay != 0, usesMomentum: h.momentum > 0, centered: h.centered,
                       smallWeight: abs(Float(1 - h.alpha)) < 0.5)
                    .run(count: p.count)
                p.storage.markModified()
            }
        }
    }

    /// One RMSprop update over raw buffers.
    private struct Kernel: OptimizerKernel {
        let theta, grad, squareAverage, momentumBuffer, gradientAverage: UnsafeMutablePointer<Float>
        let rate, alpha, oneMinusAlpha, eps, weightDecay, momentum: Float
        let decays, usesMomentum, centered, smallWeight: Bool

        @inline(__always)
        func apply<V: OptimizerLanes>(_ i: Int, _ lanes: V.Type) {
            let x = V.load(theta, i)
            var g = V.load(grad, i)
            if decays { g = g + x * V(splat: weightDecay) }
            let s = V.load(squareAverage, i) * V(splat: alpha) + (V(splat: oneMinusAlpha) * g) * g
            s.store(squareAverage, i)
            var root: V
            if centered {
                let a = V.load(gradientAverage, i)
                let aNew = smallWeight ? a + V(splat: oneMinusAlpha) * (g - a) : g - (g - a) * V(splat: alpha)
                aNew.store(gradientAverage, i)
                root = (s - aNew * aNew).squareRoot()
            } else {
                root = s.squareRoot()
            }
            root = root + V(splat: eps)
            if usesMomentum {
                let b = V.load(momentumBuffer, i) * V(splat: momentum) + g / root
                b.store(momentumBuffer, i)
                (x - b * V(splat: rate)).store(theta, i)
            } else {
                (x + (V(splat: -rate) * g) / root).store(theta, i)
            }
        }
    }
}
