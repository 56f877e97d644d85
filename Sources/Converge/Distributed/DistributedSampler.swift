import ConvergeCore

/// Splits each epoch's order among the ranks of a data-parallel job, as PyTorch's
/// `DistributedSampler`: the order is padded (by repeating its first indices) to a multiple of
/// the world size, or truncated with ``dropLast``, and rank `r` takes positions `r, r + N, r + 2N, …`.
/// Every rank therefore gets the same number of examples, and the union of the ranks' `k`-th
/// batches of size B is the single-process `k`-th batch of size N·B.
public struct DistributedSampler: Equatable, Sendable {
    /// Examples in the dataset.
    public let datasetCount: Int
    /// This process's rank.
    public let rank: Int
    /// Number of ranks.
    public let worldSize: Int
    /// Truncate the order to a multiple of the world size instead of padding it.
    public let dropLast: Bool

    /// Creates a sampler.
    public init(datasetCount: Int, rank: Int, worldSize: Int, dropLast: Bool = false) {
        precondition(worldSize >= 1 && rank >= 0 && rank < worldSize,
                     "DistributedSampler: rank \(rank) is outside 0..<\(worldSize)")
        self.datasetCount = datasetCount
        self.rank = rank
        self.worldSize = worldSize
        self.dropLast = dropLast
    }

    /// Examples each rank takes per epoch.
    public var samplesPerRank: Int {
        dropLast && datasetCount % worldSize != 0 ? datasetCount / worldSize : (datasetCount + worldSize - 1) / worldSize
    }

    /// This rank's share of an epoch's `order` (a permutation of the dataset's indices).
    public func indices(of order: [Int]) -> [Int] {
        precondition(order.count == datasetCount, "DistributedSampler: order has \(order.count) indices, dataset \(datasetCount)")
        let total = samplesPerRank * worldSize
        var padded = order
        if total > padded.count, !order.isEmpty {
            while padded.count < total { padded += order.prefix(total - padded.count) }
        } else if total < padded.count {
            padded.removeLast(padded.count - total)
        }
        return Array(stride(from: rank, to: total, by: worldSize).map { padded[$0] })
    }
}

/// A ``DataLoader``'s epochs as one rank of a data-parallel job sees them: the loader's seeded
/// order of each epoch, split by a ``DistributedSampler``, in batches of the loader's batch size
/// (the per-process batch, as in PyTorch DDP).
public final class DistributedDataLoader: BatchProvider {
    /// The loader whose order and batch size are used.
    public let loader: DataLoader
    /// The split among ranks.
    public let sampler: DistributedSampler

    /// Creates the rank's view of `loader`.
    public init(_ loader: DataLoader, rank: Int, worldSize: Int, dropLast: Bool = false) {
        self.loader = loader
        self.sampler = DistributedSampler(datasetCount: loader.dataset.count, rank: rank, worldSize: worldSize, dropLast: dropLast)
    }

    /// Creates the view of `loader` for `group`'s rank.
    public convenience init(_ loader: DataLoader, group: ProcessGroup) {
        self.init(loader, rank: group.rank, worldSize: group.worldSize)
    }

    /// Batches per epoch on every rank.
    public var batchesPerEpoch: Int {
        let n = sampler.samplesPerRank, b = loader.batchSize
        return loader.dropLast ? n / b : (n + b - 1) / b
    }

    /// The rank's share of epoch `epoch` in the loader's order.
    public func indices(epoch: Int) -> [Int] { sampler.indices(of: loader.order(epoch: epoch)) }

    /// Runs `body` over this rank's batches `start..<batchesPerEpoch` of `epoch`.
    public func forEachBatch(epoch: Int, startingAt start: Int, _ body: (Int, Tensor, Tensor) throws -> Void) rethrows {
        let batches = EpochBatches(dataset: loader.dataset, order: indices(epoch: epoch), batchSize: loader.batchSize,
                                   startIndex: start, endIndex: batchesPerEpoch)
        for index in batches.indices {
            let batch = batches[index]
            try body(index, batch.inputs, batch.targets)
        }
    }
}
