import Foundation
import XCTest
import ConvergeTestSupport
@testable import Converge

final class LineChartTests: XCTestCase {
    private func threePanelFigure() -> LineChart {
        let steps = (0..<200).map(Double.init)
        let train = steps.map { 2 * exp(-$0 / 50) + 0.05 }
        var validation = stride(from: 0.0, to: 200, by: 20).map { 2 * exp(-$0 / 60) + 0.1 }
        validation[3] = .nan
        return LineChart(title: "Run <1> & \"friends\"", panels: [
            .init(title: "Loss", xLabel: "step", yLabel: "loss",
                  series: [.init("train", x: steps, y: train), .init("validation", x: stride(from: 0.0, to: 200, by: 20).map { $0 }, y: validation)],
                  logScaleY: true),
            .init(title: "Learning rate", xLabel: "step", series: [.init("lr", values: OneCycleLR(maxLearningRate: 0.1, totalSteps: 200).learningRates(steps: 200))]),
            .init(title: "Gradient norm", xLabel: "step", series: [.init("norm", values: steps.map { 1 + sin($0 / 10) }, isDashed: true)]),
        ])
    }

    func testFigureIsWellFormedXML() throws {
        let chart = threePanelFigure()
        let document = SVGDocument(chart.svg())
        XCTAssertNil(document.error)
        XCTAssertEqual(document.elements.first?.name, "svg")
        XCTAssertEqual(document.elements.first?.attributes["width"], "1260")
        XCTAssertEqual(document.named("clipPath").count, 3)
        XCTAssertTrue(document.texts.contains("Run <1> & \"friends\""), "the title is escaped and survives parsing")
        XCTAssertTrue(document.texts.contains("Loss"))
        XCTAssertTrue(document.texts.contains("Gradient norm"))
    }

    func testLegendSitsAboveThePlotNeverOverTheData() {
        let names = ["train loss", "validation loss", "learning rate", "gradient norm", "weight norm", "update ratio"]
        let chart = LineChart(series: names.enumerated().map { i, name in .init(name, values: (0..<50).map { Double($0 * (i + 1)) }) })
        let document = SVGDocument(chart.svg())
        let frame = document.named("rect").first { $0["fill"] == "none" && $0["stroke"] == "black" }!
        let frameTop = Double(frame["y"]!)!
        let labels = document.elements.filter { $0.name == "text" }.map(\.attributes)
        XCTAssertEqual(document.texts.filter { names.contains($0) }.count, names.count)
        // Every legend line (the short coloured strokes) ends above the plot frame.
        let strokes = document.named("line").filter { $0["stroke-width"] == "2" }
        XCTAssertEqual(strokes.count, names.count)
        for stroke in strokes { XCTAssertLessThan(Double(stroke["y1"]!)!, frameTop, "\(stroke)") }
        XCTAssertGreaterThan(Set(strokes.map { $0["y1"]! }).count, 1, "six long names wrap onto a second row")
        XCTAssertFalse(labels.isEmpty)
    }

    func testNamedXTicksSitAtEachPositionOnly() {
        let names = ["0.weight", "2.weight", "4.weight", "6.weight"]
        let chart = LineChart(panels: [.init(xLabel: "layer", series: [.init("norm", values: [1, 0.5, 0.25, 0.1])], xTickLabels: names)])
        let document = SVGDocument(chart.svg())
        XCTAssertNil(document.error)
        XCTAssertEqual(document.texts.filter { names.contains($0) }, names)
        XCTAssertFalse(document.texts.contains("0.5"), "no fractional layer positions")
        XCTAssertFalse(document.texts.contains("1.5"))
    }

    func testLongYTickLabelsPushThePlotRightOfTheAxisTitle() {
        let values = (0..<40).map { 0.000123 + Double($0) * 0.0000071 }
        let chart = LineChart(panels: [.init(xLabel: "epoch", yLabel: "weight norm", series: [.init("w", values: values)])])
        let document = SVGDocument(chart.svg())
        let frame = document.named("rect").first { $0["fill"] == "none" && $0["stroke"] == "black" }!
        let plotLeft = Double(frame["x"]!)!
        let tickTexts = document.elements.filter { $0.name == "text" && $0.attributes["text-anchor"] == "end" && $0.attributes["transform"] == nil }
        XCTAssertFalse(tickTexts.isEmpty)
        let widest = document.texts.filter { $0 != "weight norm" && $0 != "epoch" && $0 != "w" && $0.contains(where: \.isNumber) && ($0.contains(".") || $0.contains("e")) }.map(\.count).max() ?? 0
        XCTAssertGreaterThanOrEqual(widest, 6, "the ticks need many digits here")
        // The axis title is centred 14 px in and 11 px high; tick labels end 6 px left of the plot.
        XCTAssertGreaterThan(plotLeft - 6 - Double(widest) * 6.2, 14 + 6 + 4, "tick labels would run into the y-axis title")
    }

    func testLegendOnlyWithSeveralSeries() {
        let document = SVGDocument(threePanelFigure().svg())
        XCTAssertTrue(document.texts.contains("train"))
        XCTAssertTrue(document.texts.contains("validation"))
        XCTAssertFalse(document.texts.contains("lr"), "a single series gets no legend by default")
        var single = LineChart(series: [.init("lr", values: [1, 2, 3])])
        single.panels[0].showsLegend = true
        XCTAssertTrue(SVGDocument(single.svg()).texts.contains("lr"))
    }

    func testNonFinitePointsBreakTheLine() {
        let chart = LineChart(series: [.init("y", values: [1, 2, .nan, 4, 5, .infinity, 7])])
        let polylines = SVGDocument(chart.svg()).named("polyline")
        XCTAssertEqual(polylines.map { SVGDocument.points($0).count }, [2, 2])
        XCTAssertEqual(SVGDocument(chart.svg()).named("circle").count, 1, "an isolated point is drawn as a dot")
    }

    func testLogScaleDropsNonPositiveValuesAndUsesDecadeTicks() {
        let chart = LineChart(series: [.init("loss", values: [1e-3, 0, 1e-1, 10])], logScaleY: true)
        let document = SVGDocument(chart.svg())
        XCTAssertEqual(document.named("polyline").count, 1)
        XCTAssertEqual(document.named("circle").count, 1)
        for label in ["0.001", "0.01", "0.1", "1", "10"] { XCTAssertTrue(document.texts.contains(label), label) }
    }

    func testPointsMapIntoThePlotArea() {
        let chart = LineChart(series: [.init("y", x: [0, 10], y: [0, 1])])
        let document = SVGDocument(chart.svg())
        let clip = document.named("rect").first { $0["fill"] == "none" && $0["stroke"] == "black" }!
        let left = Double(clip["x"]!)!, top = Double(clip["y"]!)!
        let width = Double(clip["width"]!)!, height = Double(clip["height"]!)!
        let points = SVGDocument.points(document.named("polyline")[0])
        // Ticks 0…10 and 0…1 are nice bounds, so the line runs corner to corner.
        XCTAssertEqual(points[0].0, left, accuracy: 0.01)
        XCTAssertEqual(points[0].1, top + height, accuracy: 0.01)
        XCTAssertEqual(points[1].0, left + width, accuracy: 0.01)
        XCTAssertEqual(points[1].1, top, accuracy: 0.01)
    }

    func testLongSeriesAreDecimatedButKeepSpikes() {
        var values = (0..<100_000).map { sin(Double($0) / 1000) }
        values[54_321] = 50
        let chart = LineChart(series: [.init("long", values: values)])
        let document = SVGDocument(chart.svg())
        let points = SVGDocument.points(document.named("polyline")[0])
        XCTAssertLessThan(points.count, 4 * 420)
        let top = points.map { $0.1 }.min()!
        let frame = document.named("rect").first { $0["fill"] == "none" && $0["stroke"] == "black" }!
        XCTAssertLessThan(top, Double(frame["y"]!)! + 30, "the spike reaches the top of the plot")
    }

    func testColorsAndDashes() {
        let chart = LineChart(series: [.init("a", values: [1, 2]), .init("b", values: [2, 1], color: "#123456", isDashed: true)])
        let lines = SVGDocument(chart.svg()).named("polyline")
        XCTAssertEqual(lines[0]["stroke"], LineChart.defaultPalette[0])
        XCTAssertEqual(lines[1]["stroke"], "#123456")
        XCTAssertEqual(lines[1]["stroke-dasharray"], "5 3")
    }

    func testFixedYRange() {
        var chart = LineChart(series: [.init("y", values: [0.2, 0.4])])
        chart.panels[0].yRange = 0...1
        let texts = SVGDocument(chart.svg()).texts
        XCTAssertTrue(texts.contains("1.0"))
        XCTAssertTrue(texts.contains("0"))
    }

    func testWriteIsAtomicAndReportsErrors() throws {
        let path = NSTemporaryDirectory() + "converge-linechart-\(UUID().uuidString).svg"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let chart = threePanelFigure()
        try chart.write(to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), chart.svg())
        XCTAssertThrowsError(try chart.write(to: "/nonexistent-dir/x.svg")) { error in
            guard case PlotError.cannotWrite(let p, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, "/nonexistent-dir/x.svg")
        }
        if let out = ProcessInfo.processInfo.environment["CONVERGE_PLOT_SAMPLE"] { try chart.write(to: out) }
    }

    func testEmptyPanelStillDraws() {
        let document = SVGDocument(LineChart(series: []).svg())
        XCTAssertNil(document.error)
        XCTAssertTrue(document.named("polyline").isEmpty)
    }
}
