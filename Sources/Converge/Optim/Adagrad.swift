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
public final class Adagrad: Optimizer {
    private static let sumSlot = 0

    /// Creates Adagrad over `parameters` (one group).
    public convenience init(_ parameters: [Tensor], learningRate: Double = 1e-2, learningRateDecay: Double = 0,
                            weightDecay: Double = 0, initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, learningRateDecay: learningRateDecay,
                  weightDecay: weightDecay, initialAccumulatorValue: initialAccumulatorValue, eps: eps)
    }

    /// Creates Adagrad over parameter groups; the arguments are the defaults for fields a group leaves `nil`.
    public init(_ groups: [ParameterGroup], learningRate: Double = 1e-2, learningRateDecay: Double = 0,
                weightDecay: Double = 0, initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
        super.init(groups, defaults: ParameterGroup([], learningRate: learningRate, weightDecay: weightDecay, eps: eps,
                                                    learningRateDecay: learningRateDecay,
                                                    initialAccumulatorValue: initialAccumulatorValue))
        for group in parameterGroups {
            precondition(group.learningRate! >= 0, "Adagrad: learning rate \(group.learningRate!) is negative")
            precondition(group.learningRateDecay! >= 0, "Adagrad: learning-rate decay \(group.learningRateDecay!) is negative")
            precondition(group.initialAccumulatorValue! >= 0,
                         "Adagrad: initial accumulator value \(group.initialAccumulatorValue!) is negative")
            precondition(group.eps! >= 0, "Adagrad: eps \(group.eps!) is negative")
            precondition(group.weightDecay! >= 0, "Adagrad: weight decay \(group.weightDecay!) is negative")
        }
    }

    /// `["sum"]`: the running sum of squared gradients.
    public override var stateBufferNames: [String] { ["sum"] }

    /// The accumulator is allocated up front, filled with the initial accumulator value.
    public override func requiredBufferNames(for group: ParameterGroup) -> [String] { ["sum"] }

    /// The group's initial accumulator value.
    public override func initialBufferValue(named name: String, group: ParameterGroup) -> Float {
        Float(group.initialAccumulatorValue ?? 0)
    }

    public override func step() {
        for group in parameterGroups {
            let lr = group.learningRate!
            let decay = group.learningRateDecay!
            let weightDecay = group.weightDecay!
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                let state = state(for: p)
                state.step += 1
                Kernel(theta: p.storage.pointer, grad: gradient.storage.pointer,
                       sum: buffer(Self.sumSlot, of: state, for: p, group: group).storage.pointer,
                       negativeRate: Float(-(lr / (1 + Double(state.step - 1) * decay))), eps: Float(group.eps!),
                       weightDecay: Float(weightDecay), decays: weightDecay != 0)
                    .run(count: p.count)
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
