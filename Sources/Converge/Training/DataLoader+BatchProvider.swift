import ConvergeCore

extension DataLoader: BatchProvider {
    /// Batches in one epoch (``DataLoader/count``).
    public var batchesPerEpoch: Int { count }

    /// Runs `body` over the batches of `epoch` from `start`, in that epoch's seeded order.
    public func forEachBatch(epoch: Int, startingAt start: Int, _ body: (Int, Tensor, Tensor) throws -> Void) rethrows {
        let batches = self.batches(epoch: epoch, startingAt: start)
        for index in batches.indices {
            let batch = batches[index]
            try body(index, batch.inputs, batch.targets)
        }
    }
}
