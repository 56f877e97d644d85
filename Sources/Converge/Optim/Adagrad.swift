import ConvergeCore

/// Adagrad (Duchi et al., 2011) with learning-rate decay and L2 weight decay, following
/// PyTorch's `torch.optim.Adagrad`:
///
/// ```text
/// t ← t + 1
/// g ← ∇ + λ·θ
/// η̃ ← η / (1 + (t − 1)·decay)
/// s ← s + g²                      (s starts at `initialAccumulatorValue`)
/// θ ← θ − η̃·g / (√s + ε)
/// ```
public final class Adagrad: TypedOptimizer<AdagradHyperparameters, AdagradState> {
    /// Creates Adagrad over `parameters` (one group).
    public convenience init(_ parameters: [Tensor], learningRate: Double = 1e-2, learningRateDecay: Double = 0,
                            weightDecay: Double = 0, initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, learningRateDecay: learningRateDecay,
                  weightDecay: weightDecay, initialAccumulatorValue: initialAccumulatorValue, eps: eps)
    }

    /// Creates Adagrad over parameter groups; the arguments are the hyperparameters of every
    /// group, except the learning rate and weight decay a group sets.
    public init(_ groups: [ParameterGroup], learningRate: Double = 1e-2, learningRateDecay: Double = 0,
                weightDecay: Double = 0, initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
        super.init(groups, defaults: AdagradHyperparameters(learningRate: learningRate, learningRateDecay: learningRateDecay,
                                                            weightDecay: weightDecay,
                                                            initialAccumulatorValue: initialAccumulatorValue, eps: eps))
    }

    public override func step() {
        for group in parameterGroups {
            let h = group.hyperparameters
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                let state = state(for: p)
                state.step += 1
                Kernel(theta: p.storage.pointer, grad: gradient.storage.pointer, sum: state.sum.storage.pointer,
                       negativeRate: Float(-(h.learningRate / (1 + Double(state.step - 1) * h.learningRateDecay))),
                       eps: Float(h.eps), weightDecay: Float(h.weightDecay), decays: h.weightDecay != 0)
                    .run(count: p.count)
                p.storage.markModified()
            }
        }
    }

    /// One Adagrad update over raw buffers.
    private struct Kernel: OptimizerKernel {
        let theta, grad, sum: UnsafeMutablePointer<Float>
        let negativeRate, eps, weightDecay: Float
        let decays: Bool

        @inline(__always)
        func apply<V: OptimizerLanes>(_ i: Int, _ lanes: V.Type) {
            let x = V.load(theta, i)
            var g = V.load(grad, i)
            if decays { g = g + x * V(splat: weightDecay) }
            let s = V.load(sum, i) + g * g
            s.store(sum, i)
            (x + (V(splat: negativeRate) * g) / (s.squareRoot() + V(splat: eps))).store(theta, i)
        }
    }
}
