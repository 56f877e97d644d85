import Foundation
internal import CConvergeKernels

/// Splits loops across cores for large inputs; small inputs run inline with no dispatch cost.
public enum Parallel {
    /// The CPUs this process may run on: the online CPUs, narrowed by its affinity mask (`taskset`,
    /// a container's cpuset) and its cgroup CPU quota (`docker run --cpus`), at least 1.
    public static let availableCPUs = cv_available_cpus()
    /// Number of threads that parallel loops and split matrix products use (defaults to
    /// ``availableCPUs``).
    public static var threadCount = availableCPUs
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
    /// Up to ``chunksPerThread`` consecutive chunks per thread (each at least `threshold / 2`
    /// long, about), on Converge's worker pool (see ``run(_:threads:_:)``): each thread runs its
    /// own share of them first, so on a quiet machine a thread touches the same part of the data
    /// in every pass, and a thread that is held up leaves its later chunks to the others.
    @inline(__always)
    public static func forChunks(_ count: Int, threshold: Int = elementwiseThreshold,
                                 _ body: (Range<Int>) -> Void) {
        let threads = threadCount
        if count < threshold || threads < 2 {
            body(0..<count)
            return
        }
        let perThread = threshold > 1 ? Swift.min(chunksPerThread, Swift.max(1, count / threshold)) : chunksPerThread
        let chunks = Swift.min(count, threads * perThread)
        let size = (count + chunks - 1) / chunks
        run(chunks, threads: threads) { c in
            let start = c * size
            let end = min(count, start + size)
            if start < end { body(start..<end) }
        }
    }

    /// The most chunks ``forChunks(_:threshold:_:)`` gives each thread.
    public static let chunksPerThread = 4

    /// Calls `body(worker)` for every `worker` in `0..<workers`, on up to ``threadCount`` threads
    /// (the calling thread takes part; with more workers than threads, a thread runs several in
    /// turn). Returns when all calls have returned.
    ///
    /// Meant for work that each worker pulls from a shared queue, with per-worker scratch
    /// memory indexed by `worker`.
    @inline(__always)
    public static func forWorkers(_ workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 {
            if workers == 1 { body(0) }
            return
        }
        run(workers, threads: min(workers, threadCount), body)
    }

    /// Calls `body(i)` for every `i` in `0..<count` on up to `threads` threads, and returns when
    /// all calls have returned. The indices are cut into one contiguous share per thread: the
    /// calling thread and the workers of a pool that Converge starts on first use each run their
    /// own share from its start, then take what is left of the others', so a thread that the
    /// scheduler keeps off a core (a busy machine) leaves its work to the others instead of
    /// holding them up.
    ///
    /// An idle worker spins for ``spinMicroseconds`` before it sleeps, so the many short parallel
    /// regions of a training step (split matrix products, elementwise passes) find it awake:
    /// handing work to a spinning thread costs well under a microsecond, waking a sleeping one
    /// 5–50 µs. A call from inside a `body`, or while another thread's call is in flight, runs
    /// inline on the calling thread, so nested parallel loops never deadlock.
    public static func run(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if threads < 2 || count == 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { pointer in
                cv_pool_run(count, threads, { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
                }, pointer)
            }
        }
    }

    /// Starts the pool's workers for `threads` threads and waits until they take part in jobs
    /// (20 jobs in which a worker ran a share, or `timeout` seconds). A thread just created can
    /// wait tens of milliseconds for a core, and meanwhile the calling thread runs every share of
    /// a job itself: a measurement of split work (``ParallelCalibration``, ``GEMMTuner``) made then
    /// would time serial work.
    public static func settleWorkers(threads: Int = threadCount, timeout: Double = 0.2) {
        guard threads >= 2 else { return }
        let caller = pthread_self()
        let helped = UnsafeMutablePointer<Bool>.allocate(capacity: threads)
        defer { helped.deallocate() }
        let start = DispatchTime.now().uptimeNanoseconds
        var jobsWithHelp = 0
        repeat {
            helped.initialize(repeating: false, count: threads)
            run(threads, threads: threads) { c in
                helped[c] = pthread_equal(pthread_self(), caller) == 0
                // 5 µs of work: long enough for a spinning worker to take its own share.
                let begin = DispatchTime.now().uptimeNanoseconds
                while DispatchTime.now().uptimeNanoseconds - begin < 5_000 {}
            }
            if (0..<threads).contains(where: { helped[$0] }) { jobsWithHelp += 1 }
        } while jobsWithHelp < 20 && Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 < timeout
    }

    /// How long an idle pool worker spins before it sleeps, in microseconds (0: it sleeps at
    /// once). `CONVERGE_SPIN_US` sets the starting value; the default is 200.
    public static var spinMicroseconds: Int {
        get { cv_pool_spin_microseconds() }
        set { cv_pool_set_spin_microseconds(newValue) }
    }

    /// Whether the calling thread is running a `body` of ``run(_:threads:_:)`` (where nested
    /// parallel loops and split matrix products run inline).
    public static var isInsideParallelTask: Bool { cv_pool_in_task() != 0 }
}
