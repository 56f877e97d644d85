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
public final class SGD: Optimizer {
    private static let momentumSlot = 0

    /// Creates SGD over `parameters` (one group).
    /// - Precondition: Nesterov momentum needs `momentum > 0` and `dampening == 0`.
    public convenience init(_ parameters: [Tensor], learningRate: Double, momentum: Double = 0,
                            dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, momentum: momentum,
                  dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    /// Creates SGD over parameter groups; the arguments are the defaults for fields a group leaves `nil`.
    public init(_ groups: [ParameterGroup], learningRate: Double, momentum: Double = 0,
                dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        super.init(groups, defaults: ParameterGroup([], learningRate: learningRate, weightDecay: weightDecay,
                                                    momentum: momentum, dampening: dampening, nesterov: nesterov))
        for group in parameterGroups {
            precondition(group.learningRate! >= 0, "SGD: learning rate \(group.learningRate!) is negative")
            precondition(group.momentum! >= 0, "SGD: momentum \(group.momentum!) is negative")
            precondition(group.weightDecay! >= 0, "SGD: weight decay \(group.weightDecay!) is negative")
            precondition(!group.nesterov! || (group.momentum! > 0 && group.dampening! == 0),
                         "SGD: Nesterov momentum requires momentum > 0 and zero dampening (momentum \(group.momentum!), dampening \(group.dampening!))")
        }
    }

    /// `["momentum_buffer"]`, allocated at the first step with nonzero momentum.
    public override var stateBufferNames: [String] { ["momentum_buffer"] }

    /// SGD's momentum μ.
    public override var momentum: Double? {
        get { parameterGroups.first?.momentum ?? defaults.momentum }
        set {
            guard let newValue else { return }
            var groups = parameterGroups
            for i in groups.indices { groups[i].momentum = newValue }
            parameterGroups = groups
        }
    }

    public override func step() {
        for group in parameterGroups {
            let lr = Float(-group.learningRate!)
            let weightDecay = group.weightDecay!
            let wd = Float(weightDecay)
            let momentum = group.momentum!
            let mu = Float(momentum)
            let keep = Float(1 - group.dampening!)
            let nesterov = group.nesterov!
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                let state = state(for: p)
                state.step += 1
                let n = p.count
                let theta = p.storage.pointer
                let grad = gradient.storage.pointer
                if momentum == 0 {
                    for i in 0..<n {
                        var g = grad[i]
                        if weightDecay != 0 { g = g.addingProduct(theta[i], wd) }
                        theta[i] = theta[i].addingProduct(g, lr)
                    }
                    continue
                }
                let firstMomentumStep = state.buffers[Self.momentumSlot] == nil
                let buf = buffer(Self.momentumSlot, of: state, for: p, group: group).storage.pointer
                for i in 0..<n {
                    var g = grad[i]
                    if weightDecay != 0 { g = g.addingProduct(theta[i], wd) }
                    let b = firstMomentumStep ? g : (buf[i] * mu).addingProduct(g, keep)
                    buf[i] = b
                    let d = nesterov ? g.addingProduct(b, mu) : b
                    theta[i] = theta[i].addingProduct(d, lr)
                }
            }
        }
    }
}
