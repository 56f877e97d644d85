import XCTest
@testable import Converge
@testable import ConvergeExamples

final class TransformerBenchmarkTests: XCTestCase {
    func testRegisteredAndReportsTokensPerSecond() throws {
        XCTAssertNoThrow(try BenchmarkRegistry.benchmark(named: "transformer"))
        let small = GPTConfiguration(vocabularySize: 32, contextLength: 8, modelDimension: 16, headCount: 2, layerCount: 1)
        let result = TransformerBenchmark.measure(stepsPerWindow: 1, repeats: 1, configuration: small, batchSize: 2)
        XCTAssertEqual(result.label, "transformer")
        XCTAssertEqual(result.unit, "tokens/s")
        XCTAssertGreaterThan(result.value, 0)
        XCTAssertTrue(result.description.hasPrefix("transformer: "))
        XCTAssertEqual(TransformerBenchmark.configuration.modelDimension, 256)
        XCTAssertEqual(TransformerBenchmark.configuration.layerCount, 4)
    }
}
