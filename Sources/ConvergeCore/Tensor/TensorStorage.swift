import Foundation

/// A reference-counted, contiguous buffer of `Float` values backing one or more tensors.
///
/// Buffers are recycled through ``BufferPool`` so a steady training loop, which allocates the same
/// sizes every step, stops calling `malloc` after its first iteration.
public final class TensorStorage {
    /// The first element.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int
    private let capacity: Int

    /// Allocates `count` uninitialized elements (from the pool when possible).
    @inline(__always)
    public init(uninitializedCount count: Int) {
        self.count = count
        let (pointer, capacity) = BufferPool.shared.take(count)
        self.pointer = pointer
        self.capacity = capacity
    }

    /// Allocates `count` elements set to `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: value, count: count)
    }

    /// Allocates a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit { BufferPool.shared.give(pointer, capacity: capacity) }

    /// The elements as a buffer.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    /// A new storage holding a copy of these elements.
    public func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.pointer.update(from: pointer, count: count)
        return result
    }
}

/// Free lists of float buffers keyed by rounded-up capacity.
///
/// Capacities are rounded up to a power of two (at least 16), so a buffer is reused by any request
/// of the same size class. The pool keeps at most ``maxPooledBytes`` of idle memory.
public final class BufferPool: @unchecked Sendable {
    /// The process-wide pool.
    public static let shared = BufferPool()
    /// Upper bound on idle memory held by the pool.
    public var maxPooledBytes = 512 << 20

    /// Idle buffers per size class, indexed by log2(capacity).
    private var free = [[UnsafeMutablePointer<Float>]](repeating: [], count: 64)
    private var pooledBytes = 0
    private let lock = NSLock()
    /// Number of fresh allocations made (for tests and benchmarks).
    public private(set) var allocationCount = 0

    /// The capacity a request for `count` elements gets: a power of two, at least 16.
    static func sizeClass(_ count: Int) -> Int {
        count <= 16 ? 16 : 1 << (Int.bitWidth - (count - 1).leadingZeroBitCount)
    }

    func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int) {
        let capacity = Self.sizeClass(count)
        let slot = capacity.trailingZeroBitCount
        lock.lock()
        if let p = free[slot].popLast() {
            pooledBytes -= capacity * 4
            lock.unlock()
            return (p, capacity)
        }
        allocationCount += 1
        lock.unlock()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64)
        return (raw.bindMemory(to: Float.self, capacity: capacity), capacity)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        lock.lock()
        if pooledBytes + capacity * 4 <= maxPooledBytes {
            free[capacity.trailingZeroBitCount].append(pointer)
            pooledBytes += capacity * 4
            lock.unlock()
        } else {
            lock.unlock()
            UnsafeMutableRawPointer(pointer).deallocate()
        }
    }

    /// Releases every idle buffer.
    public func drain() {
        lock.lock()
        for slot in free.indices {
            for p in free[slot] { UnsafeMutableRawPointer(p).deallocate() }
            free[slot].removeAll()
        }
        pooledBytes = 0
        lock.unlock()
    }
}
