import ConvergeCore

/// Parameters to add to an optimizer with their own learning rate or weight decay; every
/// optimizer's initializer takes a list of them. What a group leaves `nil` comes from the
/// optimizer's arguments, and the optimizer turns each into an ``OptimizerGroup`` with its typed
/// hyperparameters (change any other field there: `adam.parameterGroups[1].hyperparameters.betas`).
///
/// ```swift
/// let groups = [
///     ParameterGroup(decayed, weightDecay: 0.01),
///     ParameterGroup(biasesAndNorms, learningRate: 3e-4, weightDecay: 0),
/// ]
/// let optimizer = AdamW(groups, learningRate: 1e-3)
/// ```
public struct ParameterGroup {
    /// The parameters (leaf tensors).
    public var parameters: [Tensor]
    /// The group's learning rate (nil: the optimizer's).
    public var learningRate: Double?
    /// The group's weight decay (nil: the optimizer's).
    public var weightDecay: Double?

    /// Creates a group.
    public init(_ parameters: [Tensor], learningRate: Double? = nil, weightDecay: Double? = nil) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// `defaults` with this group's learning rate and weight decay where it sets them.
    public func hyperparameters<H: OptimizerHyperparameters>(over defaults: H) -> H {
        var h = defaults
        if let learningRate { h.learningRate = learningRate }
        if let weightDecay { h.weightDecay = weightDecay }
        return h
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
