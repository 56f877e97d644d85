import ConvergeCore

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
/// weight decay, following PyTorch's `torch.optim.SGD`:
///
/// ```text
/// g ← ∇ + λ·θ                      (weight decay λ ≠ 0)
/// b ← g                            (first step with momentum: the buffer starts as the gradient)
/// b ← μ·b + (1 − dampening)·g      (later steps)
/// g ← g + μ·b  (Nesterov)   or   g ← b
/// θ ← θ − η·g
/// ```
///
/// For plain SGD, L2 weight decay and decoupled weight decay are the same update up to a
/// rescaling of λ by η; see ``AdamW`` for why that is not so for Adam.
public final class SGD: TypedOptimizer<SGDHyperparameters, SGDState> {
    /// Creates SGD over `parameters` (one group).
    /// - Precondition: Nesterov momentum needs `momentum > 0` and `dampening == 0`.
    public convenience init(_ parameters: [Tensor], learningRate: Double, momentum: Double = 0,
                            dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, momentum: momentum,
                  dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    /// Creates SGD over parameter groups; the arguments are the hyperparameters of every group,
    /// except the learning rate and weight decay a group sets.
    public init(_ groups: [ParameterGroup], learningRate: Double, momentum: Double = 0,
                dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        super.init(groups, defaults: SGDHyperparameters(learningRate: learningRate, momentum: momentum, dampening: dampening,
                                                        weightDecay: weightDecay, nesterov: nesterov))
    }

    public override func step() {
        for group in parameterGroups {
            let h = group.hyperparameters
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                let state = state(for: p)
                state.step += 1
                var kernel = Kernel(theta: p.storage.pointer, grad: gradient.storage.pointer, buffer: p.storage.pointer,
                                    negativeRate: Float(-h.learningRate), weightDecay: Float(h.weightDecay),
                                    momentum: Float(h.momentum), keep: Float(1 - h.dampening),
                                    decays: h.weightDecay != 0, usesMomentum: h.momentum != 0, firstMomentumStep: false,
                                    nesterov: h.nesterov)
                if h.momentum != 0 {
                    kernel.firstMomentumStep = state.momentumBuffer == nil
                    kernel.buffer = state.allocatedMomentumBuffer(like: p).storage.pointer
                }
                kernel.run(count: p.count)
                p.storage.markModified()
            }
        }
    }

    /// One SGD update over raw buffers.
    private struct Kernel: OptimizerKernel {
        let theta, grad: UnsafeMutablePointer<Float>
        var buffer: UnsafeMutablePointer<Float>
        let negativeRate, weightDecay, momentum, keep: Float
        let decays, usesMomentum: Bool
        var firstMomentumStep: Bool
        let nesterov: Bool

        @inline(__always)
        func apply<V: OptimizerLanes>(_ i: Int, _ lanes: V.Type) {
            let x = V.load(theta, i)
            var g = V.load(grad, i)
            if decays { g = g + x * V(splat: weightDecay) }
            if usesMomentum {
                let b = firstMomentumStep ? g : V.load(buffer, i) * V(splat: momentum) + g * V(splat: keep)
                b.store(buffer, i)
                g = nesterov ? g + b * V(splat: momentum) : b
            }
            (x + g * V(splat: negativeRate)).store(theta, i)
        }
    }
}
