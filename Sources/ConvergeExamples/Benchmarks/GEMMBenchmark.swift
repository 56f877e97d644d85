import Converge
import Foundation

/// `converge bench gemm`: GFLOP/s of an N×N×N float32 product (alpha 1, beta 0, no transposes)
/// through ``Kernels/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` (the library
/// ``GEMMDispatch`` chose for the shape's class, which the note names) and through the Swift fallback, each the best of several timed runs after
/// one warm-up run. Each product is checked against a float64 dot product at sampled entries.
public enum GEMMBenchmark {
    /// N when `--size` is not given.
    public static let defaultSize = 2048
    /// Timed runs when `--repeats` is not given.
    public static let defaultRepeats = 5

    /// The registry entry.
    public static let benchmark = Benchmark(
        name: "gemm",
        summary: "N×N×N float32 matrix product (default N 2048): system BLAS and Swift fallback, GFLOP/s"
    ) { options, report in
        let size = options.size ?? defaultSize
        let repeats = options.repeats ?? defaultRepeats
        for result in try measure(size: size, repeats: repeats) { report(result) }
    }

    /// Which GEMM to time.
    public enum Path: Sendable {
        /// ``Kernels/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``: the system BLAS if loaded.
        case dispatched
        /// ``Kernels/fallbackGEMM(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
        case fallback
    }

    /// Measures both paths at `size` and returns their results (dispatched first).
    /// - Throws: ``BenchmarkError`` when an option is out of range or a product is wrong.
    public static func measure(size: Int, repeats: Int) throws -> [BenchmarkResult] {
        [try measure(.dispatched, size: size, repeats: repeats),
         try measure(.fallback, size: size, repeats: repeats)]
    }

    /// Measures one path: the best of `repeats` timed runs after a warm-up run.
    /// - Throws: ``BenchmarkError`` when an option is out of range or the product is wrong.
    public static func measure(_ path: Path, size n: Int, repeats: Int) throws -> BenchmarkResult {
        guard n >= 1 else { throw BenchmarkError.invalidOption("--size must be at least 1 (got \(n))") }
        guard repeats >= 1 else { throw BenchmarkError.invalidOption("--repeats must be at least 1 (got \(repeats))") }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }
        let a = (0..<(n * n)).map { _ in next() }
        let b = (0..<(n * n)).map { _ in next() }
        var c = [Float](repeating: 0, count: n * n)
        let times = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    Benchmark.time(repeats: repeats) {
                        switch path {
                        case .dispatched:
                            Kernels.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1,
                                         a: pa.baseAddress!, lda: n, b: pb.baseAddress!, ldb: n,
                                         beta: 0, c: pc.baseAddress!, ldc: n)
                        case .fallback:
                            Kernels.fallbackGEMM(transA: false, transB: false, m: n, n: n, k: n, alpha: 1,
                                                 a: pa.baseAddress!, lda: n, b: pb.baseAddress!, ldb: n,
                                                 beta: 0, c: pc.baseAddress!, ldc: n)
                        }
                    }
                }
            }
        }
        try check(a: a, b: b, c: c, size: n)
        let best = times.min()!
        let gflops = 2 * Double(n) * Double(n) * Double(n) / best * 1e-9
        let runs = repeats == 1 ? "1 run" : "best of \(repeats) runs"
        switch path {
        case .dispatched:
            let dispatch = GEMMDispatch.shared
            let shapeClass = GEMMDispatch.ShapeClass(m: n, n: n, k: n)
            let library = dispatch.describe(dispatch.library(for: shapeClass), shapeClass: shapeClass)
            var result = BenchmarkResult(label: "gemm \(n)", value: gflops, unit: "GFLOP/s",
                                         note: "\(library); \(shapeClass.name) class; \(runs)")
            result.details = dispatch.summary.split(separator: "\n").map(String.init)
            for shapeClass in GEMMDispatch.ShapeClass.allCases {
                let timings = dispatch.measurements.filter { $0.shapeClass == shapeClass }
                    .map { "\($0.candidate) \(String(format: "%.1f", $0.gflops))" }
                if !timings.isEmpty { result.details.append("measured \(shapeClass.name), GFLOP/s: " + timings.joined(separator: ", ")) }
            }
            return result
        case .fallback:
            let threads = Parallel.threadCount == 1 ? "1 thread" : "\(Parallel.threadCount) threads"
            return BenchmarkResult(label: "gemm \(n) fallback", value: gflops, unit: "GFLOP/s",
                                   note: "Swift, \(threads); \(runs)")
        }
    }

    /// Compares 64 sampled entries of C = A·B (all of them when there are at most 64) with
    /// float64 dot products.
    static func check(a: [Float], b: [Float], c: [Float], size n: Int) throws {
        let all = n * n <= 64
        for s in 0..<Swift.min(64, n * n) {
            let index = all ? s : (s &* 2_654_435_761) % (n * n)
            let i = index / n, j = index % n
            var sum = 0.0, scale = 0.0
            for p in 0..<n {
                let term = Double(a[i * n + p]) * Double(b[p * n + j])
                sum += term
                scale += abs(term)
            }
            if !(abs(Double(c[index]) - sum) <= 1e-4 * scale + 1e-6) {
                throw BenchmarkError.wrongResult("gemm \(n): C[\(i), \(j)] = \(c[index]), expected \(sum)")
            }
        }
    }
}
