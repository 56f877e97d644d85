/// ``Adagrad``'s hyperparameters for one parameter group (checkpoint names: `lr`, `weight_decay`,
/// `eps`, `lr_decay`, `initial_accumulator_value`).
public struct AdagradHyperparameters: OptimizerHyperparameters, Equatable {
    /// The learning rate η.
    public var learningRate: Double
    /// Learning-rate decay: step t uses η / (1 + (t − 1)·decay).
    public var learningRateDecay: Double
    /// L2 weight decay λ, added to the gradient.
    public var weightDecay: Double
    /// The value the squared-gradient sum starts from.
    public var initialAccumulatorValue: Double
    /// The ε added to the denominator.
    public var eps: Double

    /// Creates the hyperparameters (PyTorch's defaults).
    public init(learningRate: Double = 1e-2, learningRateDecay: Double = 0, weightDecay: Double = 0,
                initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.weightDecay = weightDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.eps = eps
    }

    public static let fields: [HyperparameterField<AdagradHyperparameters>] = [
        .init("lr", \.learningRate), .init("weight_decay", \.weightDecay), .init("eps", \.eps),
        .init("lr_decay", \.learningRateDecay), .init("initial_accumulator_value", \.initialAccumulatorValue),
    ]

    public func invalidValue() -> String? {
        if learningRate < 0 { return "learning rate \(learningRate) is negative" }
        if learningRateDecay < 0 { return "learning-rate decay \(learningRateDecay) is negative" }
        if initialAccumulatorValue < 0 { return "initial accumulator value \(initialAccumulatorValue) is negative" }
        if eps < 0 { return "eps \(eps) is negative" }
        if weightDecay < 0 { return "weight decay \(weightDecay) is negative" }
        return nil
    }
}
