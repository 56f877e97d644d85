/// ``Adam``'s and ``AdamW``'s hyperparameters for one parameter group (checkpoint names: `lr`,
/// `weight_decay`, `beta1`, `beta2`, `eps`, `amsgrad`).
public struct AdamHyperparameters: OptimizerHyperparameters {
    /// The learning rate η.
    public var learningRate: Double
    /// (β₁, β₂): the decay rates of the first and second moment estimates.
    public var betas: (Double, Double)
    /// The ε added to the denominator (after the bias-corrected square root).
    public var eps: Double
    /// Weight decay λ: L2 for ``Adam``, decoupled for ``AdamW``.
    public var weightDecay: Double
    /// AMSGrad: divide by the running maximum of the second moment.
    public var amsgrad: Bool

    /// Creates the hyperparameters (PyTorch's Adam defaults).
    public init(learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false) {
        self.learningRate = learningRate
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
    }

    /// β₁, which one-cycle schedules cycle in place of momentum.
    public var cycledMomentum: Double? {
        get { betas.0 }
        set { if let newValue { betas.0 = newValue } }
    }

    public static let fields: [HyperparameterField<AdamHyperparameters>] = [
        .init("lr", \.learningRate), .init("weight_decay", \.weightDecay),
        .init("beta1", get: { $0.betas.0 }, set: { $0.betas.0 = $1 }),
        .init("beta2", get: { $0.betas.1 }, set: { $0.betas.1 = $1 }),
        .init("eps", \.eps), .init("amsgrad", \.amsgrad),
    ]

    public func invalidValue() -> String? {
        let (b1, b2) = betas
        if learningRate < 0 { return "learning rate \(learningRate) is negative" }
        if !(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1) { return "betas (\(b1), \(b2)) must lie in [0, 1)" }
        if eps < 0 { return "eps \(eps) is negative" }
        if weightDecay < 0 { return "weight decay \(weightDecay) is negative" }
        return nil
    }
}
