import ConvergeCore

/// A group of parameters with the typed hyperparameters its optimizer updates them with
/// (PyTorch's `param_groups` entry): `sgd.parameterGroups[1].hyperparameters.momentum`.
public struct OptimizerGroup<Hyperparameters: OptimizerHyperparameters> {
    /// The parameters (leaf tensors).
    public var parameters: [Tensor]
    /// The group's hyperparameters.
    public var hyperparameters: Hyperparameters
    /// The learning rate the group started with (PyTorch's `initial_lr`). Schedules that keep
    /// group ratios (``Optimizer/setLearningRateKeepingGroupRatios(_:)``) scale by it.
    public var initialLearningRate: Double

    /// Creates a group; the initial learning rate defaults to the hyperparameters' rate.
    public init(_ parameters: [Tensor], hyperparameters: Hyperparameters, initialLearningRate: Double? = nil) {
        self.parameters = parameters
        self.hyperparameters = hyperparameters
        self.initialLearningRate = initialLearningRate ?? hyperparameters.learningRate
    }

    /// The learning rate (a shortcut for `hyperparameters.learningRate`).
    public var learningRate: Double {
        get { hyperparameters.learningRate }
        set { hyperparameters.learningRate = newValue }
    }
}
