import XCTest
@testable import ConvergeExamples
import Converge

final class BenchmarkTests: XCTestCase {
    func testResultLineFormat() {
        let result = BenchmarkResult(label: "gemm 2048", value: 402.14, unit: "GFLOP/s", note: "OpenBLAS 0.3.21")
        XCTAssertEqual(result.description, "gemm 2048: 402.1 GFLOP/s (OpenBLAS 0.3.21)")
        XCTAssertEqual(BenchmarkResult(label: "x", value: 2, unit: "ms").description, "x: 2.0 ms")
        var detailed = BenchmarkResult(label: "x", value: 2, unit: "ms")
        detailed.details = ["a", "b"]
        XCTAssertEqual(detailed.description, "x: 2.0 ms\n  a\n  b")
    }

    func testRegistryHasGEMMAndRejectsUnknownNamesInOneLine() throws {
        XCTAssertEqual(try BenchmarkRegistry.benchmark(named: "gemm").name, "gemm")
        XCTAssertThrowsError(try BenchmarkRegistry.benchmark(named: "gemmm")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("unknown benchmark 'gemmm'; valid names: gemm"), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }

    func testRegisterAddsAndReplacesByName() throws {
        BenchmarkRegistry.register(Benchmark(name: "test-only", summary: "first") { _, report in
            report(BenchmarkResult(label: "test-only", value: 1, unit: "x"))
        })
        BenchmarkRegistry.register(Benchmark(name: "test-only", summary: "second") { options, report in
            report(BenchmarkResult(label: "test-only", value: Double(options.size ?? 0), unit: "x"))
        })
        XCTAssertEqual(BenchmarkRegistry.names.filter { $0 == "test-only" }.count, 1)
        let benchmark = try BenchmarkRegistry.benchmark(named: "test-only")
        XCTAssertEqual(benchmark.summary, "second")
        var results: [BenchmarkResult] = []
        try benchmark.run(BenchmarkOptions(size: 7)) { results.append($0) }
        XCTAssertEqual(results.map(\.value), [7])
    }

    func testGEMMBenchmarkReportsBothPaths() throws {
        var lines: [String] = []
        var details: [String] = []
        try BenchmarkRegistry.benchmark(named: "gemm").run(BenchmarkOptions(size: 24, repeats: 2)) {
            lines.append($0.description.components(separatedBy: "\n")[0])
            details += $0.details
        }
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].hasPrefix("gemm 24: "), lines[0])
        XCTAssertTrue(lines[0].contains(" GFLOP/s ("), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("; tiny class; best of 2 runs)"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("gemm 24 fallback: "), lines[1])
        // The per-class choice is listed under the figure.
        for shapeClass in ["tiny", "small", "medium", "large"] {
            XCTAssertTrue(details.contains { $0.hasPrefix(shapeClass + " (") }, "\(details)")
        }
        XCTAssertTrue(details.contains { $0.hasPrefix("chosen: ") }, "\(details)")
    }

    func testGEMMBenchmarkRejectsBadOptions() {
        XCTAssertThrowsError(try GEMMBenchmark.measure(.fallback, size: 0, repeats: 1)) { error in
            XCTAssertEqual(error as? BenchmarkError, .invalidOption("--size must be at least 1 (got 0)"))
        }
        XCTAssertThrowsError(try GEMMBenchmark.measure(.fallback, size: 4, repeats: 0))
    }

    func testGEMMCheckCatchesAWrongProduct() throws {
        let n = 3
        let a: [Float] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
        let b: [Float] = (0..<9).map(Float.init)
        XCTAssertNoThrow(try GEMMBenchmark.check(a: a, b: b, c: b, size: n))
        var wrong = b
        wrong[4] += 1
        XCTAssertThrowsError(try GEMMBenchmark.check(a: a, b: b, c: wrong, size: n))
    }

    func testTimeRunsWarmUpPlusRepeats() {
        var calls = 0
        let times = Benchmark.time(repeats: 3) { calls += 1 }
        XCTAssertEqual(calls, 4)
        XCTAssertEqual(times.count, 3)
        XCTAssertTrue(times.allSatisfy { $0 >= 0 })
    }
}
