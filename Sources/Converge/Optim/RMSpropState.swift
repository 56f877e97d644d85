import ConvergeCore

/// ``RMSprop``'s state for one parameter: the step count, the squared-gradient average
/// (`square_avg`), and with momentum the momentum buffer (`momentum_buffer`), when centered the
/// gradient average (`grad_avg`).
public final class RMSpropState: OptimizerParameterState {
    public var step = 0
    /// The running average of squared gradients.
    public private(set) var squareAverage: Tensor
    /// The momentum buffer (momentum > 0).
    public var momentumBuffer: Tensor?
    /// The running average of gradients (centered).
    public var gradientAverage: Tensor?

    public init(parameter: Tensor, hyperparameters: RMSpropHyperparameters) {
        squareAverage = Tensor.zeros(parameter.shape)
        if hyperparameters.momentum > 0 { momentumBuffer = Tensor.zeros(parameter.shape) }
        if hyperparameters.centered { gradientAverage = Tensor.zeros(parameter.shape) }
    }

    /// The optional buffer at `keyPath`, allocated (zeros) if it is not yet (a schedule turned momentum on).
    func allocated(_ keyPath: ReferenceWritableKeyPath<RMSpropState, Tensor?>, like parameter: Tensor) -> Tensor {
        if let buffer = self[keyPath: keyPath] { return buffer }
        let buffer = Tensor.zeros(parameter.shape)
        self[keyPath: keyPath] = buffer
        return buffer
    }

    /// `["square_avg", "momentum_buffer", "grad_avg"]`.
    public static let bufferNames = ["square_avg", "momentum_buffer", "grad_avg"]

    /// The squared-gradient average always; the others as the settings need them.
    public static func requiredBufferNames(for hyperparameters: RMSpropHyperparameters) -> [String] {
        var names = ["square_avg"]
        if hyperparameters.momentum > 0 { names.append("momentum_buffer") }
        if hyperparameters.centered { names.append("grad_avg") }
        return names
    }

    public func buffer(named name: String) -> Tensor? {
        switch name {
        case "square_avg": return squareAverage
        case "momentum_buffer": return momentumBuffer
        case "grad_avg": return gradientAverage
        default: return nil
        }
    }

    public func setBuffer(named name: String, to tensor: Tensor?) {
        switch name {
        case "square_avg": if let tensor { squareAverage = tensor }
        case "momentum_buffer": momentumBuffer = tensor
        case "grad_avg": gradientAverage = tensor
        default: break
        }
    }
}
