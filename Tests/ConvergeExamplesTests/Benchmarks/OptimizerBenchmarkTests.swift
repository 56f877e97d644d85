import XCTest
@testable import ConvergeExamples
import Converge

final class OptimizerBenchmarkTests: XCTestCase {
    /// Both paths run (and the benchmark checks they agree bit for bit); bad options are refused.
    func testBothPathsRunAndAgree() throws {
        XCTAssertTrue(BenchmarkRegistry.names.contains("adamw"))
        let times = try OptimizerBenchmark.measure(shapes: [[40, 9], [9], [70_000]], rounds: 1, steps: 2)
        XCTAssertTrue(times.perTensor > 0 && times.multiTensor > 0, "\(times)")
        XCTAssertThrowsError(try OptimizerBenchmark.measure(shapes: [[2]], rounds: 0)) { error in
            XCTAssertEqual(error as? BenchmarkError, .invalidOption("--repeats must be at least 1 (got 0)"))
        }
    }
}
