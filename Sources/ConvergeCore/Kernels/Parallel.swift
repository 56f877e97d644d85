import Dispatch
import Foundation

/// Splits loops across cores for large inputs; small inputs run inline with no dispatch cost.
public enum Parallel {
    /// Number of worker threads (defaults to the active processor count).
    public static var threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Elements below which elementwise loops stay on the calling thread.
    public static var elementwiseThreshold = 1 << 16

    /// Calls `body(range)` over chunks covering `0..<count`, in parallel when `count` is at least
    /// `threshold` and more than one thread is available.
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
