import XCTest
@testable import Converge

final class DistributedSamplerTests: XCTestCase {
    func testRanksTakeInterleavedPositionsPaddedToTheSameCount() {
        let order = [9, 3, 7, 1, 5]
        let shares = (0..<2).map { DistributedSampler(datasetCount: 5, rank: $0, worldSize: 2).indices(of: order) }
        // Padded with the first index to 6: rank 0 takes positions 0, 2, 4; rank 1 takes 1, 3, 5.
        XCTAssertEqual(shares[0], [9, 7, 5])
        XCTAssertEqual(shares[1], [3, 1, 9])
        XCTAssertEqual(DistributedSampler(datasetCount: 5, rank: 1, worldSize: 2, dropLast: true).indices(of: order), [3, 1])
        // Padding longer than the dataset repeats it, as PyTorch does.
        XCTAssertEqual(DistributedSampler(datasetCount: 2, rank: 4, worldSize: 5).indices(of: [8, 6]), [8])
    }

    func testUnionOfRankBatchesIsTheOneProcessBatch() {
        let data = TensorDataset(features: Tensor(shape: [24, 1], scalars: (0..<24).map(Float.init)),
                                 labels: Tensor(shape: [24], scalars: [Float](repeating: 0, count: 24)))
        let single = DataLoader(data, batchSize: 6, shuffle: true, seed: 3)
        let perRank = DataLoader(data, batchSize: 2, shuffle: true, seed: 3)
        let ranks = (0..<3).map { DistributedDataLoader(perRank, rank: $0, worldSize: 3) }
        XCTAssertEqual(ranks[0].batchesPerEpoch, single.count)
        var rankBatches: [[[Float]]] = Array(repeating: [], count: 3)
        for (r, loader) in ranks.enumerated() {
            loader.forEachBatch(epoch: 2, startingAt: 0) { _, x, _ in rankBatches[r].append(x.scalars) }
        }
        for (k, batch) in single.batches(epoch: 2).enumerated() {
            let union = (0..<3).flatMap { rankBatches[$0][k] }
            XCTAssertEqual(Set(union), Set(batch.inputs.scalars), "batch \(k)")
        }
    }

    func testResumingMidEpochServesTheRemainingBatches() {
        let data = TensorDataset(features: Tensor(shape: [10, 1], scalars: (0..<10).map(Float.init)),
                                 labels: Tensor(shape: [10], scalars: [Float](repeating: 0, count: 10)))
        let loader = DistributedDataLoader(DataLoader(data, batchSize: 2, shuffle: true, seed: 1), rank: 1, worldSize: 2)
        var all: [[Float]] = [], tail: [[Float]] = []
        loader.forEachBatch(epoch: 0, startingAt: 0) { _, x, _ in all.append(x.scalars) }
        loader.forEachBatch(epoch: 0, startingAt: 2) { _, x, _ in tail.append(x.scalars) }
        XCTAssertEqual(loader.batchesPerEpoch, 3)
        XCTAssertEqual(Array(all.dropFirst(2)), tail)
    }
}
