import ConvergeCore

/// The state an optimizer keeps for one parameter, as a typed value (``AdamState`` holds
/// `expAvg` and `expAvgSq`, ``SGDState`` an optional `momentumBuffer`), in the manner of Optax's
/// typed states.
///
/// Buffers are allocated by the state itself (in ``init(parameter:hyperparameters:)`` for the
/// ones every step needs, later for the ones a setting switches on) and updated in place.
/// ``bufferNames`` and ``buffer(named:)`` give checkpoints PyTorch's names (`exp_avg`,
/// `momentum_buffer`); the update rules use the typed properties.
public protocol OptimizerParameterState: AnyObject {
    /// The hyperparameters the state is allocated for.
    associatedtype Hyperparameters: OptimizerHyperparameters
    /// Updates applied to the parameter so far (PyTorch's `state["step"]`).
    var step: Int { get set }
    /// A fresh state for `parameter`, with the buffers that `hyperparameters` need allocated.
    init(parameter: Tensor, hyperparameters: Hyperparameters)
    /// Every buffer name this kind of state can hold, in checkpoint order.
    static var bufferNames: [String] { get }
    /// The buffers a state for `hyperparameters` always holds (a loaded state must have them).
    static func requiredBufferNames(for hyperparameters: Hyperparameters) -> [String]
    /// The buffer named `name` (one of ``bufferNames``), or nil when it is not allocated.
    func buffer(named name: String) -> Tensor?
    /// Replaces the buffer named `name` (nil: not allocated).
    func setBuffer(named name: String, to tensor: Tensor?)
}
