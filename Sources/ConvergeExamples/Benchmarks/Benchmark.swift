import Converge
import Foundation

/// Settings for a benchmark run, usually from `converge bench`'s options. `nil` fields take the
/// benchmark's own defaults.
public struct BenchmarkOptions: Sendable {
    /// The problem size (for `gemm`, N of an N×N×N product).
    public var size: Int?
    /// The number of timed runs after the warm-up run.
    public var repeats: Int?
    /// The batch sizes to measure (for `streamrec`).
    public var batchSizes: [Int]?
    /// The training precision (for `streamrec`: `.bfloat16` trains under bfloat16 autocast).
    public var precision: DType?

    /// Options with the given fields; `nil` keeps each benchmark's default.
    public init(size: Int? = nil, repeats: Int? = nil, batchSizes: [Int]? = nil, precision: DType? = nil) {
        self.size = size
        self.repeats = repeats
        self.batchSizes = batchSizes
        self.precision = precision
    }
}

/// One measured figure, printed as `label: value unit (note)`, for example
/// `gemm 2048: 402.1 GFLOP/s (OpenBLAS 0.3.21, core SkylakeX, 2 threads; best of 5 runs)`.
public struct BenchmarkResult: CustomStringConvertible, Sendable {
    /// What was measured, for example `gemm 2048` or `gemm 2048 fallback`.
    public var label: String
    /// The figure.
    public var value: Double
    /// The figure's unit, for example `GFLOP/s`.
    public var unit: String
    /// How it was measured (library, threads, runs); may be empty.
    public var note: String
    /// Further lines printed under the figure, indented (for example the GEMM library each
    /// matrix shape used); may be empty.
    public var details: [String] = []

    /// A result; `note` may be empty.
    public init(label: String, value: Double, unit: String, note: String = "") {
        self.label = label
        self.value = value
        self.unit = unit
        self.note = note
    }

    /// The one-line form, `label: value unit (note)`, with the value to one decimal.
    public var description: String {
        let figure = "\(label): \(String(format: "%.1f", value)) \(unit)"
        let line = note.isEmpty ? figure : "\(figure) (\(note))"
        return ([line] + details.map { "  " + $0 }).joined(separator: "\n")
    }
}

/// Errors from running benchmarks; each describes itself in one line.
public enum BenchmarkError: Error, CustomStringConvertible, Equatable {
    /// No benchmark has this name.
    case unknownName(String, valid: [String])
    /// An option is out of range.
    case invalidOption(String)
    /// A benchmark's computation gave a wrong result, so its timing means nothing.
    case wrongResult(String)

    /// One line naming the problem.
    public var description: String {
        switch self {
        case .unknownName(let name, let valid):
            return "unknown benchmark '\(name)'; valid names: \(valid.joined(separator: ", "))"
        case .invalidOption(let message): return message
        case .wrongResult(let message): return "wrong result: \(message)"
        }
    }
}

/// A named benchmark: `run` measures and hands each result to `report` as soon as it is known.
public struct Benchmark {
    /// The name `converge bench NAME` selects it by.
    public let name: String
    /// One line for `converge bench --help`.
    public let summary: String
    /// Measures with the given options and reports each result.
    public let run: (_ options: BenchmarkOptions, _ report: (BenchmarkResult) -> Void) throws -> Void

    /// A benchmark with its name, summary and measuring function.
    public init(name: String, summary: String,
                run: @escaping (_ options: BenchmarkOptions, _ report: (BenchmarkResult) -> Void) throws -> Void) {
        self.name = name
        self.summary = summary
        self.run = run
    }

    /// Runs `body` once to warm up, then `repeats` more times, and returns the timed durations
    /// in seconds (monotonic clock), in run order.
    public static func time(repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
        try body()
        return try (0..<Swift.max(1, repeats)).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        }
    }
}

/// The benchmarks `converge bench` knows, in the order `converge bench` (no name) runs them.
///
/// Built-in benchmarks are registered from the start; others add themselves with
/// ``register(_:)`` before the command runs (registration is not thread-safe).
public enum BenchmarkRegistry {
    /// Every registered benchmark, in registration order.
    public private(set) static var all: [Benchmark] = [GEMMBenchmark.benchmark, StreamRecBenchmark.benchmark, MLPBenchmark.benchmark, ConvBenchmark.benchmark, OptimizerBenchmark.benchmark,
                                                        TransformerBenchmark.benchmark, InstrumentBenchmark.benchmark,
                                                        DoctorCorpus.benchmark]

    /// The registered names, in order.
    public static var names: [String] { all.map(\.name) }

    /// Adds `benchmark`, replacing one registered under the same name.
    public static func register(_ benchmark: Benchmark) {
        if let index = all.firstIndex(where: { $0.name == benchmark.name }) {
            all[index] = benchmark
        } else {
            all.append(benchmark)
        }
    }

    /// The benchmark called `name`.
    /// - Throws: ``BenchmarkError/unknownName(_:valid:)`` listing the valid names.
    public static func benchmark(named name: String) throws -> Benchmark {
        guard let found = all.first(where: { $0.name == name }) else {
            throw BenchmarkError.unknownName(name, valid: names)
        }
        return found
    }
}
