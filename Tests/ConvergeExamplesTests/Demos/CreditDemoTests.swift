import XCTest
import ConvergeTestSupport
@testable import ConvergeExamples
import Converge

final class CreditDemoTests: XCTestCase {
    func testGroupStatistics() {
        // Columns 0 and 1 equal (aligned), columns 2 and 3 opposite (cancelling).
        let weight = Tensor(shape: [2, 4], scalars: [1, 1, 3, -3,
                                                     2, 2, 4, -4])
        let aligned = CreditDemo.groupStatistics(weight: weight, group: [0, 1])
        XCTAssertEqual(aligned.norm, (1 + 1 + 4 + 4 as Double).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(aligned.cancellation, 0, accuracy: 1e-9)
        let opposite = CreditDemo.groupStatistics(weight: weight, group: [2, 3])
        XCTAssertEqual(opposite.norm, 50.0.squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(opposite.cancellation, 1, accuracy: 1e-9)
    }

    func testStrongDecoupledDecayShrinksWeightsAndSteadiesPredictions() throws {
        var configuration = CreditDemo.Configuration()
        configuration.trainSamples = 256
        configuration.validationSamples = 128
        configuration.shiftedSamples = 128
        configuration.hiddenSizes = [16]
        configuration.epochs = 15
        configuration.batchSize = 32
        configuration.learningRate = 1e-2
        configuration.weightDecays = [1]
        let directory = try makeIOTestDirectory()
        let report = try CreditDemo.run(configuration, output: directory)
        XCTAssertEqual(report.runs.map(\.name), ["Adam", "Adam + L2 0.0001", "AdamW 1.0"])
        let (adam, adamW) = (report.runs[0], report.runs[2])
        XCTAssertNil(adam.decayFactor)
        XCTAssertEqual(try XCTUnwrap(adamW.decayFactor), Foundation.exp(-1e-2 * 1 * 120), accuracy: 1e-12)
        for g in 0..<3 { XCTAssertLessThan(adamW.groupNorms[g], adam.groupNorms[g]) }
        XCTAssertLessThan(adamW.parameterNorm, adam.parameterNorm)
        XCTAssertLessThan(adamW.meanPredictionChange, adam.meanPredictionChange)
        for run in report.runs {
            XCTAssertEqual(run.history.records.count, 15)
            XCTAssertTrue(run.validationAUC > 0.5 && run.validationAUC <= 1, "\(run.validationAUC)")
            XCTAssertTrue(run.shiftedLoss.isFinite)
        }
        let table = report.table()
        XCTAssertEqual(table.header.count, 4)
        XCTAssertTrue(table.rows.contains { $0[0] == "validation AUC" })
        XCTAssertTrue(table.rows.contains { $0[0].hasPrefix("mean |Δp|") })
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("summary.json"))) as? [String: Any])
        XCTAssertEqual((json["runs"] as? [Any])?.count, 3)
        for file in ["adam.svg", "adam_l2_0.0001.svg", "adamw_1.0.svg", "adam/history.csv"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), file)
        }
    }

    func testRejectsBadOptions() {
        var configuration = CreditDemo.Configuration()
        configuration.learningRate = 0
        XCTAssertThrowsError(try CreditDemo.run(configuration)) { error in
            XCTAssertTrue("\(error)".contains("learning rate"))
        }
    }
}
