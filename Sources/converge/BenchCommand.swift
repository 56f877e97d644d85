import ArgumentParser
import Converge
import ConvergeExamples
import Foundation

/// `converge bench [NAME] [--size N] [--repeats R]`: runs one registered benchmark, or all of
/// them, and prints one line per result (`gemm 2048: 402.1 GFLOP/s (...)`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run benchmarks (build with -c release).",
        discussion: "Benchmarks: "
            + BenchmarkRegistry.all.map { "\($0.name) — \($0.summary)" }.joined(separator: "; ")
            + ". Each figure is the best of the timed runs; a warm-up run is not timed."
    )

    @Argument(help: "The benchmark to run (default: all of them).")
    var name: String?

    @Option(help: "Problem size (gemm: N of an N×N×N product, default 2048).")
    var size: Int?

    @Option(help: "Timed runs after one warm-up run (default 5); the best is reported.")
    var repeats: Int?

    @Option(name: .customLong("batch-size"), parsing: .upToNextOption,
            help: "Batch sizes (streamrec: default 64 256 1024 4096; repeat the flag or list several).")
    var batchSizes: [Int] = []

    @Option(help: "Training precision (streamrec): float32 (default), bfloat16 (autocast) or float16.")
    var precision: String?

    func run() throws {
        var dtype: DType?
        if let precision {
            guard let value = DType(rawValue: precision) else {
                throw ValidationError("--precision must be float32, bfloat16 or float16 (got '\(precision)')")
            }
            dtype = value
        }
        let selected = try name.map { [try BenchmarkRegistry.benchmark(named: $0)] } ?? BenchmarkRegistry.all
        #if DEBUG
        FileHandle.standardError.write(Data(
            "converge bench: this is a debug build; build with `swift build -c release` for meaningful figures\n".utf8))
        #endif
        let options = BenchmarkOptions(size: size, repeats: repeats, batchSizes: batchSizes.isEmpty ? nil : batchSizes,
                                       precision: dtype)
        for benchmark in selected {
            try benchmark.run(options) { result in
                print(result)
                fflush(stdout)
            }
        }
    }
}
