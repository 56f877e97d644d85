import XCTest
@testable import ConvergeExamples
import Converge

final class ConvBenchmarkTests: XCTestCase {
    /// Both nets learn their pool of batches (the steps are real training steps), and bad options
    /// are refused with a one-line message.
    func testStepsLearnAndOptionsAreChecked() throws {
        XCTAssertTrue(BenchmarkRegistry.names.contains("conv"))
        for model in ConvBenchmark.Model.allCases {
            let step = ConvBenchmark.makeStep(model, batchSize: 4)
            let losses = try (0..<5).map { _ in try step() }  // the pool has 4 batches: step 5 sees batch 1 again
            XCTAssertTrue(losses.allSatisfy { $0.isFinite && $0 > 0 }, "\(model) \(losses)")
            XCTAssertLessThan(losses[4], losses[0], "\(model): four AdamW steps lower the loss on the first batch")
        }
        XCTAssertThrowsError(try ConvBenchmark.measure(.conv1d, batchSize: 0)) { error in
            XCTAssertEqual(error as? BenchmarkError, .invalidOption("--batch-size must be at least 1 (got 0)"))
        }
        XCTAssertThrowsError(try ConvBenchmark.measure(.digitsCNN, batchSize: 2, windows: 0))
    }

    func testBFloat16StepRuns() throws {
        let seconds = try ConvBenchmark.measure(.digitsCNN, batchSize: 2, windows: 1, warmup: 1, minimumSeconds: 0,
                                                minimumSteps: 1, precision: .bfloat16)
        XCTAssertTrue(seconds.isFinite && seconds > 0, "\(seconds)")
    }
}
