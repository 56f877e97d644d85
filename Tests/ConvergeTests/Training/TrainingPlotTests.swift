import XCTest
import ConvergeTestSupport
@testable import Converge

final class TrainingPlotTests: XCTestCase {
    func history(lr: [Double], evalMode: Bool) -> History {
        var history = History()
        for (i, rate) in lr.enumerated() {
            var record = HistoryRecord(epoch: i + 1)
            record["train_loss"] = 1 / Double(i + 1)
            record["val_loss"] = 1.2 / Double(i + 1)
            if evalMode { record["train_eval_loss"] = 0.9 / Double(i + 1) }
            record["lr"] = rate
            record["grad_norm"] = 2 - Double(i) * 0.1
            history.append(record)
        }
        return history
    }

    func testThreePanelsWithLossRateAndGradientNorm() throws {
        let chart = TrainingPlot.monitorChart(history(lr: [0.1, 0.1, 0.1, 0.1], evalMode: false), title: "run")
        XCTAssertEqual(chart.panels.map(\.title), ["Loss curves", "Learning rate", "Gradient norm"])
        XCTAssertEqual(chart.panels[0].series.map(\.name), ["train", "validation"])
        XCTAssertEqual(chart.panels[0].series[0].x, [1, 2, 3, 4], "x is the 1-based epoch")
        XCTAssertEqual(chart.panels[1].series.first?.y, [0.1, 0.1, 0.1, 0.1])
        XCTAssertFalse(chart.panels[1].logScaleY, "a constant rate stays on a linear axis")
        let svg = SVGDocument(chart.svg())
        XCTAssertNil(svg.error)
        XCTAssertEqual(svg.named("polyline").count, 4, "train, validation, lr, grad norm")
        XCTAssertTrue(svg.texts.contains("run"))
    }

    func testEvalModeLossIsDashedAndWideRatesUseLogAxis() {
        let chart = TrainingPlot.monitorChart(history(lr: [4e-5, 1e-3, 1e-4, 4e-9], evalMode: true))
        XCTAssertEqual(chart.panels[0].series.map(\.name), ["train", "validation", "train (eval mode)"])
        XCTAssertTrue(chart.panels[0].series[2].isDashed)
        XCTAssertTrue(chart.panels[1].logScaleY)
        XCTAssertFalse(chart.panels[2].logScaleY)
    }

    func testMissingKeysGiveEmptyPanels() {
        var history = History()
        var record = HistoryRecord(epoch: 1)
        record["train_loss"] = 0.5
        history.append(record)
        let chart = TrainingPlot.monitorChart(history)
        XCTAssertEqual(chart.panels.count, 3)
        XCTAssertEqual(chart.panels[0].series.map(\.name), ["train"])
        XCTAssertTrue(chart.panels[1].series.isEmpty)
        XCTAssertNil(SVGDocument(chart.svg()).error)
    }

    func testPlotWritesFile() throws {
        let directory = try makeIOTestDirectory()
        let path = directory.appendingPathComponent("training.svg").path
        try history(lr: [0.1, 0.05], evalMode: false).plot(to: path, title: "t")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("<svg"))
        XCTAssertThrowsError(try History().plot(to: directory.appendingPathComponent("missing/x.svg").path))
    }
}
