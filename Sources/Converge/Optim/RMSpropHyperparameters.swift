/// ``RMSprop``'s hyperparameters for one parameter group (checkpoint names: `lr`, `weight_decay`,
/// `momentum`, `eps`, `alpha`, `centered`).
public struct RMSpropHyperparameters: OptimizerHyperparameters, Equatable {
    /// The learning rate η.
    public var learningRate: Double
    /// Smoothing constant α of the squared-gradient average.
    public var alpha: Double
    /// The ε added to the denominator.
    public var eps: Double
    /// L2 weight decay λ, added to the gradient.
    public var weightDecay: Double
    /// Momentum μ (0: none).
    public var momentum: Double
    /// Normalize by an estimate of the gradient's variance instead of its second moment.
    public var centered: Bool

    /// Creates the hyperparameters (PyTorch's defaults).
    public init(learningRate: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0,
                momentum: Double = 0, centered: Bool = false) {
        self.learningRate = learningRate
        self.alpha = alpha
        self.eps = eps
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
    }

    /// The momentum μ.
    public var cycledMomentum: Double? {
        get { momentum }
        set { if let newValue { momentum = newValue } }
    }

    public static let fields: [HyperparameterField<RMSpropHyperparameters>] = [
        .init("lr", \.learningRate), .init("weight_decay", \.weightDecay), .init("momentum", \.momentum),
        .init("eps", \.eps), .init("alpha", \.alpha), .init("centered", \.centered),
    ]

    public func invalidValue() -> String? {
        if learningRate < 0 { return "learning rate \(learningRate) is negative" }
        if alpha < 0 { return "alpha \(alpha) is negative" }
        if eps < 0 { return "eps \(eps) is negative" }
        if momentum < 0 { return "momentum \(momentum) is negative" }
        if weightDecay < 0 { return "weight decay \(weightDecay) is negative" }
        return nil
    }
}
