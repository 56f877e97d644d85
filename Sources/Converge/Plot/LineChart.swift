import Foundation

/// A dependency-free SVG line chart: a figure of one or more panels laid out in a grid, each
/// with axes, ticks, grid lines, named series, an optional log-scale y axis and a legend.
///
/// Panels compose: a training report is three panels (loss, learning rate, gradient norm) in one
/// figure.
///
/// ```swift
/// let chart = LineChart(title: "Run 12", panels: [
///     .init(title: "Loss", xLabel: "step", series: [.init("train", values: train), .init("validation", x: evalSteps, y: validation)],
///           logScaleY: true),
///     .init(title: "Learning rate", xLabel: "step", series: [.init("lr", values: rates)]),
/// ])
/// try chart.write(to: "training.svg")
/// ```
public struct LineChart {
    /// The title above all panels.
    public var title: String?
    /// The panels, laid out row by row.
    public var panels: [Panel]
    /// Panels per row.
    public var columns: Int
    /// The width of one panel, in pixels.
    public var panelWidth: Double
    /// The height of one panel, in pixels.
    public var panelHeight: Double
    /// Colors given to series without their own, in order (starting over in each panel).
    public var palette: [String]

    /// The default palette (matplotlib's tab10).
    public static let defaultPalette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// Creates a figure; `columns` defaults to all panels in one row (at most three per row).
    public init(title: String? = nil, panels: [Panel], columns: Int? = nil, panelWidth: Double = 420,
                panelHeight: Double = 300, palette: [String] = LineChart.defaultPalette) {
        precondition(!palette.isEmpty, "LineChart: the palette is empty")
        self.title = title
        self.panels = panels
        self.columns = max(1, columns ?? min(3, max(1, panels.count)))
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
        self.palette = palette
    }

    /// A one-panel chart.
    public init(title: String? = nil, xLabel: String = "", yLabel: String = "", series: [Series], logScaleY: Bool = false) {
        self.init(panels: [Panel(title: title ?? "", xLabel: xLabel, yLabel: yLabel, series: series, logScaleY: logScaleY)])
    }

    /// The chart as an SVG document.
    public func svg() -> String {
        let rows = max(1, (panels.count + columns - 1) / columns)
        let header = (title?.isEmpty ?? true) ? 0.0 : 30.0
        let width = Double(min(columns, max(1, panels.count))) * panelWidth
        let height = header + Double(rows) * panelHeight
        var svg = SVGBuilder()
        svg.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(SVGBuilder.number(width))\" height=\"\(SVGBuilder.number(height))\" viewBox=\"0 0 \(SVGBuilder.number(width)) \(SVGBuilder.number(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">")
        svg.element("rect", "x=\"0\" y=\"0\" width=\"\(SVGBuilder.number(width))\" height=\"\(SVGBuilder.number(height))\" fill=\"white\"")
        if let title, !title.isEmpty {
            svg.text(title, x: width / 2, y: 21, anchor: "middle", attributes: "font-size=\"15\" font-weight=\"bold\"")
        }
        for (index, panel) in panels.enumerated() {
            let left = Double(index % columns) * panelWidth
            let top = header + Double(index / columns) * panelHeight
            panel.render(into: &svg, left: left, top: top, width: panelWidth, height: panelHeight, id: index,
                         palette: palette)
        }
        svg.raw("</svg>")
        return svg.markup
    }

    /// Writes ``svg()`` to `path` atomically (a temporary file renamed into place).
    /// - Throws: ``PlotError/cannotWrite(path:reason:)``.
    public func write(to path: String) throws {
        do {
            try Data(svg().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw PlotError.cannotWrite(path: path, reason: FileProblem.reason(error))
        }
    }
}

/// Why a chart could not be saved.
public enum PlotError: Error, CustomStringConvertible, Equatable {
    /// The file could not be written.
    case cannotWrite(path: String, reason: String)

    /// One line naming the file.
    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): return "cannot write chart to \(path): \(reason)"
        }
    }
}
