/// The hyperparameters of one optimizer for one parameter group, as a typed value
/// (``SGDHyperparameters``, ``AdamHyperparameters``, …): every field is set, none is shared with
/// another optimizer's.
///
/// ``fields`` lists what checkpoints save, under PyTorch's names (`lr`, `weight_decay`, `beta1`,
/// …; booleans as 0 or 1), so ``Optimizer/stateDict()`` can write `group.<g>.<name>` keys.
public protocol OptimizerHyperparameters {
    /// The learning rate η.
    var learningRate: Double { get set }
    /// Weight decay λ (L2 or decoupled, as the optimizer defines it).
    var weightDecay: Double { get set }
    /// The momentum a schedule may cycle (SGD's and RMSprop's μ, Adam's β₁); `nil` when the
    /// optimizer has none, and setting it then does nothing.
    var cycledMomentum: Double? { get set }
    /// The fields saved in checkpoints, in order (the learning rate first).
    static var fields: [HyperparameterField<Self>] { get }
    /// A one-line description of the first invalid value (`"momentum -1 is negative"`), or nil.
    func invalidValue() -> String?
}

extension OptimizerHyperparameters {
    /// No momentum to cycle.
    public var cycledMomentum: Double? {
        get { nil }
        set {}
    }
}

/// One hyperparameter as checkpoints see it: a name and a `Double` view of the value.
public struct HyperparameterField<Hyperparameters> {
    /// PyTorch's name (`lr`, `momentum`, `beta1`).
    public let name: String
    /// Reads the value.
    public let get: (Hyperparameters) -> Double
    /// Writes the value.
    public let set: (inout Hyperparameters, Double) -> Void

    /// A field over a `Double` property.
    public init(_ name: String, _ keyPath: WritableKeyPath<Hyperparameters, Double>) {
        self.name = name
        self.get = { $0[keyPath: keyPath] }
        self.set = { $0[keyPath: keyPath] = $1 }
    }

    /// A field over a `Bool` property, saved as 0 or 1.
    public init(_ name: String, _ keyPath: WritableKeyPath<Hyperparameters, Bool>) {
        self.name = name
        self.get = { $0[keyPath: keyPath] ? 1 : 0 }
        self.set = { $0[keyPath: keyPath] = $1 != 0 }
    }

    /// A field with explicit accessors.
    public init(_ name: String, get: @escaping (Hyperparameters) -> Double, set: @escaping (inout Hyperparameters, Double) -> Void) {
        self.name = name
        self.get = get
        self.set = set
    }
}
