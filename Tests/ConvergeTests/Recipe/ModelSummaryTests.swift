import XCTest
@testable import Converge

final class ModelSummaryTests: XCTestCase {
    func testRowsShapesAndParameterCounts() {
        Random.seed(0)
        let model = Sequential {
            Conv1d(1, 4, kernelSize: 3); ReLU(); Flatten()
            Linear(24, 10); BatchNorm(10); Linear(10, 1)
        }
        model.train()
        let before = model.stateDict().map { $0.1.scalars }
        let summary = ModelSummary(model, inputShape: [1, 8])
        XCTAssertEqual(summary.rows.map(\.type), ["Conv1d", "ReLU", "Flatten", "Linear", "BatchNorm", "Linear"])
        XCTAssertEqual(summary.rows.map(\.outputShape), [[4, 6], [4, 6], [24], [10], [10], [1]])
        XCTAssertEqual(summary.rows.map(\.parameters), [16, 0, 0, 250, 20, 11])
        XCTAssertEqual(summary.totalParameters, 297)
        XCTAssertEqual(summary.trainableParameters, 297)
        // Measuring changes nothing: weights, running statistics and the mode stay as they were.
        XCTAssertEqual(model.stateDict().map { $0.1.scalars }, before)
        XCTAssertTrue(model.isTraining)

        let lines = summary.table.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "layer        output shape  parameters")
        XCTAssertEqual(lines[5], "3 Linear     [N, 10]              250")
        XCTAssertEqual(lines.last, "total                             297 (297 trainable)")
        XCTAssertEqual(lines.count, 10)
    }

    func testFrozenParametersAndThousandsSeparators() {
        let model = Sequential { Linear(1000, 1000) }
        model.freeze()
        let summary = ModelSummary(model, inputShape: [1000])
        XCTAssertEqual(summary.trainableParameters, 0)
        XCTAssertTrue(summary.table.contains("1,001,000 (0 trainable)"), summary.table)
    }
}
