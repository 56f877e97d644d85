import ConvergeCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The processes of one data-parallel job and the collectives between them, on Open MPI's
/// `MPI_COMM_WORLD` (the library is loaded at run time, see ``isAvailable``).
///
/// ```swift
/// let group = try ProcessGroup.world()          // under `mpirun -np 2 …`
/// var values: [Float] = [Float(group.rank)]
/// try group.allreduce(&values, .sum)            // 1.0 on both ranks
/// ```
///
/// Every collective must be called by every rank in the same order, as in MPI. A failing MPI call
/// throws ``DistributedError/callFailed(call:rank:message:)`` naming the call and the rank (the
/// communicator's error handler is `MPI_ERRORS_RETURN`).
public final class ProcessGroup: @unchecked Sendable {
    /// This process's rank, `0..<worldSize`.
    public let rank: Int
    /// The number of processes.
    public let worldSize: Int
    /// The file Open MPI was loaded from.
    public var libraryPath: String { mpi.path }

    let mpi: MPILibrary
    private var comm: MPILibrary.Handle { mpi.commWorld }

    nonisolated(unsafe) private static var shared: ProcessGroup?

    private init(mpi: MPILibrary) throws {
        self.mpi = mpi
        var value: Int32 = 0
        guard mpi.commRank(mpi.commWorld, &value) == 0 else { throw DistributedError.initializationFailed("MPI_Comm_rank failed") }
        rank = Int(value)
        guard mpi.commSize(mpi.commWorld, &value) == 0 else { throw DistributedError.initializationFailed("MPI_Comm_size failed") }
        worldSize = Int(value)
    }

    // MARK: - Environment

    /// Whether Open MPI's library can be loaded on this machine.
    public static var isAvailable: Bool { MPILibrary.isAvailable }

    /// The world size `mpirun` announced in the environment (`OMPI_COMM_WORLD_SIZE`), or nil when
    /// this process was not started by Open MPI's launcher.
    public static var launchedWorldSize: Int? {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"].flatMap { Int($0) }
    }

    /// The rank `mpirun` announced in the environment (`OMPI_COMM_WORLD_RANK`), or nil.
    public static var launchedRank: Int? {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"].flatMap { Int($0) }
    }

    /// The group of every process of the job: initializes MPI on first call (once per process) and
    /// finalizes it when the process exits. Works as a 1-process group when run without `mpirun`.
    public static func world() throws -> ProcessGroup {
        if let shared { return shared }
        let mpi: MPILibrary
        switch MPILibrary.shared {
        case .success(let library): mpi = library
        case .failure(let error): throw error
        }
        var flag: Int32 = 0
        _ = mpi.initialized(&flag)
        if flag == 0 {
            let code = mpi.initialize(nil, nil)
            guard code == 0 else { throw DistributedError.initializationFailed(mpi.message(for: code)) }
            atexit { ProcessGroup.finalizeAtExit() }
        }
        _ = mpi.setErrhandler(mpi.commWorld, mpi.errorsReturn)
        shareCoresAmongLocalRanks()
        let group = try ProcessGroup(mpi: mpi)
        shared = group
        return group
    }

    /// Gives each of the ranks on this host (`OMPI_COMM_WORLD_LOCAL_SIZE`) an equal share of the
    /// cores, so that N ranks with a thread pool each do not oversubscribe the machine:
    /// ``Parallel/threadCount`` (the pool that runs the loops and splits the matrix products)
    /// becomes at most cores / ranks (at least 1), and `OMP_NUM_THREADS` is set to the same share
    /// unless the user set it, for the products oneDNN runs on its own OpenMP team (its runtime
    /// reads it when it is loaded, on the first matrix product).
    static func shareCoresAmongLocalRanks() {
        let environment = ProcessInfo.processInfo.environment
        guard let local = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap({ Int($0) }), local > 1 else { return }
        let share = max(1, Parallel.availableCPUs / local)
        Parallel.threadCount = min(Parallel.threadCount, share)
        if environment["OMP_NUM_THREADS"] == nil { setenv("OMP_NUM_THREADS", String(share), 1) }
    }

    /// The group created by ``world()``, if any (nil before, or in a single-process run).
    public static var current: ProcessGroup? { shared }

    private static func finalizeAtExit() {
        guard case .success(let mpi) = MPILibrary.shared else { return }
        var done: Int32 = 0
        _ = mpi.finalized(&done)
        if done == 0 { _ = mpi.finalize() }
    }

    /// Ends every process of the job (`MPI_Abort`) after this one printed why.
    public func abort(exitCode: Int32 = 1) -> Never {
        _ = mpi.abort(comm, exitCode)
        exit(exitCode)
    }

    func check(_ code: Int32, _ call: String) throws {
        guard code != 0 else { return }
        throw DistributedError.callFailed(call: call, rank: rank, message: mpi.message(for: code))
    }

    // MARK: - Collectives on buffers

    /// Waits until every rank has called it.
    public func barrier() throws {
        try check(mpi.barrier(comm), "MPI_Barrier")
    }

    /// Sends `root`'s elements to every rank (every rank passes a buffer of the same count).
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int = 0) throws {
        try chunks(buffer.count) { offset, count in
            try check(mpi.bcast(buffer.baseAddress! + offset, count, mpi.float, Int32(root), comm), "MPI_Bcast")
        }
    }

    /// Overwrites `tensor`'s elements with `root`'s.
    public func broadcast(_ tensor: Tensor, root: Int = 0) throws {
        try broadcast(tensor.storage.buffer, root: root)
        tensor.storage.markModified()
    }

    /// `root`'s bytes on every rank (other ranks' `bytes` are ignored; sizes may differ).
    public func broadcast(bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        var size = [Int64(bytes.count)]
        try size.withUnsafeMutableBytes { try check(mpi.bcast($0.baseAddress, 1, mpi.int64, Int32(root), comm), "MPI_Bcast") }
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(size[0]))
        try result.withUnsafeMutableBytes { raw in
            try chunks(raw.count) { offset, count in
                try check(mpi.bcast(raw.baseAddress! + offset, count, mpi.byte, Int32(root), comm), "MPI_Bcast")
            }
        }
        return result
    }

    /// Combines `buffer` over every rank in place.
    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {
        guard let base = buffer.baseAddress else { return }
        try chunks(buffer.count) { offset, count in
            try check(mpi.allreduce(mpi.inPlace, base + offset, count, mpi.float, handle(operation), comm), "MPI_Allreduce")
        }
        if operation == .mean { scale(buffer) }
    }

    /// Combines `values` over every rank in place.
    public func allreduce(_ values: inout [Float], _ operation: ReduceOperation) throws {
        try values.withUnsafeMutableBufferPointer { try allreduce($0, operation) }
    }

    /// Combines `tensor`'s elements over every rank in place.
    public func allreduce(_ tensor: Tensor, _ operation: ReduceOperation) throws {
        try allreduce(tensor.storage.buffer, operation)
    }

    /// Starts combining `buffer` over every rank (`MPI_Iallreduce`) and returns at once; the
    /// buffer must stay alive and untouched until ``PendingAllreduce/wait()`` returns.
    public func startAllreduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws -> PendingAllreduce {
        precondition(buffer.count <= Int(Int32.max), "ProcessGroup.startAllreduce: \(buffer.count) elements exceed MPI's count limit")
        let pending = PendingAllreduce(group: self, buffer: buffer, scale: operation == .mean)
        try check(mpi.iallreduce(mpi.inPlace, buffer.baseAddress, Int32(buffer.count), mpi.float, handle(operation), comm,
                                 pending.request), "MPI_Iallreduce")
        return pending
    }

    /// Every rank's `values`, in rank order (ranks may pass different counts).
    public func allgather(_ values: [Float]) throws -> [[Float]] {
        let counts = try allgather(Int64(values.count)).map { Int32(clamping: $0) }
        var offsets = [Int32](repeating: 0, count: worldSize)
        for r in 1..<max(1, worldSize) { offsets[r] = offsets[r - 1] + counts[r - 1] }
        var flat = [Float](repeating: 0, count: Int(counts.reduce(0, +)))
        try values.withUnsafeBufferPointer { send in
            try flat.withUnsafeMutableBufferPointer { receive in
                try check(mpi.allgatherv(send.baseAddress, Int32(values.count), mpi.float, receive.baseAddress,
                                         counts, offsets, mpi.float, comm), "MPI_Allgatherv")
            }
        }
        return (0..<worldSize).map { r in Array(flat[Int(offsets[r])..<Int(offsets[r] + counts[r])]) }
    }

    // MARK: - Small typed values

    /// Combines one number per rank.
    public func allreduce(_ value: Double, _ operation: ReduceOperation) throws -> Double {
        try allreduce([value], operation)[0]
    }

    /// Combines numbers elementwise over ranks.
    public func allreduce(_ values: [Double], _ operation: ReduceOperation) throws -> [Double] {
        var result = values
        try result.withUnsafeMutableBufferPointer { buffer in
            try check(mpi.allreduce(mpi.inPlace, buffer.baseAddress, Int32(buffer.count), mpi.double, handle(operation), comm),
                      "MPI_Allreduce")
        }
        return operation == .mean ? result.map { $0 / Double(worldSize) } : result
    }

    /// Combines one integer per rank (`mean` rounds toward zero).
    public func allreduce(_ value: Int, _ operation: ReduceOperation) throws -> Int {
        var buffer = [Int64(value)]
        try buffer.withUnsafeMutableBytes { raw in
            try check(mpi.allreduce(mpi.inPlace, raw.baseAddress, 1, mpi.int64, handle(operation), comm), "MPI_Allreduce")
        }
        return operation == .mean ? Int(buffer[0]) / worldSize : Int(buffer[0])
    }

    /// Whether `flag` is true on any rank.
    public func any(_ flag: Bool) throws -> Bool { try allreduce(flag ? 1 : 0, .max) == 1 }

    /// Whether `flag` is true on every rank.
    public func all(_ flag: Bool) throws -> Bool { try allreduce(flag ? 1 : 0, .min) == 1 }

    /// Every rank's number, in rank order.
    public func allgather(_ value: Double) throws -> [Double] {
        var result = [Double](repeating: 0, count: worldSize)
        var send = value
        try result.withUnsafeMutableBytes { raw in
            try check(mpi.allgather(&send, 1, mpi.double, raw.baseAddress, 1, mpi.double, comm), "MPI_Allgather")
        }
        return result
    }

    /// Every rank's integer, in rank order.
    public func allgather(_ value: Int64) throws -> [Int64] {
        var result = [Int64](repeating: 0, count: worldSize)
        var send = value
        try result.withUnsafeMutableBytes { raw in
            try check(mpi.allgather(&send, 1, mpi.int64, raw.baseAddress, 1, mpi.int64, comm), "MPI_Allgather")
        }
        return result
    }

    /// Runs `body` on every rank and agrees on the outcome: when any rank throws, the lowest such
    /// rank rethrows its error (so it is printed once, as one process would print it) and the
    /// others throw ``DistributedError/failedOnAnotherRank(rank:)``, which the CLI does not print.
    public func agreeing<T>(_ body: () throws -> T) throws -> T {
        var result: Result<T, Error>
        do { result = .success(try body()) } catch { result = .failure(error) }
        var failing = worldSize
        if case .failure = result { failing = rank }
        let first = try allreduce(failing, .min)
        guard first < worldSize, first != rank else { return try result.get() }
        throw DistributedError.failedOnAnotherRank(rank: first)
    }

    // MARK: - Helpers

    func handle(_ operation: ReduceOperation) -> MPILibrary.Handle {
        switch operation {
        case .sum, .mean: return mpi.sum
        case .max: return mpi.max
        case .min: return mpi.min
        }
    }

    func scale(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let factor = 1 / Float(worldSize)
        for i in buffer.indices { buffer[i] *= factor }
    }

    /// Splits `count` elements into pieces MPI's 32-bit counts can take.
    private func chunks(_ count: Int, _ body: (Int, Int32) throws -> Void) rethrows {
        let limit = Int(Int32.max / 2)
        var offset = 0
        repeat {
            let n = Swift.min(limit, count - offset)
            try body(offset, Int32(n))
            offset += n
        } while offset < count
    }
}

/// A non-blocking allreduce in flight (see ``ProcessGroup/startAllreduce(_:_:)``).
public final class PendingAllreduce {
    let group: ProcessGroup
    let buffer: UnsafeMutableBufferPointer<Float>
    let scaleByWorld: Bool
    let request = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: 1)
    /// Whether the result is in the buffer.
    public private(set) var isComplete = false

    init(group: ProcessGroup, buffer: UnsafeMutableBufferPointer<Float>, scale: Bool) {
        self.group = group
        self.buffer = buffer
        self.scaleByWorld = scale
        request.initialize(to: nil)
    }

    deinit { request.deallocate() }

    /// Lets MPI progress the reduction (`MPI_Test`); returns whether it has finished.
    @discardableResult
    public func test() throws -> Bool {
        if isComplete { return true }
        var flag: Int32 = 0
        try group.check(group.mpi.test(request, &flag, nil), "MPI_Test")
        if flag != 0 { finish() }
        return isComplete
    }

    /// Waits for the reduction to finish (`MPI_Wait`).
    public func wait() throws {
        if isComplete { return }
        try group.check(group.mpi.wait(request, nil), "MPI_Wait")
        finish()
    }

    private func finish() {
        isComplete = true
        if scaleByWorld { group.scale(buffer) }
    }
}
