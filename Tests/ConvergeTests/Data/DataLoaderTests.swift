import XCTest
@testable import Converge

final class DataLoaderTests: XCTestCase {
    /// Example i has feature i and label i.
    func ramp(_ n: Int) -> TensorDataset {
        TensorDataset(features: Tensor(shape: [n, 1], scalars: (0..<n).map(Float.init)), labels: Tensor((0..<n).map(Float.init)))
    }

    func testUnshuffledBatchesFollowDatasetOrder() {
        let loader = DataLoader(ramp(7), batchSize: 3, seed: 1)
        XCTAssertEqual(loader.count, 3)
        let batches = Array(loader)
        XCTAssertEqual(batches.map { $0.targets.scalars }, [[0, 1, 2], [3, 4, 5], [6]])
        XCTAssertEqual(batches[2].inputs.shape, [1, 1])
    }

    func testDropLast() {
        let loader = DataLoader(ramp(7), batchSize: 3, dropLast: true, seed: 1)
        XCTAssertEqual(loader.count, 2)
        XCTAssertEqual(loader.examplesPerEpoch, 6)
        XCTAssertEqual(Array(loader).map { $0.count }, [3, 3])
        XCTAssertEqual(DataLoader(ramp(2), batchSize: 3, dropLast: true, seed: 1).count, 0)
    }

    func testShuffleIsAPermutationThatDiffersPerEpochAndRepeatsPerSeed() {
        let loader = DataLoader(ramp(20), batchSize: 6, shuffle: true, seed: 42)
        let epoch0 = loader.batches(epoch: 0).flatMap { $0.indices }
        let epoch1 = loader.batches(epoch: 1).flatMap { $0.indices }
        XCTAssertEqual(epoch0.sorted(), Array(0..<20))
        XCTAssertEqual(epoch1.sorted(), Array(0..<20))
        XCTAssertNotEqual(epoch0, Array(0..<20))
        XCTAssertNotEqual(epoch0, epoch1)
        let again = DataLoader(ramp(20), batchSize: 6, shuffle: true, seed: 42)
        XCTAssertEqual(again.batches(epoch: 1).flatMap { $0.indices }, epoch1)
        let otherSeed = DataLoader(ramp(20), batchSize: 6, shuffle: true, seed: 43)
        XCTAssertNotEqual(otherSeed.batches(epoch: 0).flatMap { $0.indices }, epoch0)
        // Targets travel with their inputs.
        for batch in loader.batches(epoch: 0) { XCTAssertEqual(batch.inputs.scalars, batch.targets.scalars) }
    }

    func testIteratingAdvancesTheEpoch() {
        let loader = DataLoader(ramp(10), batchSize: 4, shuffle: true, seed: 9)
        let first = Array(loader).flatMap { $0.indices }
        XCTAssertEqual(loader.epoch, 1)
        let second = Array(loader).flatMap { $0.indices }
        XCTAssertEqual(loader.epoch, 2)
        XCTAssertEqual(first, loader.order(epoch: 0))
        XCTAssertEqual(second, loader.order(epoch: 1))
        XCTAssertNotEqual(first, second)
    }

    func testResumeInsideAnEpochYieldsTheRemainingBatches() {
        let loader = DataLoader(ramp(23), batchSize: 5, shuffle: true, seed: 3)
        let full = loader.batches(epoch: 4).map { $0.indices }
        let resumed = loader.batches(epoch: 4, startingAt: 2).map { $0.indices }
        XCTAssertEqual(resumed, Array(full[2...]))
        XCTAssertEqual(loader.batches(epoch: 4, startingAt: loader.count).count, 0)
        XCTAssertEqual(loader.batches(epoch: 4)[3].indices, full[3])
    }

    func testDefaultSeedComesFromTheGlobalGenerator() {
        Random.seed(5)
        let a = DataLoader(ramp(12), batchSize: 4, shuffle: true)
        Random.seed(5)
        let b = DataLoader(ramp(12), batchSize: 4, shuffle: true)
        XCTAssertEqual(a.seed, b.seed)
        XCTAssertEqual(a.order(epoch: 2), b.order(epoch: 2))
    }

    func testSeedMixSeparatesNearbySeedsAndEpochs() {
        var seen = Set<UInt64>()
        for seed in UInt64(0)..<8 { for epoch in 0..<8 { seen.insert(DataLoader.mix(seed: seed, epoch: epoch)) } }
        XCTAssertEqual(seen.count, 64)
    }
}
