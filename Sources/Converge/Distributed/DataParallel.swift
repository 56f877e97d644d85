import ConvergeCore
import Foundation

/// Data-parallel training of a module across the ranks of a ``ProcessGroup``, as PyTorch's
/// `DistributedDataParallel`:
///
/// - At creation, rank 0's parameters and buffers are broadcast, so every replica starts
///   identical; every ``SyncBatchNorm`` in the module is given the group.
/// - Gradients are averaged over the ranks by bucketed allreduce. Buckets of about
///   ``bucketCapacityBytes`` hold the trainable parameters in reverse order (the order backward
///   produces their gradients). Each parameter's gradient-ready hook
///   (`Tensor.postAccumulateGradHook`) marks it done; a full bucket starts a non-blocking
///   `MPI_Iallreduce` at once (buckets start strictly in order, so every rank issues the same
///   sequence of collectives), and the remaining buckets are started and all are waited for by
///   ``synchronizeGradients()``, after `backward()` returns.
/// - ``withoutSynchronization(_:)`` (DDP's `no_sync`) turns the hooks off for the micro-batches
///   of gradient accumulation that do not step.
/// - Before each forward pass in training mode, rank 0's buffers (BatchNorm running statistics)
///   are broadcast (DDP's `broadcast_buffers=True`); skip with ``broadcastsBuffers``.
///
/// ```swift
/// let group = try ProcessGroup.world()
/// let parallel = try DataParallel(model, group: group)
/// let loss = meanSquaredError(parallel(x), y)
/// loss.backward()
/// try parallel.synchronizeGradients()      // averaged gradients on every rank
/// optimizer.step()
/// ```
public final class DataParallel {
    /// The wrapped module (every rank holds a full replica).
    public let module: Module
    /// The ranks the gradients are averaged over.
    public let group: ProcessGroup
    /// Target bucket size in bytes (PyTorch's `bucket_cap_mb`, default 25 MiB).
    public let bucketCapacityBytes: Int
    /// Whether rank 0's buffers are broadcast before each training forward pass.
    public var broadcastsBuffers = true
    /// Whether the gradient hooks reduce gradients of the next backward pass (false inside
    /// ``withoutSynchronization(_:)``).
    public private(set) var synchronizesGradients = true
    /// Seconds spent waiting for gradient allreduces since creation (or ``resetTimings()``).
    public private(set) var communicationSeconds = 0.0
    /// Gradient synchronizations since creation (or ``resetTimings()``).
    public private(set) var synchronizationCount = 0
    /// Buckets started from a gradient hook, during backward, since creation (or ``resetTimings()``).
    public private(set) var bucketsStartedDuringBackward = 0

    let buckets: [GradientBucket]
    private var location: [ObjectIdentifier: Int] = [:]
    private var nextToStart = 0
    private let buffers: [Tensor]

    /// Wraps `module`; every rank must call this at the same point.
    ///
    /// - Parameters:
    ///   - module: the model to train data-parallel.
    ///   - group: the processes that train it together.
    ///   - parameters: the parameters whose gradients are averaged (default: the module's
    ///     trainable parameters, in order).
    ///   - bucketCapacityBytes: target bytes per bucket (a parameter is never split; the first
    ///     bucket is kept small, 1 MiB at most, as DDP does, so communication starts early).
    public init(_ module: Module, group: ProcessGroup, parameters: [Tensor]? = nil,
                bucketCapacityBytes: Int = 25 << 20) throws {
        precondition(bucketCapacityBytes > 0, "DataParallel: bucketCapacityBytes must be positive, got \(bucketCapacityBytes)")
        self.module = module
        self.group = group
        self.bucketCapacityBytes = bucketCapacityBytes
        let trainable = parameters ?? module.trainableParameters
        buffers = module.namedBuffers().map { $0.1 }
        for p in module.parameters { try group.broadcast(p, root: 0) }
        for b in buffers { try group.broadcast(b, root: 0) }
        for case let norm as SyncBatchNorm in module.modules { norm.processGroup = group }

        var buckets: [GradientBucket] = []
        var current: [Tensor] = []
        var bytes = 0
        for p in trainable.reversed() {
            current.append(p)
            bytes += p.count * MemoryLayout<Float>.size
            let limit = buckets.isEmpty ? Swift.min(1 << 20, bucketCapacityBytes) : bucketCapacityBytes
            if bytes >= limit {
                buckets.append(GradientBucket(parameters: current))
                current = []
                bytes = 0
            }
        }
        if !current.isEmpty { buckets.append(GradientBucket(parameters: current)) }
        self.buckets = buckets
        for (index, bucket) in buckets.enumerated() {
            for p in bucket.parameters { location[ObjectIdentifier(p)] = index }
        }
        for p in trainable {
            p.postAccumulateGradHook = { [unowned self] tensor in self.gradientReady(tensor) }
        }
    }

    deinit {
        for bucket in buckets { for p in bucket.parameters { p.postAccumulateGradHook = nil } }
    }

    /// The number of buckets and the parameters in each (counts of elements), first bucket first.
    public var bucketSizes: [Int] { buckets.map(\.count) }

    /// Runs the wrapped module; in training mode first broadcasts rank 0's buffers (see
    /// ``broadcastsBuffers``).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        if module.isTraining && broadcastsBuffers { failOnError { try broadcastBuffers() } }
        return module(input)
    }

    /// Sends rank 0's buffers to every rank.
    public func broadcastBuffers() throws {
        for b in buffers { try group.broadcast(b, root: 0) }
    }

    /// Runs `body` (forward and backward passes of micro-batches that do not step) without
    /// reducing gradients, which then accumulate locally, as DDP's `no_sync()`.
    public func withoutSynchronization<R>(_ body: () throws -> R) rethrows -> R {
        let previous = synchronizesGradients
        synchronizesGradients = false
        defer { synchronizesGradients = previous }
        return try body()
    }

    /// Sets whether the next backward pass reduces gradients (the ``Trainer`` switches this per
    /// micro-batch).
    public func setSynchronizesGradients(_ value: Bool) { synchronizesGradients = value }

    /// Finishes the reduction of this backward pass: starts the buckets not yet started, waits for
    /// all of them, and writes the averaged gradients into the parameters' `Tensor.grad`.
    /// Every rank must call it after the same backward pass.
    public func synchronizeGradients() throws {
        let start = Date()
        defer {
            communicationSeconds += Date().timeIntervalSince(start)
            synchronizationCount += 1
        }
        while nextToStart < buckets.count {
            buckets[nextToStart].gather()
            buckets[nextToStart].pending = try group.startAllreduce(buckets[nextToStart].buffer, .sum)
            nextToStart += 1
        }
        let factor = 1 / Float(group.worldSize)
        for bucket in buckets {
            try bucket.pending?.wait()
            bucket.scatter(scale: factor)
            bucket.reset()
        }
        nextToStart = 0
    }

    /// Sets ``communicationSeconds``, ``synchronizationCount`` and ``bucketsStartedDuringBackward`` to 0.
    public func resetTimings() {
        communicationSeconds = 0
        synchronizationCount = 0
        bucketsStartedDuringBackward = 0
    }

    private func gradientReady(_ tensor: Tensor) {
        guard synchronizesGradients, let index = location[ObjectIdentifier(tensor)] else { return }
        buckets[index].readyCount += 1
        failOnError {
            for bucket in buckets[..<nextToStart] { try bucket.pending?.test() }
            while nextToStart < buckets.count && buckets[nextToStart].isReady {
                let bucket = buckets[nextToStart]
                bucket.gather()
                bucket.pending = try group.startAllreduce(bucket.buffer, .sum)
                bucketsStartedDuringBackward += 1
                nextToStart += 1
            }
        }
    }

    /// Runs `body`; an MPI error there (inside a forward or backward pass, which cannot throw) is
    /// printed as one line naming the rank and ends the whole job.
    func failOnError(_ body: () throws -> Void) {
        do { try body() } catch {
            DataParallel.printFailure(error, rank: group.rank)
            group.abort()
        }
    }

    /// Prints `converge: rank R: …` on standard error.
    static func printFailure(_ error: Error, rank: Int) {
        FileHandle.standardError.write(Data("converge: rank \(rank): \(error)\n".utf8))
    }
}
