import XCTest
@testable import ConvergeExamples
import Converge

final class MLPBenchmarkTests: XCTestCase {
    func testStepsLearnAndOptionsAreChecked() throws {
        XCTAssertTrue(BenchmarkRegistry.names.contains("mlp"))
        let step = MLPBenchmark.makeStep(batchSize: 4)
        let losses = try (0..<5).map { _ in try step() }  // the pool has 4 batches: step 5 sees batch 1 again
        XCTAssertTrue(losses.allSatisfy { $0.isFinite && $0 > 0 }, "\(losses)")
        XCTAssertLessThan(losses[4], losses[0], "four AdamW steps lower the loss on the first batch")
        XCTAssertThrowsError(try MLPBenchmark.measure(batchSize: 0)) { error in
            XCTAssertEqual(error as? BenchmarkError, .invalidOption("--batch-size must be at least 1 (got 0)"))
        }
        XCTAssertThrowsError(try MLPBenchmark.measure(batchSize: 4, windows: 0))
    }

    func testBFloat16StepRuns() throws {
        let rate = try MLPBenchmark.measure(batchSize: 2, windows: 1, warmup: 1, minimumSeconds: 0, minimumSteps: 1,
                                            precision: .bfloat16)
        XCTAssertTrue(rate.isFinite && rate > 0, "\(rate)")
    }
}
