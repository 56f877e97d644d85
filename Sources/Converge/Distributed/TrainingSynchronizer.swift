import ConvergeCore

/// What ``Trainer`` asks of a data-parallel engine (set ``Trainer/synchronizer``); nil trains in
/// one process. ``DataParallelSynchronizer`` is the implementation over a ``ProcessGroup``.
public protocol TrainingSynchronizer: AnyObject {
    /// Before the forward pass of each training micro-batch; `synchronizing` is true when the
    /// micro-batch's backward pass ends an optimizer step (gradients are reduced), false for the
    /// micro-batches of gradient accumulation that only accumulate.
    func beforeForward(_ trainer: Trainer, synchronizing: Bool) throws
    /// After the backward pass of a micro-batch that steps, before loss-scale unscaling, the
    /// `afterBackward` callbacks (clipping) and the optimizer step.
    func synchronizeGradients(_ trainer: Trainer) throws
    /// The loss and metrics over all of `data`, computed across ranks; nil to evaluate locally.
    func evaluate(_ trainer: Trainer, _ data: BatchProvider) -> [(String, Double)]?
}
