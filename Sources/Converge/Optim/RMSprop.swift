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
public final class RMSprop: Optimizer {
    private static let squareAvgSlot = 0
    private static let momentumSlot = 1
    private static let gradAvgSlot = 2

    /// Creates RMSprop over `parameters` (one group).
    public convenience init(_ parameters: [Tensor], learningRate: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                            weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, alpha: alpha, eps: eps,
                  weightDecay: weightDecay, momentum: momentum, centered: centered)
    }

    /// Creates RMSprop over parameter groups; the arguments are the defaults for fields a group leaves `nil`.
    public init(_ groups: [ParameterGroup], learningRate: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        super.init(groups, defaults: ParameterGroup([], learningRate: learningRate, weightDecay: weightDecay,
                                                    momentum: momentum, eps: eps, alpha: alpha, centered: centered))
        for group in parameterGroups {
            precondition(group.learningRate! >= 0, "RMSprop: learning rate \(group.learningRate!) is negative")
            precondition(group.alpha! >= 0, "RMSprop: alpha \(group.alpha!) is negative")
            precondition(group.eps! >= 0, "RMSprop: eps \(group.eps!) is negative")
            precondition(group.momentum! >= 0, "RMSprop: momentum \(group.momentum!) is negative")
            precondition(group.weightDecay! >= 0, "RMSprop: weight decay \(group.weightDecay!) is negative")
        }
    }

    /// `["square_avg", "momentum_buffer", "grad_avg"]`; the last two exist with momentum > 0 and
    /// with centering.
    public override var stateBufferNames: [String] { ["square_avg", "momentum_buffer", "grad_avg"] }

    /// The squared-gradient average always; the others as the group's settings need them.
    public override func requiredBufferNames(for group: ParameterGroup) -> [String] {
        var names = ["square_avg"]
        if (group.momentum ?? 0) > 0 { names.append("momentum_buffer") }
        if group.centered == true { names.append("grad_avg") }
        return names
    }

    /// RMSprop's momentum μ.
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
            let lr = Float(group.learningRate!)
            let alpha = Float(group.alpha!)
            let oneMinusAlpha = Float(1 - group.alpha!)
            let small = abs(oneMinusAlpha) < 0.5
            let eps = Float(group.eps!)
            let weightDecay = group.weightDecay!
            let wd = Float(weightDecay)
            let momentum = group.momentum!
            let mu = Float(momentum)
            let centered = group.centered!
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                let state = state(for: p)
                state.step += 1
                let n = p.count
                let theta = p.storage.pointer
                let grad = gradient.storage.pointer
                let s = buffer(Self.squareAvgSlot, of: state, for: p, group: group).storage.pointer
                let b = momentum > 0 ? buffer(Self.momentumSlot, of: state, for: p, group: group).storage.pointer : s
                let a = centered ? buffer(Self.gradAvgSlot, of: state, for: p, group: group).storage.pointer : s
                for i in 0..<n {
                    var g = grad[i]
                    if weightDecay != 0 { g = g.addingProduct(theta[i], wd) }
                    let sNew = s[i] * alpha + (oneMinusAlpha * g) * g
                    s[i] = sNew
                    var root: Float
                    if centered {
                        let ai = a[i]
                        let aNew = small ? ai.addingProduct(oneMinusAlpha, g - ai) : g.addingProduct(oneMinusAlpha - 1, g - ai)
                        a[i] = aNew
                        root = (sNew + (-1 * aNew) * aNew).squareRoot()
                    } else {
                        root = sNew.squareRoot()
                    }
                    root = root + eps
                    if momentum > 0 {
                        let bNew = b[i] * mu + g / root
                        b[i] = bNew
                        theta[i] = theta[i].addingProduct(bNew, -lr)
                    } else {
                        theta[i] = theta[i] + (-lr * g) / root
                    }
                }
            }
        }
    }
}
