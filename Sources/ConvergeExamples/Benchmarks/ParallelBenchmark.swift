import Converge
import Foundation

/// `converge bench parallel`: the measurement behind ``Parallel``'s thresholds, shown in full:
/// for each probe of ``ParallelCalibration`` (memory-bound `a[i] = a[i]·0.5 + b[i]`, compute-bound
/// `exp`), the best time on one thread and split over ``Parallel/threadCount`` threads at each
/// size, and the threshold that measurement gives; then the thresholds this process uses and
/// where they came from (the cache, the environment, or a measurement).
public enum ParallelBenchmark {
    /// The registry entry.
    public static let benchmark = Benchmark(
        name: "parallel",
        summary: "where splitting elementwise loops over the cores pays: serial vs split time per size (µs), and the thresholds in use"
    ) { options, report in
        let threads = Parallel.threadCount
        let rounds = options.repeats ?? 5
        for probe in [ParallelCalibration.Probe.memoryBound, .compute] {
            let timings = ParallelCalibration.probe(probe, threads: threads, rounds: rounds)
            let threshold = ParallelCalibration.threshold(timings)
            var result = BenchmarkResult(label: "parallel \(probe == .memoryBound ? "memory-bound" : "compute") threshold",
                                         value: Double(threshold), unit: "elements",
                                         note: threshold == ParallelCalibration.never ? "never pays up to \(timings.last?.count ?? 0)" : "\(threads) threads")
            result.details = timings.map {
                String(format: "%8d elements: serial %9.1f µs, split %9.1f µs (%.2f×)", $0.count, $0.serial * 1e6, $0.parallel * 1e6,
                       $0.serial / $0.parallel)
            }
            report(result)
        }
        report(BenchmarkResult(label: "parallel thresholds in use", value: Double(Parallel.memoryBoundThreshold), unit: "elements (memory-bound)",
                               note: "elementwise \(Parallel.elementwiseThreshold); from \(ParallelCalibration.origin)"))
    }
}
