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
            updateEveryGroup { $0.momentum = newValue }
        }
    }

    public override func step() {
        for group in parameterGroups {
            let alpha = group.alpha!
            let weightDecay = group.weightDecay!
            let momentum = group.momentum!
            let centered = group.centered!
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                let state = state(for: p)
                state.step += 1
                let s = buffer(Self.squareAvgSlot, of: state, for: p, group: group).storage.pointer
                Kernel(theta: p.storage.pointer, grad: gradient.storage.pointer, squareAverage: s,
                       momentumBuffer: momentum > 0 ? buffer(Self.momentumSlot, of: state, for: p, group: group).storage.pointer : s,
                       gradientAverage: centered ? buffer(Self.gradAvgSlot, of: state, for: p, group: group).storage.pointer : s,
                       rate: Float(group.learningRate!), alpha: Float(alpha), oneMinusAlpha: Float(1 - alpha),
                       eps: Float(group.eps!), weightDecay: Float(weightDecay), momentum: Float(momentum),
                       decays: weightDecay != 0, usesMomentum: momentum > 0, centered: centered,
                       smallWeight: abs(Float(1 - alpha)) < 0.5)
                    .run(count: p.count)
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
