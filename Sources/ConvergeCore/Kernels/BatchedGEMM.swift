import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the matrices of a batch lie in one buffer: item `i` of `outer · inner` items is
/// `(i / inner, i % inner)` and starts at `base + (i / inner) · outerStride + (i % inner) · innerStride`;
/// its rows are `rowStride` floats apart.
///
/// Attention heads are such a batch: for a packed projection `[B, T, 3E]` the queries of head `h`
/// of sequence `b` start at `b · T · 3E + h · E/H` with rows `3E` apart, so heads are read and
/// written in place, with no split or merge copies.
public struct MatrixBatchLayout: Sendable {
    /// Items per outer index (for attention: the heads).
    public var inner: Int
    /// Floats between consecutive outer indices (for attention: sequences).
    public var outerStride: Int
    /// Floats between consecutive inner indices.
    public var innerStride: Int
    /// Floats between consecutive rows of one matrix.
    public var rowStride: Int

    /// A layout; `inner` must be positive.
    public init(inner: Int = 1, outerStride: Int, innerStride: Int = 0, rowStride: Int) {
        precondition(inner > 0, "MatrixBatchLayout: inner must be positive, got \(inner)")
        self.inner = inner
        self.outerStride = outerStride
        self.innerStride = innerStride
        self.rowStride = rowStride
    }

    /// Contiguous `rows × columns` matrices one after the other.
    public static func contiguous(rows: Int, columns: Int) -> MatrixBatchLayout {
        MatrixBatchLayout(outerStride: rows * columns, rowStride: columns)
    }

    /// The offset of item `i`'s first element.
    @inline(__always)
    public func offset(_ i: Int) -> Int { (i / inner) * outerStride + (i % inner) * innerStride }
}

extension Kernels {
    /// Calls `body(item, worker)` for every item in `0..<count`, spread over up to
    /// ``Parallel/threadCount`` workers (contiguous ranges, the calling thread takes part), and
    /// makes every ``singleThreadedGEMM(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:worker:)``
    /// inside run on its worker's thread alone: many small products side by side instead of one
    /// small product split across threads. `worker` indexes per-worker scratch memory.
    /// With `parallel` false every item runs on the calling thread (worker 0), in order.
    public static func forEachBatchItem(_ count: Int, parallel: Bool = true, _ body: (_ item: Int, _ worker: Int) -> Void) {
        forEachBatchRange(count, parallel: parallel) { range, worker in
            for i in range { body(i, worker) }
        }
    }

    /// ``forEachBatchItem(_:parallel:_:)`` with one call per worker: `body(items, worker)` gets the
    /// worker's contiguous range of items (so it can set up scratch memory once).
    public static func forEachBatchRange(_ count: Int, parallel: Bool = true,
                                         _ body: (_ items: Range<Int>, _ worker: Int) -> Void) {
        let workers = parallel ? Swift.min(batchWorkerCount, count) : 1
        if workers <= 1 {
            if count > 0 { body(0..<count, 0) }
            return
        }
        let size = (count + workers - 1) / workers
        Parallel.forWorkers(workers) { w in
            let start = w * size, end = Swift.min(count, start + size)
            guard start < end else { return }
            let threads = OpenMPThreads.shared
            let previous = threads?.singleThreaded()
            defer { if let previous { threads?.restore(previous) } }
            body(start..<end, w)
        }
    }

    /// The number of workers ``forEachBatchItem(_:parallel:_:)`` uses: ``Parallel/threadCount``
    /// when products can run single-threaded side by side (oneDNN and its OpenMP runtime are
    /// loaded), else 1 (a multithreaded library called from several threads at once would
    /// oversubscribe the cores).
    public static var batchWorkerCount: Int {
        OpenMPThreads.shared != nil && BatchedGEMMLibrary.oneDNN != nil ? Parallel.threadCount : 1
    }

    /// Scratch for one worker of ``forEachBatchItem(_:parallel:_:)``: the bfloat16 operand copies of
    /// ``singleThreadedGEMM(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:worker:)``.
    static let batchScratch = BatchScratch()

    /// `C = alpha · op(A) · op(B) + beta · C` (the arguments of
    /// ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``, in the precision
    /// ``gemmPrecision`` names) for use inside ``forEachBatchItem(_:parallel:_:)``: oneDNN on the
    /// calling thread alone. `worker` is the worker index `forEachBatchItem` passed. Without
    /// oneDNN it is ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` (then
    /// `forEachBatchItem` runs on one thread).
    public static func singleThreadedGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, worker: Int) {
        checkGEMMArguments(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        guard m > 0, n > 0, k > 0, let library = BatchedGEMMLibrary.oneDNN else {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c, ldc: ldc)
            return
        }
        if gemmPrecision == .bfloat16 && hasNativeBFloat16GEMM {
            let aRows = transA ? k : m, aColumns = transA ? m : k
            let bRows = transB ? n : k, bColumns = transB ? k : n
            let (pa, pb) = batchScratch.buffers(worker: worker, aRows * aColumns, bRows * bColumns)
            packBFloat16(a, rows: aRows, columns: aColumns, ld: lda, into: pa)
            packBFloat16(b, rows: bRows, columns: bColumns, ld: ldb, into: pb)
            if library.gemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: pa, lda: aColumns,
                                b: pb, ldb: bColumns, beta: beta, c: c, ldc: ldc) { return }
        } else if gemmPrecision == .float32,
                  library.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc) {
            return
        }
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
             beta: beta, c: c, ldc: ldc)
    }

    /// `C_i = alpha · op(A_i) · op(B_i) + beta · C_i` for `count` items laid out as `aLayout`,
    /// `bLayout` and `cLayout` say (for example every head of a multi-head attention), the items
    /// spread over workers as in ``forEachBatchItem(_:parallel:_:)``.
    public static func batchedGEMM(count: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                   a: UnsafePointer<Float>, aLayout: MatrixBatchLayout,
                                   b: UnsafePointer<Float>, bLayout: MatrixBatchLayout, beta: Float,
                                   c: UnsafeMutablePointer<Float>, cLayout: MatrixBatchLayout) {
        forEachBatchItem(count) { i, w in
            singleThreadedGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                               a: a + aLayout.offset(i), lda: aLayout.rowStride, b: b + bLayout.offset(i),
                               ldb: bLayout.rowStride, beta: beta, c: c + cLayout.offset(i), ldc: cLayout.rowStride,
                               worker: w)
        }
    }
}

/// The oneDNN the batched products use: the one ``GEMMDispatch`` loaded (so `CONVERGE_BLAS`
/// naming another library, or `none`, keeps it out), or for bfloat16 products the one
/// ``Kernels/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` uses.
enum BatchedGEMMLibrary {
    static var oneDNN: OneDNN? {
        if let library = GEMMDispatch.shared.oneDNN { return library }
        return Kernels.gemmPrecision == .bfloat16 ? OneDNN.shared : nil
    }
}

/// Per-worker bfloat16 operand buffers, grown on demand and kept for the process.
final class BatchScratch: @unchecked Sendable {
    private var buffers: [(a: UnsafeMutablePointer<UInt16>, aCount: Int, b: UnsafeMutablePointer<UInt16>, bCount: Int)?] = []
    private let lock = NSLock()

    /// Buffers of at least `aCount` and `bCount` elements for `worker` (only that worker may use them
    /// until it asks again).
    func buffers(worker: Int, _ aCount: Int, _ bCount: Int) -> (UnsafeMutablePointer<UInt16>, UnsafeMutablePointer<UInt16>) {
        lock.lock()
        defer { lock.unlock() }
        while buffers.count <= worker { buffers.append(nil) }
        var entry = buffers[worker] ?? (UnsafeMutablePointer<UInt16>.allocate(capacity: 1), 1,
                                        UnsafeMutablePointer<UInt16>.allocate(capacity: 1), 1)
        if entry.aCount < aCount {
            entry.a.deallocate()
            entry.a = .allocate(capacity: aCount)
            entry.aCount = aCount
        }
        if entry.bCount < bCount {
            entry.b.deallocate()
            entry.b = .allocate(capacity: bCount)
            entry.bCount = bCount
        }
        buffers[worker] = entry
        return (entry.a, entry.b)
    }
}
