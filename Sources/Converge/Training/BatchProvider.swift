import ConvergeCore

/// A source of mini-batches for the training loop: a fixed number of batches per epoch whose
/// order may depend on the epoch (seeded shuffling), and that can start an epoch part-way
/// through (exact resume).
public protocol BatchProvider {
    /// Batches in one epoch.
    var batchesPerEpoch: Int { get }
    /// Calls `body(index, inputs, targets)` for batches `start..<batchesPerEpoch` of `epoch`
    /// (0-based) in that epoch's order.
    func forEachBatch(epoch: Int, startingAt start: Int, _ body: (Int, Tensor, Tensor) throws -> Void) rethrows
}
