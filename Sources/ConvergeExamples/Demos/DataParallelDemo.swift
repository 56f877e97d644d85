import Converge
import ConvergeCore
import Foundation

/// `converge demo data-parallel`, run under `mpirun -np N`: the library API of data-parallel
/// training in a hand-written loop (the README's snippet): a process group from the MPI
/// environment, a ``DataParallel`` wrapper around a model with ``SyncBatchNorm``, a
/// ``DistributedDataLoader`` and a loss averaged over the ranks. Without `mpirun` it runs as one
/// process.
public enum DataParallelDemo {
    /// What the demo reports.
    public struct Result {
        /// The world size.
        public var processes: Int
        /// This process's rank.
        public var rank: Int
        /// The mean training loss of each epoch, averaged over the ranks.
        public var losses: [Double]
        /// Whether every rank ends with the same weights (bit for bit).
        public var replicasIdentical: Bool
    }

    /// Trains for `epochs` epochs and checks that the replicas agree.
    public static func run(epochs: Int = 5) throws -> Result {
        let group = try ProcessGroup.world()              // rank and world size from mpirun
        Random.seed(42)                                   // same data on every rank
        let model = SyncBatchNorm.convert(Sequential {
            Linear(16, 64, bias: false); BatchNorm(64); ReLU()
            Linear(64, 1)
        })
        let parallel = try DataParallel(model, group: group)   // rank 0's weights everywhere; gradient buckets
        let optimizer = AdamW(model.trainableParameters, learningRate: 3e-3)
        let x = Tensor.randomNormal([1024, 16])
        let y = Tensor(shape: [1024, 1], scalars: (0..<1024).map { x.scalars[$0 * 16] + x.scalars[$0 * 16 + 1] > 0 ? 1 : 0 })
        let loader = DistributedDataLoader(DataLoader(TensorDataset(features: x, labels: y), batchSize: 32, shuffle: true, seed: 1),
                                           group: group)  // 32 examples per process and step
        var losses: [Double] = []
        for epoch in 0..<epochs {
            var total = 0.0
            try loader.forEachBatch(epoch: epoch, startingAt: 0) { _, inputs, targets in
                optimizer.zeroGrad()
                let loss = binaryCrossEntropy(logits: parallel(inputs), targets: targets)
                loss.backward()                          // full buckets start reducing during backward
                try parallel.synchronizeGradients()      // averaged gradients on every rank
                clipGradNorm(model.parameters, maxNorm: 1.0)
                optimizer.step()
                total += Double(loss.item())
            }
            losses.append(try group.allreduce(total / Double(loader.batchesPerEpoch), .mean))
        }
        let checksums = try group.allgather(model.parameters.reduce(0.0) { sum, p in
            p.scalars.enumerated().reduce(sum) { $0 + Double($1.element) * Double($1.offset % 7 + 1) }
        })
        return Result(processes: group.worldSize, rank: group.rank, losses: losses,
                      replicasIdentical: Set(checksums).count == 1)
    }
}
