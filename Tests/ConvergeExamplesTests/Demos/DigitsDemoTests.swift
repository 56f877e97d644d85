import XCTest
import ConvergeTestSupport
@testable import ConvergeExamples
import Converge

final class DigitsDemoTests: XCTestCase {
    func testSplitsAreFixedAndCoverEveryClass() throws {
        let digits = try DigitsData.load()
        let interleaved = DigitsDemo.split(digits, .interleaved)
        XCTAssertEqual(interleaved.train.count, 1438)
        XCTAssertEqual(interleaved.test.count, 359)
        XCTAssertEqual(Set(interleaved.test.labels.scalars), Set((0..<10).map(Float.init)))
        // Test image k is image 5k + 4 of the file.
        XCTAssertEqual(interleaved.test.features.scalars[0..<64], digits.images.scalars[(4 * 64)..<(5 * 64)])
        let contiguous = DigitsDemo.split(digits, .contiguous)
        XCTAssertEqual(contiguous.train.count, 1437)
        XCTAssertEqual(contiguous.test.count, 360)
    }

    func testModelsHaveTheDocumentedShapes() {
        Random.seed(0)
        let cnn = DigitsDemo.makeCNN()
        XCTAssertEqual(cnn.trainableParameters.reduce(0) { $0 + $1.count }, 38_282)
        XCTAssertEqual(withNoGrad { cnn(Tensor.zeros([3, 1, 8, 8])) }.shape, [3, 10])
        let mlp = DigitsDemo.makeMLP()
        XCTAssertEqual(mlp.trainableParameters.reduce(0) { $0 + $1.count }, 17_226)
        XCTAssertEqual(withNoGrad { mlp(Tensor.zeros([3, 64])) }.shape, [3, 10])
    }

    func testMLPExceedsNinetyPercentAfterAFewEpochs() throws {
        var configuration = DigitsDemo.Configuration()
        configuration.models = [.mlp]
        configuration.mlpEpochs = 3
        let directory = try makeIOTestDirectory()
        let report = try DigitsDemo.run(configuration, output: directory)
        XCTAssertEqual(report.trainCount, 1438)
        XCTAssertEqual(report.testCount, 359)
        let run = try XCTUnwrap(report.runs.first)
        XCTAssertGreaterThan(run.testAccuracy, 0.90)
        XCTAssertEqual(run.testErrors, Int((359 * (1 - run.testAccuracy)).rounded()))
        XCTAssertEqual(run.history.records.count, 3)
        XCTAssertEqual(report.table().rows.count, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("mlp.svg").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("summary.json").path))
    }
}
