import ConvergeCore

/// A layer option that is out of range, e.g. a dropout probability of 1.5 read from a recipe.
public struct LayerConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The layer, e.g. `Dropout`.
    public let layer: String
    /// The option, e.g. `probability`.
    public let field: String
    /// What is wrong, naming the value.
    public let message: String

    /// Creates an error.
    public init(layer: String, field: String, message: String) {
        self.layer = layer
        self.field = field
        self.message = message
    }

    /// One line: `Dropout: probability must be in [0, 1), got 1.5`.
    public var description: String { "\(layer): \(field) \(message)" }
}

/// Inverted dropout, as PyTorch's `nn.Dropout`: in training each element is zeroed with
/// probability ``probability`` and the kept ones are scaled by 1 / (1 − p); in evaluation mode
/// (``Module/eval()``) it is the identity. Masks come from `Random.generator` (or the
/// generator given), so a seed reproduces them.
public final class Dropout: Module {
    /// The probability of zeroing an element, in [0, 1).
    public let probability: Float
    /// The generator masks are drawn from; `nil` means `Random.generator` at call time.
    public let generator: RandomGenerator?

    /// Creates the layer.
    /// - Precondition: `probability` is in [0, 1); use ``init(validatingProbability:generator:)``
    ///   for values that come from users.
    public init(_ probability: Float = 0.5, generator: RandomGenerator? = nil) {
        precondition(probability >= 0 && probability < 1, "Dropout: probability must be in [0, 1), got \(probability)")
        self.probability = probability
        self.generator = generator
        super.init()
    }

    /// Creates the layer, throwing a ``LayerConfigurationError`` when `probability` is outside [0, 1).
    public convenience init(validatingProbability probability: Float, generator: RandomGenerator? = nil) throws {
        guard probability >= 0 && probability < 1 else {
            throw LayerConfigurationError(layer: "Dropout", field: "probability", message: "must be in [0, 1), got \(probability)")
        }
        self.init(probability, generator: generator)
    }

    /// Drops elements in training mode; returns `input` unchanged in evaluation mode.
    public override func forward(_ input: Tensor) -> Tensor {
        input.dropout(probability: probability, training: isTraining, generator: generator ?? Random.generator)
    }
}
