import XCTest
@testable import ConvergeExamples
import Converge

final class StreamRecBenchmarkTests: XCTestCase {
    func testRegisteredAndMeasuresPositiveThroughput() throws {
        XCTAssertTrue(BenchmarkRegistry.names.contains("streamrec"))
        let rate = try StreamRecBenchmark.measure(batchSize: 8, windows: 1, warmup: 1, minimumSeconds: 0, minimumSteps: 2)
        XCTAssertTrue(rate.isFinite && rate > 0, "\(rate)")
        var lines: [String] = []
        try BenchmarkRegistry.benchmark(named: "streamrec").run(BenchmarkOptions(repeats: 1, batchSizes: [4])) {
            lines.append($0.description)
        }
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix("streamrec batch 4: ") && lines[0].hasSuffix(" samples/s"), lines[0])
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
