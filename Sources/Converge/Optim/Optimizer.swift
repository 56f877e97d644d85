import ConvergeCore
import Foundation

/// What every optimizer offers the training loop, schedules and checkpoints, whatever its
/// hyperparameters: its parameters, `step()`, per-group learning rates, the momentum a schedule
/// may cycle, and checkpointable state keyed by parameter name.
///
/// A training step is `zeroGrad()`, forward, `backward()`, `step()`. Updates follow PyTorch's
/// single-tensor CPU implementations operation by operation in float32, so trajectories match
/// `torch.optim` to rounding. Parameters whose `Tensor.grad` is `nil` are skipped, as in PyTorch.
///
/// Concrete optimizers derive from ``TypedOptimizer``, which holds their typed hyperparameters
/// (``SGDHyperparameters``, …) per group and their typed per-parameter state (``SGDState``, …).
open class Optimizer {
    /// Creates the base; only ``TypedOptimizer`` calls it.
    public init() {}

    // MARK: - Requirements (implemented by TypedOptimizer)

    /// The parameters of each group, group by group.
    open var groupParameters: [[Tensor]] { preconditionFailure("\(type(of: self)) must derive from TypedOptimizer") }

    /// Every group's learning rate, in group order. Setting it sets each group's (the count must
    /// match).
    open var learningRates: [Double] {
        get { preconditionFailure("\(type(of: self)) must derive from TypedOptimizer") }
        set { preconditionFailure("\(type(of: self)) must derive from TypedOptimizer") }
    }

    /// Every group's initial learning rate (PyTorch's `initial_lr`), in group order.
    open var initialLearningRates: [Double] { preconditionFailure("\(type(of: self)) must derive from TypedOptimizer") }

    /// The momentum a schedule may cycle: SGD's and RMSprop's momentum, Adam's and AdamW's β₁;
    /// `nil` for optimizers without one (setting it then does nothing). Reads the first group;
    /// setting it sets every group's.
    open var momentum: Double? {
        get { nil }
        set {}
    }

    /// Adds a group of parameters with the optimizer's hyperparameters, except the learning rate
    /// and weight decay the group sets (PyTorch's `add_param_group`).
    open func addParameterGroup(_ group: ParameterGroup) { preconditionFailure("\(type(of: self)) must derive from TypedOptimizer") }

    /// Applies one update to every parameter that has a gradient.
    open func step() { preconditionFailure("\(type(of: self)) does not override step()") }

    /// Measures the global L2 norm of the gradients, rescales them to at most `maxNorm` when it is
    /// given (``clipGradNorm(_:maxNorm:normType:)``), and applies one update; returns the norm
    /// before clipping. The gradients afterwards are the clipped ones, as with clipping first.
    ///
    /// This is `clipGradNorm` (or `gradNorm`) followed by ``step()``, bit for bit. ``Adam`` and
    /// ``AdamW`` fuse it: one pass over the gradients for the norm and one for the update (which
    /// also rescales), and without `maxNorm` the norm is measured inside the update pass itself.
    @discardableResult
    open func stepWithGradientNorm(clippingTo maxNorm: Double? = nil) -> Double {
        let norm = maxNorm.map { clipGradNorm(parameters, maxNorm: $0) } ?? gradNorm(parameters)
        step()
        return norm
    }

    /// A copy of the optimizer's state: every parameter's step count and buffers, and every
    /// group's hyperparameters, keyed by parameter name (see ``OptimizerState``).
    open func stateDict() -> OptimizerState { preconditionFailure("\(type(of: self)) must derive from TypedOptimizer") }

    /// Restores a state saved by ``stateDict()`` of an optimizer of the same kind over parameters
    /// with the same names and shapes (values are copied; the optimizer keeps its own buffers).
    ///
    /// - Throws: ``OptimizerStateError`` naming the first missing or unknown key, or a buffer whose
    ///   shape differs from its parameter's. Nothing is modified when it throws.
    open func loadStateDict(_ state: OptimizerState) throws { preconditionFailure("\(type(of: self)) must derive from TypedOptimizer") }

    // MARK: - Common operations

    /// Every parameter, group by group.
    public var parameters: [Tensor] { groupParameters.flatMap { $0 } }

    /// The number of parameter groups.
    public var groupCount: Int { groupParameters.count }

    /// Sets every parameter's gradient to `nil` (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for group in groupParameters { for p in group { p.grad = nil } }
    }

    /// The first group's learning rate; setting it sets every group's.
    public var learningRate: Double {
        get { learningRates.first ?? 0 }
        set { learningRates = Array(repeating: newValue, count: groupCount) }
    }

    /// Sets the first group's learning rate to `rate` and every other group's in proportion to
    /// their initial learning rates (so groups that started at a tenth of the first group's rate
    /// stay at a tenth). With equal initial rates this is ``learningRate``'s setter.
    public func setLearningRateKeepingGroupRatios(_ rate: Double) {
        let initial = initialLearningRates
        guard let reference = initial.first, reference != 0 else {
            learningRate = rate
            return
        }
        learningRates = initial.enumerated().map { i, lr in i == 0 ? rate : rate * (lr / reference) }
    }

    /// Each parameter with the key its state is saved under: its `Tensor.name`, or
    /// `group<g>.param<i>` when it has none or the name is already taken.
    public func parameterKeys() -> [(key: String, parameter: Tensor, group: Int)] {
        var used = Set<String>()
        var result: [(key: String, parameter: Tensor, group: Int)] = []
        for (g, group) in groupParameters.enumerated() {
            for (i, p) in group.enumerated() {
                var key = p.name ?? "group\(g).param\(i)"
                if used.contains(key) { key = "group\(g).param\(i)" }
                var n = 2
                let base = key
                while used.contains(key) { key = "\(base)#\(n)"; n += 1 }
                used.insert(key)
                result.append((key, p, g))
            }
        }
        return result
    }
}
