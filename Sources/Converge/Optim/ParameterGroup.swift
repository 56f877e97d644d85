import ConvergeCore

/// A set of parameters an optimizer updates with the same hyperparameters, PyTorch's
/// `param_groups` entry with typed fields.
///
/// Every hyperparameter is optional: `nil` means "the optimizer's default". When an optimizer
/// adopts a group (at construction, or when a group is appended to
/// ``Optimizer/parameterGroups``) it fills in every field it uses, so after that
/// `learningRate`, `weightDecay` and the optimizer's own fields are non-`nil`. Fields an
/// optimizer does not use (Adam's `betas` in an ``SGD`` group) are ignored.
///
/// ```swift
/// let groups = [
///     ParameterGroup(decayed, weightDecay: 0.01),
///     ParameterGroup(biasesAndNorms, weightDecay: 0, learningRate: 3e-4),
/// ]
/// let optimizer = AdamW(groups, learningRate: 1e-3)
/// ```
public struct ParameterGroup {
    /// The parameters (leaf tensors) this group updates.
    public var parameters: [Tensor]
    /// The learning rate η.
    public var learningRate: Double?
    /// Weight decay λ: L2 (added to the gradient) for SGD, Adam, RMSprop and Adagrad; decoupled
    /// (applied to the weights) for AdamW.
    public var weightDecay: Double?
    /// Momentum μ for ``SGD`` and ``RMSprop``.
    public var momentum: Double?
    /// Dampening for ``SGD`` momentum.
    public var dampening: Double?
    /// Nesterov momentum for ``SGD``.
    public var nesterov: Bool?
    /// (β₁, β₂) for ``Adam`` and ``AdamW``.
    public var betas: (Double, Double)?
    /// The ε added to the denominator (Adam, AdamW, RMSprop, Adagrad).
    public var eps: Double?
    /// AMSGrad for ``Adam`` and ``AdamW``.
    public var amsgrad: Bool?
    /// Smoothing constant α of ``RMSprop``.
    public var alpha: Double?
    /// Centered ``RMSprop`` (normalize by an estimate of the gradient's variance).
    public var centered: Bool?
    /// Learning-rate decay of ``Adagrad``.
    public var learningRateDecay: Double?
    /// Initial value of ``Adagrad``'s squared-gradient accumulator.
    public var initialAccumulatorValue: Double?
    /// The learning rate the group started with (PyTorch's `initial_lr`). Schedules applied with
    /// ``LearningRateSchedule/apply(to:step:)`` keep the groups' learning rates in the ratio of
    /// their initial learning rates. Filled from ``learningRate`` when `nil`.
    public var initialLearningRate: Double?

    /// Creates a group; `nil` hyperparameters take the optimizer's defaults.
    public init(_ parameters: [Tensor], learningRate: Double? = nil, weightDecay: Double? = nil,
                momentum: Double? = nil, dampening: Double? = nil, nesterov: Bool? = nil,
                betas: (Double, Double)? = nil, eps: Double? = nil, amsgrad: Bool? = nil,
                alpha: Double? = nil, centered: Bool? = nil, learningRateDecay: Double? = nil,
                initialAccumulatorValue: Double? = nil) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.betas = betas
        self.eps = eps
        self.amsgrad = amsgrad
        self.alpha = alpha
        self.centered = centered
        self.learningRateDecay = learningRateDecay
        self.initialAccumulatorValue = initialAccumulatorValue
    }

    /// This group with every `nil` field taken from `defaults` (whose parameters are ignored).
    public func filled(from defaults: ParameterGroup) -> ParameterGroup {
        var g = self
        g.learningRate = g.learningRate ?? defaults.learningRate
        g.weightDecay = g.weightDecay ?? defaults.weightDecay
        g.momentum = g.momentum ?? defaults.momentum
        g.dampening = g.dampening ?? defaults.dampening
        g.nesterov = g.nesterov ?? defaults.nesterov
        g.betas = g.betas ?? defaults.betas
        g.eps = g.eps ?? defaults.eps
        g.amsgrad = g.amsgrad ?? defaults.amsgrad
        g.alpha = g.alpha ?? defaults.alpha
        g.centered = g.centered ?? defaults.centered
        g.learningRateDecay = g.learningRateDecay ?? defaults.learningRateDecay
        g.initialAccumulatorValue = g.initialAccumulatorValue ?? defaults.initialAccumulatorValue
        g.initialLearningRate = g.initialLearningRate ?? g.learningRate
        return g
    }
}

extension ParameterGroup {
    /// Splits parameters into a group with weight decay (rank ≥ 2: weight matrices and
    /// convolution kernels) and a group without (rank ≤ 1: biases and normalization scales and
    /// shifts), the usual recipe for AdamW. Empty groups are left out.
    ///
    /// - Parameters:
    ///   - parameters: the parameters, e.g. `model.trainableParameters`.
    ///   - weightDecay: λ for the decayed group; the other group gets 0.
    ///   - learningRate: an optional learning rate for both groups (else the optimizer's).
    public static func weightDecaySplit(_ parameters: [Tensor], weightDecay: Double,
                                        learningRate: Double? = nil) -> [ParameterGroup] {
        let decayed = parameters.filter { $0.rank >= 2 }
        let notDecayed = parameters.filter { $0.rank < 2 }
        var groups: [ParameterGroup] = []
        if !decayed.isEmpty { groups.append(ParameterGroup(decayed, learningRate: learningRate, weightDecay: weightDecay)) }
        if !notDecayed.isEmpty { groups.append(ParameterGroup(notDecayed, learningRate: learningRate, weightDecay: 0)) }
        return groups
    }

    /// ``weightDecaySplit(_:weightDecay:learningRate:)`` over a model's trainable parameters
    /// (which also names them, so optimizer state is keyed by their dotted paths).
    public static func weightDecaySplit(_ model: Module, weightDecay: Double,
                                        learningRate: Double? = nil) -> [ParameterGroup] {
        weightDecaySplit(model.trainableParameters, weightDecay: weightDecay, learningRate: learningRate)
    }
}
