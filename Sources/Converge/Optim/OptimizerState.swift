import ConvergeCore

/// An optimizer's state, keyed by parameter name, for checkpoints: what
/// ``Optimizer/stateDict()`` returns and ``Optimizer/loadStateDict(_:)`` restores.
///
/// Keys follow PyTorch's vocabulary under the parameter's dotted name (`Tensor.name`, set by
/// ``Module/namedParameters()``; `group0.param3` for an unnamed parameter):
/// - `tensors`: per-parameter buffers, e.g. `0.weight.exp_avg`, `0.weight.exp_avg_sq`,
///   `0.weight.momentum_buffer`, `0.bias.sum`;
/// - `scalars`: per-parameter step counts (`0.weight.step`) and each group's hyperparameters
///   (`group.0.lr`, `group.0.initial_lr`, `group.0.weight_decay`, `group.0.beta1`, …; booleans as
///   0 or 1).
public struct OptimizerState {
    /// Buffers by key, in the optimizer's parameter order.
    public var tensors: [(String, Tensor)]
    /// Step counts and hyperparameters by key.
    public var scalars: [String: Double]

    /// Creates a state from its parts.
    public init(tensors: [(String, Tensor)] = [], scalars: [String: Double] = [:]) {
        self.tensors = tensors
        self.scalars = scalars
    }

    /// The tensor stored under `key`, if any.
    public func tensor(_ key: String) -> Tensor? { tensors.first { $0.0 == key }?.1 }
}

/// Why an ``OptimizerState`` could not be loaded. Nothing is modified when loading throws.
public enum OptimizerStateError: Error, CustomStringConvertible, Equatable {
    /// The state has no entry for a parameter (or a group) the optimizer holds.
    case missingEntry(String)
    /// The state has a key that names no parameter, buffer or group hyperparameter of this optimizer.
    case unknownEntry(String)
    /// A buffer's shape differs from its parameter's.
    case shapeMismatch(key: String, expected: [Int], found: [Int])
    /// A scalar is not a valid value (a negative or fractional step count).
    case invalidValue(key: String, value: Double)

    /// One line naming the key.
    public var description: String {
        switch self {
        case .missingEntry(let key): return "optimizer state: missing entry \(key)"
        case .unknownEntry(let key): return "optimizer state: unknown entry \(key) (no such parameter, buffer or group in this optimizer)"
        case .shapeMismatch(let key, let expected, let found):
            return "optimizer state: \(key) has shape \(found), the parameter has shape \(expected)"
        case .invalidValue(let key, let value): return "optimizer state: \(key) has invalid value \(value)"
        }
    }
}
