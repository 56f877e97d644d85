import ConvergeCore

/// ``Adam``'s and ``AdamW``'s state for one parameter: the step count t, the moment estimates
/// m (`exp_avg`) and v (`exp_avg_sq`), and with AMSGrad the running maximum v̂ (`max_exp_avg_sq`).
public final class AdamState: OptimizerParameterState {
    public var step = 0
    /// The first-moment estimate m.
    public private(set) var expAvg: Tensor
    /// The second-moment estimate v.
    public private(set) var expAvgSq: Tensor
    /// The running maximum of v (AMSGrad).
    public var maxExpAvgSq: Tensor?

    public init(parameter: Tensor, hyperparameters: AdamHyperparameters) {
        expAvg = Tensor.zeros(parameter.shape)
        expAvgSq = Tensor.zeros(parameter.shape)
        if hyperparameters.amsgrad { maxExpAvgSq = Tensor.zeros(parameter.shape) }
    }

    /// v̂, allocated (zeros) if it is not yet (AMSGrad switched on after the state was made).
    func allocatedMaxExpAvgSq(like parameter: Tensor) -> Tensor {
        if let maxExpAvgSq { return maxExpAvgSq }
        let buffer = Tensor.zeros(parameter.shape)
        maxExpAvgSq = buffer
        return buffer
    }

    /// `["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]`.
    public static let bufferNames = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]

    /// The moments, and the running maximum with AMSGrad.
    public static func requiredBufferNames(for hyperparameters: AdamHyperparameters) -> [String] {
        hyperparameters.amsgrad ? bufferNames : ["exp_avg", "exp_avg_sq"]
    }

    public func buffer(named name: String) -> Tensor? {
        switch name {
        case "exp_avg": return expAvg
        case "exp_avg_sq": return expAvgSq
        case "max_exp_avg_sq": return maxExpAvgSq
        default: return nil
        }
    }

    public func setBuffer(named name: String, to tensor: Tensor?) {
        switch name {
        case "exp_avg": if let tensor { expAvg = tensor }
        case "exp_avg_sq": if let tensor { expAvgSq = tensor }
        case "max_exp_avg_sq": maxExpAvgSq = tensor
        default: break
        }
    }
}
