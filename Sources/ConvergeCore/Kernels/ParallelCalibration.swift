import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element counts from which splitting a loop over the cores pays, for the two kinds of loop
/// ``Parallel`` distinguishes.
public struct ParallelThresholds: Codable, Equatable, Sendable {
    /// For loops of about a nanosecond per element that stream memory (add, multiply, copy, ReLU,
    /// an optimizer update): ``Parallel/memoryBoundThreshold``.
    public var memoryBound: Int
    /// For loops of a few nanoseconds per element (`exp`, `tanh`, divisions):
    /// ``Parallel/elementwiseThreshold``.
    public var elementwise: Int

    /// The machine's load (runnable threads, 1-minute average) when they were measured; nil when
    /// not measured or not known.
    public var load: Double?

    /// Creates thresholds.
    public init(memoryBound: Int, elementwise: Int, load: Double? = nil) {
        self.memoryBound = memoryBound
        self.elementwise = elementwise
        self.load = load
    }

    /// Whether they were measured while other work kept the cores busy (load above the thread
    /// count less one half), when a split loop's second thread waits for a core and splitting
    /// looks worse than it is on a quiet machine.
    func measuredBusy(threads: Int) -> Bool { Self.isBusy(load: load, threads: threads) }

    /// Whether `load` keeps `threads` cores busy (above the thread count less one half); an
    /// unknown load counts as busy, so an entry of unknown load is replaced by a quiet measurement.
    static func isBusy(load: Double?, threads: Int) -> Bool { (load ?? .infinity) > Double(threads) - 0.5 }
}

/// Measures, once per machine, where ``Parallel`` starts splitting loops, instead of a constant
/// guessed on one machine.
///
/// The cost of a parallel loop is handing work to the pool's threads (under a microsecond while
/// they spin, 5–50 µs to wake a sleeping one) plus the loop divided by the threads; whether and from which
/// size that beats one core depends on the machine, its load, and how fast the loop is. So at
/// first use two probes are timed on one core and split over ``Parallel/threadCount`` cores, at
/// sizes 4K, 8K, … 4M elements, one size at a time from the smallest, in rounds that alternate
/// serial and parallel, each timed on its second run (best round counts): the memory-bound probe `a[i] = a[i]·0.5 + b[i]` and
/// the compute-bound probe `out[i] = exp(x[i])` (``Kernels/exp(_:)``). A threshold is the smallest
/// size from which the split loop is at least 10% faster at two consecutive sizes; when it never
/// is up to 4M, the loop stays on one core up to ``never``. The whole measurement takes about
/// 0.1 s.
///
/// The result is cached like the GEMM choice (``GEMMTuner``): in ``cacheFile(environment:)``,
/// one entry per machine key (processor model and features, thread count, build configuration),
/// read and written under an exclusive lock on `<file>.lock`. Each entry records the load
/// (`/proc/loadavg`) it was measured under: on a machine whose cores are all busy with other
/// work, the second thread of a split loop waits for a core and splitting looks useless, so an
/// entry measured busy is measured again (and replaced) by the first process that starts on a
/// quiet machine; an entry measured quiet is kept. `CONVERGE_PARALLEL_THRESHOLD=n`
/// sets both thresholds to `n` and measures nothing (`0`: always split; a huge value: never).
///
/// Results never depend on the thresholds: every loop split this way computes each element, row
/// or block exactly as on one thread.
public enum ParallelCalibration {
    /// The threshold recorded when splitting never paid up to the largest size measured.
    public static let never = 1 << 40

    /// Where the thresholds in use came from: `measured`, `cache <file>`, `CONVERGE_PARALLEL_THRESHOLD`
    /// or `one thread`.
    public private(set) static var origin = "not yet resolved"

    /// The thresholds for this process (resolved at first use).
    public static let current: ParallelThresholds = resolve(environment: ProcessInfo.processInfo.environment)

    /// The cache file: `CONVERGE_PARALLEL_CACHE` when set (`none` or `off`: no cache), otherwise
    /// `$XDG_CACHE_HOME/converge/parallel.json` or `~/.cache/converge/parallel.json`.
    public static func cacheFile(environment: [String: String]) -> String? {
        if let value = environment["CONVERGE_PARALLEL_CACHE"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
            return ["none", "off"].contains(value.lowercased()) ? nil : value
        }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/converge/parallel.json" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.cache/converge/parallel.json"
    }

    /// The key of this machine's cache entry.
    static func machineKey(threads: Int) -> String {
        let cpu = CPUFeatures.current
        // "parallel 4": measured on Converge's spinning worker pool (Parallel.run), each way in its
        // steady state.
        var parts = ["parallel 4", "cpu \(cpu.vendor ?? "?") \(cpu.modelName ?? "?") family \(cpu.family ?? -1) model \(cpu.model ?? -1)",
                     "threads \(threads)"]
        #if DEBUG
        parts.append("debug build")
        #else
        parts.append("release build")
        #endif
        return parts.joined(separator: " | ")
    }

    /// The layout of the cache file (``MachineCache`` reads and stores its entries one by one).
    struct CacheFile: Codable {
        var version = 1
        var entries: [String: ParallelThresholds] = [:]
    }

    /// The thresholds from the environment, the cache, or a measurement (then saved); `load` is
    /// the machine's load now (see ``ParallelThresholds/load``).
    static func resolve(environment: [String: String], load: Double? = currentLoad()) -> ParallelThresholds {
        let threads = Parallel.threadCount
        if let text = environment["CONVERGE_PARALLEL_THRESHOLD"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let n = Int(text), n >= 0 {
                origin = "CONVERGE_PARALLEL_THRESHOLD"
                return ParallelThresholds(memoryBound: n, elementwise: n)
            }
            FileHandle.standardError.write(Data("converge: CONVERGE_PARALLEL_THRESHOLD=\(text) is not a non-negative element count; measuring instead\n".utf8))
        }
        if threads < 2 {
            origin = "one thread"
            return ParallelThresholds(memoryBound: never, elementwise: never)
        }
        let key = machineKey(threads: threads)
        guard let path = cacheFile(environment: environment) else {
            origin = "measured"
            return measure(threads: threads)
        }
        let lock = MachineCache.lock(path)
        defer { if let lock { close(lock) } }
        // A busy measurement is replaced once the machine is quiet; otherwise the cache stands.
        if let cached = MachineCache.entry(ParallelThresholds.self, key: key, in: path),
           !(cached.measuredBusy(threads: threads) && !ParallelThresholds.isBusy(load: load, threads: threads)) {
            origin = "cache \(path)"
            return cached
        }
        var measured = measure(threads: threads)
        measured.load = load
        origin = "measured"
        if lock != nil { _ = MachineCache.store(measured, key: key, in: path) }
        return measured
    }

    /// The 1-minute load average (`getloadavg`, `/proc/loadavg` on Linux), or nil where there is none.
    static func currentLoad() -> Double? {
        var loads = [0.0]
        return getloadavg(&loads, 1) == 1 ? loads[0] : nil
    }

    /// One probe's serial and split timings at one size, in seconds (best rounds).
    public struct Timing: Sendable {
        /// Elements.
        public var count: Int
        /// Best time on the calling thread.
        public var serial: Double
        /// Best time split over the threads.
        public var parallel: Double
    }

    /// Measures both thresholds on `threads` threads (see the type's description).
    public static func measure(threads: Int, rounds: Int = 5) -> ParallelThresholds {
        let memory = probe(.memoryBound, threads: threads, rounds: rounds)
        let compute = probe(.compute, threads: threads, rounds: rounds)
        return ParallelThresholds(memoryBound: threshold(memory), elementwise: threshold(compute))
    }

    /// The two probe loops.
    public enum Probe: Sendable { case memoryBound, compute }

    /// The smallest size from which the split loop is at least 10% faster at two consecutive
    /// sizes (``never`` if there is none).
    public static func threshold(_ timings: [Timing]) -> Int {
        var run = 0
        for (i, t) in timings.enumerated() {
            run = t.parallel < 0.9 * t.serial ? run + 1 : 0
            if run == 2 { return timings[i - 1].count }
        }
        return never
    }

    /// Times `probe` at 4K, 8K, … elements until splitting has paid at two consecutive sizes
    /// (or up to `maxCount`).
    public static func probe(_ probe: Probe, threads: Int, rounds: Int = 5, maxCount: Int = 1 << 22) -> [Timing] {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: maxCount)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: maxCount)
        defer { a.deallocate(); b.deallocate() }
        for i in 0..<maxCount {
            a[i] = Float(i % 1000) * 1e-3
            b[i] = Float(i % 7) * 0.25 - 0.5
        }
        func body(_ r: Range<Int>) {
            switch probe {
            case .memoryBound: for i in r { a[i] = a[i] * 0.5 + b[i] }
            case .compute: for i in r { a[i] = Kernels.exp(b[i]) }
            }
        }
        func split(_ n: Int) {
            let size = (n + threads - 1) / threads
            Parallel.run(threads, threads: threads) { c in
                let start = c * size
                let end = min(n, start + size)
                if start < end { body(start..<end) }
            }
        }
        func seconds(_ work: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            work()
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        }
        Parallel.settleWorkers(threads: threads)   // a split loop timed before the workers run is a serial one
        var timings: [Timing] = []
        var n = 1 << 12
        var wins = 0
        while n <= maxCount {
            var serial = Double.infinity, parallel = Double.infinity
            // Each way is timed on its second run, in its own steady state: a chain of split
            // loops finds each half in the cache of the core that wrote it, where the first split
            // run after a serial one would pull half of the data across from the other core.
            for _ in 0..<rounds {
                body(0..<n)
                serial = min(serial, seconds { body(0..<n) })
                split(n)
                parallel = min(parallel, seconds { split(n) })
            }
            timings.append(Timing(count: n, serial: serial, parallel: parallel))
            wins = parallel < 0.9 * serial ? wins + 1 : 0
            if wins == 2 { break }
            n *= 2
        }
        return timings
    }
}
