import ConvergeCore

/// Serves a ``Dataset`` in mini-batches, optionally shuffled, reproducibly.
///
/// The order of epoch `e` is a permutation drawn from a `RandomGenerator` seeded by a mix of
/// ``seed`` and `e`: every epoch has a different order, and the same seed repeats the same orders
/// in every run. Because an epoch's order depends on nothing else, training can resume in the
/// middle of an epoch exactly: `batches(epoch: e, startingAt: k)` yields the batches a full epoch
/// would have yielded from index `k` on.
///
/// Iterating the loader itself (`for batch in loader`) runs epoch ``epoch`` and then advances
/// ``epoch`` by one, so a plain loop over epochs sees a new order each time, like PyTorch's
/// `DataLoader(shuffle=True)`. ``batches(epoch:startingAt:)`` has no such side effect.
public final class DataLoader: Sequence {
    /// The examples served.
    public let dataset: any Dataset
    /// Examples per batch (the last batch may be smaller unless ``dropLast``).
    public let batchSize: Int
    /// Whether each epoch visits the examples in a fresh random order.
    public let shuffle: Bool
    /// Whether a final batch smaller than ``batchSize`` is skipped.
    public let dropLast: Bool
    /// The seed that, with the epoch number, fixes each epoch's order.
    public let seed: UInt64
    /// The epoch that the next `for batch in loader` runs.
    public var epoch: Int

    /// Creates a loader.
    ///
    /// - Parameters:
    ///   - dataset: the examples.
    ///   - batchSize: examples per batch (at least 1).
    ///   - shuffle: draw a new order each epoch (default false: dataset order).
    ///   - dropLast: skip a final partial batch.
    ///   - seed: fixes the orders; when `nil`, one value is drawn from `Random.generator`, so
    ///     `Random.seed(_:)` also fixes the data order.
    ///   - epoch: the first epoch that iterating the loader runs.
    public init(_ dataset: any Dataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                seed: UInt64? = nil, epoch: Int = 0) {
        precondition(batchSize >= 1, "DataLoader: batchSize must be at least 1, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed ?? Random.generator.next()
        self.epoch = epoch
    }

    /// Batches per epoch.
    public var count: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// Examples per epoch that reach a batch (all of them unless ``dropLast`` drops a remainder).
    public var examplesPerEpoch: Int { dropLast ? count * batchSize : dataset.count }

    /// The order in which epoch `epoch` visits the dataset: `0..<N` unless ``shuffle``.
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        return RandomGenerator(seed: Self.mix(seed: seed, epoch: epoch)).permutation(dataset.count)
    }

    /// The batches of epoch `epoch`, from batch index `start` (default 0) to the end.
    public func batches(epoch: Int, startingAt start: Int = 0) -> EpochBatches {
        precondition(start >= 0 && start <= count, "DataLoader.batches: start \(start) is outside 0...\(count)")
        return EpochBatches(dataset: dataset, order: order(epoch: epoch), batchSize: batchSize,
                            startIndex: start, endIndex: count)
    }

    /// Iterates epoch ``epoch`` and advances ``epoch`` by one.
    public func makeIterator() -> IndexingIterator<EpochBatches> {
        defer { epoch += 1 }
        return batches(epoch: epoch).makeIterator()
    }

    /// Batches per epoch (so `Array(loader)` reserves the right size).
    public var underestimatedCount: Int { count }

    /// Combines the loader seed and an epoch into one generator seed. The seed goes through a
    /// 64-bit finalizer first so that nearby seeds and epochs do not produce related streams.
    static func mix(seed: UInt64, epoch: Int) -> UInt64 {
        var z = seed
        z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        z ^= z >> 33
        return z ^ (UInt64(bitPattern: Int64(epoch)) &* 0x9E37_79B9_7F4A_7C15)
    }
}

/// The batches of one epoch in order, as a random-access collection indexed by batch number.
///
/// Batches are assembled when accessed; nothing is copied up front.
public struct EpochBatches: RandomAccessCollection {
    /// The dataset the batches come from.
    public let dataset: any Dataset
    /// The epoch's visiting order.
    public let order: [Int]
    /// Examples per batch.
    public let batchSize: Int
    /// The first batch index served.
    public let startIndex: Int
    /// One past the last batch index served.
    public let endIndex: Int

    /// Batch `index` of the epoch.
    public subscript(index: Int) -> Batch {
        precondition(index >= startIndex && index < endIndex, "EpochBatches: batch \(index) is outside \(startIndex)..<\(endIndex)")
        let lower = index * batchSize, upper = Swift.min(lower + batchSize, order.count)
        return dataset.batch(indices: Array(order[lower..<upper]))
    }

    /// The batches `bounds` of the same epoch.
    public subscript(bounds: Range<Int>) -> EpochBatches {
        EpochBatches(dataset: dataset, order: order, batchSize: batchSize,
                     startIndex: bounds.lowerBound, endIndex: bounds.upperBound)
    }
}
