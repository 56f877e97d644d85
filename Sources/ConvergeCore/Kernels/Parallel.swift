import Dispatch
import Foundation

/// Splits loops across cores for large inputs; small inputs run inline with no dispatch cost.
public enum Parallel {
    /// Number of worker threads (defaults to the active processor count).
    public static var threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Elements below which elementwise loops of a few nanoseconds per element (`exp`, `tanh`,
    /// divisions) stay on the calling thread. Measured at first use on this machine (and cached;
    /// see ``ParallelCalibration``); `CONVERGE_PARALLEL_THRESHOLD` sets it. (On the 2-core
    /// reference machine, `exp` over 64K elements took 148 µs on two threads against 217 µs on
    /// one.)
    public static var elementwiseThreshold = ParallelCalibration.current.elementwise
    /// Elements below which memory-bound loops of about a nanosecond per element (add, multiply,
    /// copy, ReLU, optimizer updates) stay on the calling thread; pass it as `forChunks`'s
    /// `threshold` for such loops. Measured at first use like ``elementwiseThreshold``. (Waking a
    /// second thread costs 5–10 µs on the 2-core reference machine, so `a[i] = a[i]·0.5 + b[i]`
    /// was faster inline up to 256K elements and broke even near 1M.)
    public static var memoryBoundThreshold = ParallelCalibration.current.memoryBound

    /// Calls `body(range)` over chunks covering `0..<count`, in parallel when `count` is at least
    /// `threshold` and more than one thread is available.
    ///
    /// Uses `DispatchQueue.concurrentPerform`, one chunk per thread. A persistent pool of
    /// condition-variable workers was measured as well and was no faster (the cost is waking a
    /// thread either way), so there is none.
    @inline(__always)
    public static func forChunks(_ count: Int, threshold: Int = elementwiseThreshold,
                                 _ body: (Range<Int>) -> Void) {
        let threads = threadCount
        if count < threshold || threads < 2 {
            body(0..<count)
            return
        }
        let chunks = threads
        let size = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let start = c * size
            let end = min(count, start + size)
            if start < end { body(start..<end) }
        }
    }

    /// Calls `body(worker)` for every `worker` in `0..<workers`, concurrently when `workers` is
    /// more than one (the calling thread takes part). Returns when all calls have returned.
    ///
    /// Meant for work that each worker pulls from a shared queue, with per-worker scratch
    /// memory indexed by `worker`.
    @inline(__always)
    public static func forWorkers(_ workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 {
            if workers == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers, execute: body)
    }
}
