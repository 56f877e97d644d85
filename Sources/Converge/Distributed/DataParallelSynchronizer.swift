import ConvergeCore
import Foundation

/// Makes a ``Trainer`` train data-parallel over a ``DataParallel`` wrapper (set it as
/// ``Trainer/synchronizer`` and give ``Trainer/fit(train:validation:epochs:)`` a
/// ``DistributedDataLoader``):
///
/// - gradients are reduced only on the micro-batch that steps (DDP's `no_sync` for the others),
///   before loss-scale unscaling and clipping, so both see the averaged gradient and every rank
///   takes the same skip decision;
/// - the epoch's training loss is summed over every rank's examples, so `train_loss` (and any
///   decision on it) is the same everywhere;
/// - evaluation is sharded by batch (rank r runs batches r, r + N, …) and the outputs are gathered,
///   so every rank computes the loss and metrics over the whole set, batch by batch as one process
///   would;
/// - with ``dropoutSeed`` set, the default generator is reseeded before every micro-batch from
///   (seed, rank, epoch, batch), so dropout masks differ between ranks and a resumed run repeats
///   them exactly.
public final class DataParallelSynchronizer: TrainingSynchronizer {
    /// The wrapped model.
    public let parallel: DataParallel
    /// Seeds the per-rank dropout generator (nil: the default generator is left alone).
    public var dropoutSeed: UInt64?

    private var syncedLossSum = 0.0
    private var syncedCount = 0

    /// Creates the synchronizer.
    public init(_ parallel: DataParallel, dropoutSeed: UInt64? = nil) {
        self.parallel = parallel
        self.dropoutSeed = dropoutSeed
    }

    /// The process group.
    public var group: ProcessGroup { parallel.group }

    public func beforeForward(_ trainer: Trainer, synchronizing: Bool) throws {
        if trainer.microBatch == 0 {
            syncedLossSum = trainer.lossSum
            syncedCount = trainer.sampleCount
        }
        parallel.setSynchronizesGradients(synchronizing)
        if parallel.broadcastsBuffers { try parallel.broadcastBuffers() }
        if let dropoutSeed {
            Random.generator = RandomGenerator(seed: Self.mix(dropoutSeed, UInt64(group.rank), UInt64(trainer.epoch),
                                                              UInt64(trainer.batchIndex)))
        }
    }

    public func synchronizeGradients(_ trainer: Trainer) throws {
        try parallel.synchronizeGradients()
        let global = try group.allreduce([trainer.lossSum - syncedLossSum, Double(trainer.sampleCount - syncedCount)], .sum)
        trainer.lossSum = syncedLossSum + global[0]
        trainer.sampleCount = syncedCount + Int(global[1])
        syncedLossSum = trainer.lossSum
        syncedCount = trainer.sampleCount
    }

    public func evaluate(_ trainer: Trainer, _ data: BatchProvider) -> [(String, Double)]? {
        guard let loader = data as? DataLoader, group.worldSize > 1 else { return nil }
        do {
            return try Self.evaluate(trainer, loader, group: group)
        } catch {
            DataParallel.printFailure(error, rank: group.rank)
            group.abort()
        }
    }

    /// Sharded evaluation: see the type's documentation.
    static func evaluate(_ trainer: Trainer, _ loader: DataLoader, group: ProcessGroup) throws -> [(String, Double)] {
        let model = trainer.model
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        let batches = loader.batches(epoch: 0)
        let world = group.worldSize
        var local: [Float] = []
        var tail: [Int] = []
        withNoGrad {
            for b in stride(from: group.rank, to: batches.count, by: world) {
                let out = model(batches[b].inputs)
                if tail.isEmpty { tail = Array(out.shape.dropFirst()) }
                local += out.scalars
            }
        }
        let shape = try group.broadcast(bytes: Array(tail.map(String.init).joined(separator: ",").utf8), root: 0)
        tail = String(decoding: shape, as: UTF8.self).split(separator: ",").compactMap { Int($0) }
        let perSample = tail.reduce(1, *)
        let gathered = try group.allgather(local)
        var cursor = [Int](repeating: 0, count: world)
        var accumulator = MetricAccumulator(outputs: trainer.outputKind, metrics: [.loss] + trainer.metrics.filter { $0 != .loss })
        for b in 0..<batches.count {
            let batch = batches[b]
            let owner = b % world, n = batch.targets.shape.first ?? 1, size = n * perSample
            let values = gathered[owner][cursor[owner]..<(cursor[owner] + size)]
            cursor[owner] += size
            let out = Tensor(shape: [n] + tail, scalars: Array(values))
            accumulator.update(outputs: out, targets: batch.targets, loss: Double(trainer.loss(out, batch.targets).item()))
        }
        return accumulator.results()
    }

    /// Mixes the words into one generator seed (SplitMix64 finalizer between words).
    static func mix(_ words: UInt64...) -> UInt64 {
        var z: UInt64 = 0x9E37_79B9_7F4A_7C15
        for w in words {
            z ^= w &+ 0x9E37_79B9_7F4A_7C15 &+ (z << 6) &+ (z >> 2)
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
        }
        return z
    }
}
