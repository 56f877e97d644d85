import ConvergeCore

/// ``SGD``'s state for one parameter: the step count and the momentum buffer (PyTorch's
/// `momentum_buffer`), allocated at the first step with nonzero momentum, where it starts as the
/// gradient.
public final class SGDState: OptimizerParameterState {
    public var step = 0
    /// The momentum buffer, nil before the first step with momentum.
    public var momentumBuffer: Tensor?

    public init(parameter: Tensor, hyperparameters: SGDHyperparameters) {}

    /// The momentum buffer, allocated (zeros of `parameter`'s shape) if it is not yet.
    func allocatedMomentumBuffer(like parameter: Tensor) -> Tensor {
        if let momentumBuffer { return momentumBuffer }
        let buffer = Tensor.zeros(parameter.shape)
        momentumBuffer = buffer
        return buffer
    }

    /// `["momentum_buffer"]`.
    public static let bufferNames = ["momentum_buffer"]

    /// None: the buffer appears with the first momentum step.
    public static func requiredBufferNames(for hyperparameters: SGDHyperparameters) -> [String] { [] }

    public func buffer(named name: String) -> Tensor? { name == "momentum_buffer" ? momentumBuffer : nil }

    public func setBuffer(named name: String, to tensor: Tensor?) {
        if name == "momentum_buffer" { momentumBuffer = tensor }
    }
}
