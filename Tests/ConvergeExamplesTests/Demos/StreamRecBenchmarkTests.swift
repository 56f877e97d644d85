import XCTest
@testable import ConvergeExamples
import Converge

final class StreamRecBenchmarkTests: XCTestCase {
    func testRegisteredAndMeasuresPositiveThroughput() throws {
        XCTAssertTrue(BenchmarkRegistry.names.contains("streamrec"))
        let rate = try StreamRecBenchmark.measure(batchSize: 8, windows: 1, warmup: 1, minimumSeconds: 0, minimumSteps: 2)
        XCTAssertTrue(rate.isFinite && rate > 0, "\(rate)")
        var results: [BenchmarkResult] = []
        try BenchmarkRegistry.benchmark(named: "streamrec").run(BenchmarkOptions(repeats: 1, batchSizes: [4])) {
            results.append($0)
        }
        XCTAssertEqual(results.count, 1)
        let line = results[0].description.components(separatedBy: "\n")[0]
        XCTAssertTrue(line.hasPrefix("streamrec batch 4: ") && line.hasSuffix(" samples per CPU-second)"), line)
        // Forward and backward of the five linear layers: 4×128×256 NT (the first forward) among them.
        let details = results[0].details
        let gemms = details.filter { $0.hasPrefix("GEMM ") }
        XCTAssertEqual(gemms.count, details.count - 1, "\(details)")
        XCTAssertTrue(gemms.contains { $0.hasPrefix("GEMM 4×256×128 NT: ") }, "\(gemms)")
        // The last detail is the step's peak tensor memory, a positive number of MB.
        let memory = try XCTUnwrap(details.last)
        XCTAssertTrue(memory.hasPrefix("peak tensor memory of a step: "), memory)
        let megabytes = Double(memory.dropFirst("peak tensor memory of a step: ".count).prefix { $0 != " " })
        XCTAssertGreaterThan(try XCTUnwrap(megabytes), 0)
    }

    func testStepsGiveFiniteLossesAndOptionsAreChecked() throws {
        let step = try StreamRecBenchmark.makeStep(batchSize: 4)
        let losses = try (0..<3).map { _ in try step() }
        XCTAssertTrue(losses.allSatisfy { $0.isFinite && $0 > 0 }, "\(losses)")
        XCTAssertThrowsError(try StreamRecBenchmark.measure(batchSize: 1)) { error in
            XCTAssertEqual(error as? BenchmarkError, .invalidOption("--batch-size must be at least 2 (got 1)"))
        }
        XCTAssertThrowsError(try StreamRecBenchmark.measure(batchSize: 4, windows: 0))
    }
}
