import ConvergeCore

/// ``Adagrad``'s state for one parameter: the step count and the running sum of squared
/// gradients (PyTorch's `sum`), which starts at the initial accumulator value.
public final class AdagradState: OptimizerParameterState {
    public var step = 0
    /// The running sum of squared gradients.
    public private(set) var sum: Tensor

    public init(parameter: Tensor, hyperparameters: AdagradHyperparameters) {
        sum = Tensor.full(parameter.shape, value: Float(hyperparameters.initialAccumulatorValue))
    }

    /// `["sum"]`.
    public static let bufferNames = ["sum"]

    /// `["sum"]`: a loaded state must have it.
    public static func requiredBufferNames(for hyperparameters: AdagradHyperparameters) -> [String] { ["sum"] }

    public func buffer(named name: String) -> Tensor? { name == "sum" ? sum : nil }

    public func setBuffer(named name: String, to tensor: Tensor?) {
        if name == "sum", let tensor { sum = tensor }
    }
}
