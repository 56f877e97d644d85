import Foundation

/// A reference-counted, contiguous buffer backing one or more tensors: `Float` (float32)
/// elements, or 16-bit bfloat16 / float16 elements (``elementType``) for low-precision activations.
///
/// A 16-bit storage holds 2 bytes per element. Kernels that understand it read
/// ``halfPrecisionBits`` directly (the bfloat16 GEMM, the fused normalization kernels); every
/// other kernel reads ``pointer``, which converts the elements to float32 once, on first use,
/// and from then on the storage *is* float32 (the 16-bit copy is released), so a write through
/// ``pointer`` can never leave a stale 16-bit copy behind.
///
/// Buffers are recycled through ``BufferPool`` so a steady training loop, which allocates the same
/// sizes every step, stops calling `malloc` after its first iteration.
public final class TensorStorage {
    /// Number of elements.
    public let count: Int
    /// The float32 buffer, `nil` while the elements are held in 16 bits only.
    private var floatPointer: UnsafeMutablePointer<Float>?
    private var floatCapacity: Int
    /// The 16-bit buffer (raw pool memory bound to `UInt16`), `nil` for float32 storage.
    private var halfPointer: UnsafeMutablePointer<UInt16>?
    private var halfCapacity: Int
    /// The element type held now: `.float32`, or `.bfloat16` / `.float16` until ``pointer`` is
    /// first read.
    public private(set) var elementType: DType
    /// A count of the writes made to the elements through the tensor API (`Tensor.assign`,
    /// `fill`, `withUnsafeMutableBufferPointer`, the optimizers' steps), like PyTorch's `_version`:
    /// values derived from the elements and kept (autocast's bfloat16 weight copies) are valid only
    /// while it is unchanged. Code that writes a parameter through ``pointer`` calls ``markModified()``.
    public private(set) var version: UInt64 = 0

    /// Records a write to the elements (advances ``version``).
    @inline(__always)
    public func markModified() { version &+= 1 }

    /// Allocates `count` uninitialized float32 elements (from the pool when possible).
    @inline(__always)
    public init(uninitializedCount count: Int) {
        self.count = count
        let (pointer, capacity) = BufferPool.shared.take(count)
        floatPointer = pointer
        floatCapacity = capacity
        halfPointer = nil
        halfCapacity = 0
        elementType = .float32
    }

    /// Allocates `count` uninitialized 16-bit elements of `elementType` (`.bfloat16` or
    /// `.float16`; `.float32` allocates float32 storage).
    public init(uninitializedCount count: Int, elementType: DType) {
        self.count = count
        self.elementType = elementType
        if elementType == .float32 {
            let (pointer, capacity) = BufferPool.shared.take(count)
            floatPointer = pointer
            floatCapacity = capacity
            halfPointer = nil
            halfCapacity = 0
        } else {
            let (raw, capacity) = BufferPool.shared.take((count + 1) / 2)
            floatPointer = nil
            floatCapacity = 0
            halfPointer = UnsafeMutableRawPointer(raw).bindMemory(to: UInt16.self, capacity: capacity * 2)
            halfCapacity = capacity
        }
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

    deinit {
        if let floatPointer { BufferPool.shared.give(floatPointer, capacity: floatCapacity) }
        if let halfPointer { Self.giveHalf(halfPointer, capacity: halfCapacity) }
    }

    private static func giveHalf(_ pointer: UnsafeMutablePointer<UInt16>, capacity: Int) {
        // Rebind before the buffer goes back to the float pool.
        let floats = UnsafeMutableRawPointer(pointer).bindMemory(to: Float.self, capacity: capacity)
        BufferPool.shared.give(floats, capacity: capacity)
    }

    /// The first element as float32. For 16-bit storage the first read converts the elements to
    /// float32 and turns this storage into float32 storage (see the type's description).
    public var pointer: UnsafeMutablePointer<Float> {
        @inline(__always) get {
            if let floatPointer { return floatPointer }
            return materializeFloat32()
        }
    }

    /// Whether the elements are held in 16 bits (``halfPrecisionBits`` is not `nil`).
    @inline(__always)
    public var isHalfPrecision: Bool { halfPointer != nil }

    /// The 16-bit element patterns while the storage holds ``elementType`` `.bfloat16` or
    /// `.float16`; `nil` for float32 storage.
    @inline(__always)
    public var halfPrecisionBits: UnsafeMutablePointer<UInt16>? { halfPointer }

    /// The bfloat16 patterns when the storage holds bfloat16, else `nil`.
    @inline(__always)
    public var bfloat16Bits: UnsafeMutablePointer<UInt16>? { elementType == .bfloat16 ? halfPointer : nil }

    private static let materializeLock = NSLock()

    private func materializeFloat32() -> UnsafeMutablePointer<Float> {
        Self.materializeLock.lock()
        defer { Self.materializeLock.unlock() }
        if let floatPointer { return floatPointer }
        let (pointer, capacity) = BufferPool.shared.take(count)
        if let halfPointer {
            if elementType == .bfloat16 {
                Kernels.convertFromBFloat16(halfPointer, pointer, count: count)
            } else {
                Kernels.convertFromFloat16Bits(halfPointer, pointer, count: count)
            }
            Self.giveHalf(halfPointer, capacity: halfCapacity)
        }
        halfPointer = nil
        halfCapacity = 0
        floatPointer = pointer
        floatCapacity = capacity
        elementType = .float32
        return pointer
    }

    /// The elements as a float32 buffer (see ``pointer``).
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    /// The bytes the elements occupy now: 4 per element for float32, 2 for 16-bit storage.
    public var byteCount: Int { count * (isHalfPrecision ? 2 : 4) }

    /// A new storage holding a copy of these elements, in the same element type.
    public func copy() -> TensorStorage {
        if let halfPointer {
            let result = TensorStorage(uninitializedCount: count, elementType: elementType)
            result.halfPointer!.update(from: halfPointer, count: count)
            return result
        }
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
    /// Bytes of pool buffers handed out and not yet given back (live tensor memory, counted by
    /// size class).
    public private(set) var bytesInUse = 0
    /// The largest ``bytesInUse`` since the last ``resetPeakBytesInUse()``.
    public private(set) var peakBytesInUse = 0

    /// Starts a new ``peakBytesInUse`` measurement from the memory in use now.
    public func resetPeakBytesInUse() {
        lock.lock()
        peakBytesInUse = bytesInUse
        lock.unlock()
    }

    /// The capacity a request for `count` elements gets: a power of two, at least 16.
    static func sizeClass(_ count: Int) -> Int {
        count <= 16 ? 16 : 1 << (Int.bitWidth - (count - 1).leadingZeroBitCount)
    }

    func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int) {
        let capacity = Self.sizeClass(count)
        let slot = capacity.trailingZeroBitCount
        lock.lock()
        bytesInUse += capacity * 4
        if bytesInUse > peakBytesInUse { peakBytesInUse = bytesInUse }
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
        bytesInUse -= capacity * 4
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
