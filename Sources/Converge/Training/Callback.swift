import ConvergeCore

/// Hooks into the training loop (Keras/fastai style). Every event has a default empty
/// implementation, so a callback implements only what it needs. A callback stops training by
/// setting ``Trainer/shouldStop``.
///
/// Events in order: `beforeFit`, then per epoch `beforeEpoch`, per batch `beforeBatch`,
/// `afterBackward` (gradients ready, before the optimizer step: clipping goes here), `afterStep`,
/// `afterBatch`; then validation, `afterEpoch` (the epoch's record is in the history), and
/// finally `afterFit`.
public protocol Callback: AnyObject {
    /// Before the first epoch (also when resuming).
    func beforeFit(_ trainer: Trainer) throws
    /// Before each epoch.
    func beforeEpoch(_ trainer: Trainer) throws
    /// Before each training batch.
    func beforeBatch(_ trainer: Trainer) throws
    /// After `backward()` and before the optimizer step (only on micro-batches that step).
    func afterBackward(_ trainer: Trainer) throws
    /// After the optimizer step.
    func afterStep(_ trainer: Trainer) throws
    /// After each training batch (the loss is in ``Trainer/lastLoss``).
    func afterBatch(_ trainer: Trainer) throws
    /// After validation; the epoch's record is the last entry of ``Trainer/history``.
    func afterEpoch(_ trainer: Trainer) throws
    /// After the last epoch or an early stop.
    func afterFit(_ trainer: Trainer) throws
    /// State to save in a checkpoint (keyed by the callback's ``checkpointKey``).
    func checkpointState(_ trainer: Trainer) -> [String: Double]
    /// Restores what ``checkpointState(_:)`` saved.
    func restoreCheckpointState(_ state: [String: Double], trainer: Trainer) throws
    /// Tensors to save in a checkpoint (e.g. the best weights kept by early stopping).
    func checkpointTensors(_ trainer: Trainer) -> [(String, Tensor)]
    /// Restores what ``checkpointTensors(_:)`` saved.
    func restoreCheckpointTensors(_ tensors: [(String, Tensor)], trainer: Trainer) throws
    /// A stable key under which this callback's state is saved (nil: nothing saved).
    var checkpointKey: String? { get }
}

extension Callback {
    public func beforeFit(_ trainer: Trainer) throws {}
    public func beforeEpoch(_ trainer: Trainer) throws {}
    public func beforeBatch(_ trainer: Trainer) throws {}
    public func afterBackward(_ trainer: Trainer) throws {}
    public func afterStep(_ trainer: Trainer) throws {}
    public func afterBatch(_ trainer: Trainer) throws {}
    public func afterEpoch(_ trainer: Trainer) throws {}
    public func afterFit(_ trainer: Trainer) throws {}
    public func checkpointState(_ trainer: Trainer) -> [String: Double] { [:] }
    public func restoreCheckpointState(_ state: [String: Double], trainer: Trainer) throws {}
    public func checkpointTensors(_ trainer: Trainer) -> [(String, Tensor)] { [] }
    public func restoreCheckpointTensors(_ tensors: [(String, Tensor)], trainer: Trainer) throws {}
    public var checkpointKey: String? { nil }
}
