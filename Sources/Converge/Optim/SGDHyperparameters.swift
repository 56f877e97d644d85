/// ``SGD``'s hyperparameters for one parameter group (PyTorch's names in checkpoints: `lr`,
/// `momentum`, `dampening`, `weight_decay`, `nesterov`).
public struct SGDHyperparameters: OptimizerHyperparameters, Equatable {
    /// The learning rate η.
    public var learningRate: Double
    /// Momentum μ (0: none).
    public var momentum: Double
    /// Dampening of the momentum buffer's gradient term.
    public var dampening: Double
    /// L2 weight decay λ, added to the gradient.
    public var weightDecay: Double
    /// Nesterov momentum.
    public var nesterov: Bool

    /// Creates the hyperparameters (PyTorch's defaults except the learning rate).
    public init(learningRate: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    /// The momentum μ.
    public var cycledMomentum: Double? {
        get { momentum }
        set { if let newValue { momentum = newValue } }
    }

    public static let fields: [HyperparameterField<SGDHyperparameters>] = [
        .init("lr", \.learningRate), .init("weight_decay", \.weightDecay), .init("momentum", \.momentum),
        .init("dampening", \.dampening), .init("nesterov", \.nesterov),
    ]

    public func invalidValue() -> String? {
        if learningRate < 0 { return "learning rate \(learningRate) is negative" }
        if momentum < 0 { return "momentum \(momentum) is negative" }
        if weightDecay < 0 { return "weight decay \(weightDecay) is negative" }
        if nesterov && (momentum <= 0 || dampening != 0) {
            return "Nesterov momentum requires momentum > 0 and zero dampening (momentum \(momentum), dampening \(dampening))"
        }
        return nil
    }
}
