import Foundation

/// Splitting one matrix product across Converge's worker pool.
///
/// A product `C[m×n] = op(A)·op(B)` is cut into blocks of C's rows (when `m ≥ n`) or columns,
/// one block per thread of ``Parallel/threadCount``, each a multiple of 16 rows or columns. Each
/// block is an ordinary product of the same `k`, multiplied on one thread by a single-threaded
/// library call. Every element of C is computed by the same kernel over the same `k` as
/// unsplit, only on another thread.
///
/// Products below ``minimumSplitWork`` (`m·n·k`), products too narrow to give every thread 16
/// rows or columns, and products inside a task of ``Parallel/run(_:threads:_:)`` (for example
/// attention's per-head workers) run whole on the calling thread.
extension Kernels {
    /// The work `m·n·k` from which a product is split across threads: 64³, the bottom of
    /// ``GEMMDispatch/ShapeClass/small``.
    public static let minimumSplitWork = 262_144

    /// The granule of a split: blocks have a multiple of this many rows or columns.
    static let splitGranule = 16

    /// Calls `multiply(m, n, a, b, c)` once per block of the split described above (concurrently
    /// on the pool), with the block's sizes and its operand and result pointers; or once with the
    /// whole product when it is not split. The operands may be float32 or bfloat16 bit patterns.
    @inline(__always)
    static func splitGEMM<Element, Result>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                           a: UnsafePointer<Element>, lda: Int, b: UnsafePointer<Element>, ldb: Int,
                                           c: UnsafeMutablePointer<Result>, ldc: Int,
                                           _ multiply: (Int, Int, UnsafePointer<Element>, UnsafePointer<Element>, UnsafeMutablePointer<Result>) -> Void) {
        let parts = splitParts(m: m, n: n, k: k)
        if parts < 2 {
            multiply(m, n, a, b, c)
            return
        }
        let byRows = m >= n
        let extent = byRows ? m : n
        let block = (extent + parts - 1) / parts
        let size = (block + splitGranule - 1) / splitGranule * splitGranule
        Parallel.run(parts, threads: parts) { part in
            let start = part * size
            let end = min(extent, start + size)
            guard start < end else { return }
            if byRows {
                multiply(end - start, n, transA ? a + start : a + start * lda, b, c + start * ldc)
            } else {
                multiply(m, end - start, a, transB ? b + start * ldb : b + start, c + start)
            }
        }
    }

    /// How many blocks an m×n×k product is split into (1: not split).
    @inline(__always)
    static func splitParts(m: Int, n: Int, k: Int) -> Int {
        let threads = Parallel.threadCount
        if threads < 2 || Double(m) * Double(n) * Double(k) < Double(minimumSplitWork) || Parallel.isInsideParallelTask {
            return 1
        }
        return min(threads, max(m, n) / splitGranule)
    }
}

extension OneDNN {
    /// `dnnl_sgemm` split across Converge's threads like
    /// ``Kernels/splitGEMM(transA:transB:m:n:k:a:lda:b:ldb:c:ldc:_:)``, each block on one OpenMP
    /// thread (so oneDNN's own OpenMP team never starts and never competes with the pool).
    /// Returns `false` when oneDNN refused a block.
    func splitSGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) -> Bool {
        splitOnOneOpenMPThreadEach(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc,
                                   a: a, b: b, c: c) { m, n, a, b, c in
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// `dnnl_gemm_bf16bf16f32` split across Converge's threads like ``splitSGEMM(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
    func splitGemmBF16(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                       a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int,
                       beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) -> Bool {
        splitOnOneOpenMPThreadEach(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc,
                                   a: a, b: b, c: c) { m, n, a, b, c in
            gemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                     a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// Runs `multiply` on each block of the split, with the calling thread's OpenMP regions
    /// single-threaded; `false` when any block returned `false`.
    private func splitOnOneOpenMPThreadEach<Element>(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int,
        a: UnsafePointer<Element>, b: UnsafePointer<Element>, c: UnsafeMutablePointer<Float>,
        _ multiply: (Int, Int, UnsafePointer<Element>, UnsafePointer<Element>, UnsafeMutablePointer<Float>) -> Bool
    ) -> Bool {
        let failures = Failures()
        Kernels.splitGEMM(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                          c: c, ldc: ldc) { m, n, a, b, c in
            let previous = OpenMPThreads.shared?.singleThreaded()
            if !multiply(m, n, a, b, c) { failures.record() }
            if let previous { OpenMPThreads.shared?.restore(previous) }
        }
        return !failures.any
    }
}

/// Whether any block of a split product failed (set from any thread).
private final class Failures: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()
    func record() { lock.lock(); count += 1; lock.unlock() }
    var any: Bool { lock.lock(); defer { lock.unlock() }; return count > 0 }
}
