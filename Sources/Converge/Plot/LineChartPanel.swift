import Foundation

extension LineChart {
    /// One plot: axes with ticks and grid, one or more series, an optional legend.
    public struct Panel {
        /// The title above the plot.
        public var title: String
        /// The x-axis label.
        public var xLabel: String
        /// The y-axis label.
        public var yLabel: String
        /// The lines, drawn in order.
        public var series: [Series]
        /// Whether the y axis is logarithmic (points ≤ 0 are then left out).
        public var logScaleY: Bool
        /// Whether to draw a legend; `nil` draws one when there is more than one series.
        public var showsLegend: Bool?
        /// A fixed y range; `nil` fits the data.
        public var yRange: ClosedRange<Double>?
        /// Names for the x positions 0, 1, 2, …: the x axis then has one tick per name (and no
        /// ticks between them), labelled with it, e.g. a model's layers.
        public var xTickLabels: [String]?

        /// Creates a panel.
        public init(title: String = "", xLabel: String = "", yLabel: String = "", series: [Series],
                    logScaleY: Bool = false, showsLegend: Bool? = nil, yRange: ClosedRange<Double>? = nil,
                    xTickLabels: [String]? = nil) {
            self.xTickLabels = xTickLabels
            self.title = title
            self.xLabel = xLabel
            self.yLabel = yLabel
            self.series = series
            self.logScaleY = logScaleY
            self.showsLegend = showsLegend
            self.yRange = yRange
        }

        private func usable(_ x: Double, _ y: Double) -> Bool {
            x.isFinite && y.isFinite && (!logScaleY || y > 0)
        }

        /// Where each legend entry goes: its series, row, and offset from the plot's left edge.
        /// Entries fill rows left to right and wrap at `width`.
        func legendLayout(width: Double) -> [(index: Int, row: Int, offset: Double)] {
            var entries: [(index: Int, row: Int, offset: Double)] = []
            var row = 0, offset = 0.0
            for (index, s) in series.enumerated() {
                let entryWidth = Double(s.name.count) * 6.5 + 34
                if offset > 0 && offset + entryWidth > width { row += 1; offset = 0 }
                entries.append((index, row, offset))
                offset += entryWidth
            }
            return entries
        }

        /// Appends this panel's SVG, drawn in the rectangle at (`left`, `top`) of the given size.
        func render(into svg: inout SVGBuilder, left: Double, top: Double, width: Double, height: Double, id: Int,
                    palette: [String]) {
            // Named x ticks are written at a slant; the plot gives up the height they need.
            let namedTicks = xTickLabels.map { $0.map { $0.count > 24 ? String($0.prefix(23)) + "…" : $0 } }
            let slantRoom = namedTicks.map { min(24, $0.map(\.count).max() ?? 0) } .map { Double($0) * 3.6 } ?? 0

            // Data bounds.
            var xs: [Double] = [], ys: [Double] = []
            for s in series {
                for i in s.x.indices where usable(s.x[i], s.y[i]) { xs.append(s.x[i]); ys.append(s.y[i]) }
            }
            let xTicks = namedTicks.map { names in
                (ticks: names.indices.map(Double.init), step: 1.0) } ?? AxisTicks.linear(xs.min() ?? 0, xs.max() ?? 1)
            let xLow = namedTicks != nil ? -0.25 : xTicks.ticks.first!
            let xHigh = namedTicks.map { Double(max(1, $0.count) - 1) + 0.25 } ?? xTicks.ticks.last!
            var yLow: Double, yHigh: Double
            var yTickPositions: [(value: Double, label: String)]
            if logScaleY {
                let low = yRange.map { max($0.lowerBound, Double.leastNormalMagnitude) } ?? ys.min() ?? 0.1
                let high = yRange?.upperBound ?? ys.max() ?? 1
                let exponents = AxisTicks.logarithmic(low, max(high, low))
                yLow = Double(exponents.first!)
                yHigh = Double(exponents.last!)
                yTickPositions = exponents.map { (Double($0), AxisTicks.powerOfTenLabel($0)) }
            } else {
                let ticks = AxisTicks.linear(yRange?.lowerBound ?? ys.min() ?? 0, yRange?.upperBound ?? ys.max() ?? 1)
                yLow = ticks.ticks.first!
                yHigh = ticks.ticks.last!
                if let r = yRange { yLow = r.lowerBound; yHigh = r.upperBound }
                yTickPositions = ticks.ticks.filter { $0 >= yLow - ticks.step * 1e-9 && $0 <= yHigh + ticks.step * 1e-9 }
                    .map { ($0, AxisTicks.label($0, step: ticks.step)) }
            }
            if yHigh <= yLow { yHigh = yLow + 1 }
            // The plot starts right of the widest y tick label and the y-axis title beside it, so
            // the two never overlap.
            let widestTick = yTickPositions.map { Double($0.label.count) * 6.2 }.max() ?? 0
            let plotLeft = left + max(62, 22 + widestTick + 10), plotRight = left + width - 14
            // The legend sits in rows between the title and the plot, never over the data.
            let legend = showsLegend ?? (series.count > 1) ? legendLayout(width: plotRight - plotLeft) : []
            let legendRows = (legend.map(\.row).max() ?? -1) + 1
            let plotTop = top + 28 + Double(legendRows) * 16, plotBottom = top + height - 42 - slantRoom
            let plotWidth = max(1, plotRight - plotLeft), plotHeight = max(1, plotBottom - plotTop)
            let px = { (x: Double) in plotLeft + (x - xLow) / (xHigh - xLow) * plotWidth }
            let py = { (y: Double) in plotBottom - ((self.logScaleY ? log10(y) : y) - yLow) / (yHigh - yLow) * plotHeight }
            let pyScaled = { (v: Double) in plotBottom - (v - yLow) / (yHigh - yLow) * plotHeight }

            // Title and frame.
            if !title.isEmpty {
                svg.text(title, x: left + width / 2, y: top + 18, anchor: "middle", attributes: "font-size=\"13\" font-weight=\"bold\"")
            }
            svg.element("rect", "x=\"\(SVGBuilder.number(plotLeft))\" y=\"\(SVGBuilder.number(plotTop))\" width=\"\(SVGBuilder.number(plotWidth))\" height=\"\(SVGBuilder.number(plotHeight))\" fill=\"white\" stroke=\"none\"")

            // Grid, ticks, labels.
            for tick in xTicks.ticks {
                let x = px(tick)
                svg.element("line", "x1=\"\(SVGBuilder.number(x))\" y1=\"\(SVGBuilder.number(plotTop))\" x2=\"\(SVGBuilder.number(x))\" y2=\"\(SVGBuilder.number(plotBottom))\" stroke=\"#e6e6e6\"")
                svg.element("line", "x1=\"\(SVGBuilder.number(x))\" y1=\"\(SVGBuilder.number(plotBottom))\" x2=\"\(SVGBuilder.number(x))\" y2=\"\(SVGBuilder.number(plotBottom + 4))\" stroke=\"black\"")
                if let namedTicks {
                    let name = namedTicks[Int(tick)], ty = plotBottom + 14
                    svg.text(name, x: x, y: ty, anchor: "end",
                             attributes: "transform=\"rotate(-35 \(SVGBuilder.number(x)) \(SVGBuilder.number(ty)))\"")
                } else {
                    svg.text(AxisTicks.label(tick, step: xTicks.step), x: x, y: plotBottom + 16, anchor: "middle")
                }
            }
            for tick in yTickPositions {
                let y = pyScaled(tick.value)
                svg.element("line", "x1=\"\(SVGBuilder.number(plotLeft))\" y1=\"\(SVGBuilder.number(y))\" x2=\"\(SVGBuilder.number(plotRight))\" y2=\"\(SVGBuilder.number(y))\" stroke=\"#e6e6e6\"")
                svg.element("line", "x1=\"\(SVGBuilder.number(plotLeft - 4))\" y1=\"\(SVGBuilder.number(y))\" x2=\"\(SVGBuilder.number(plotLeft))\" y2=\"\(SVGBuilder.number(y))\" stroke=\"black\"")
                svg.text(tick.label, x: plotLeft - 6, y: y + 4, anchor: "end")
            }
            svg.element("rect", "x=\"\(SVGBuilder.number(plotLeft))\" y=\"\(SVGBuilder.number(plotTop))\" width=\"\(SVGBuilder.number(plotWidth))\" height=\"\(SVGBuilder.number(plotHeight))\" fill=\"none\" stroke=\"black\"")
            if !xLabel.isEmpty { svg.text(xLabel, x: (plotLeft + plotRight) / 2, y: plotBottom + 34 + slantRoom, anchor: "middle") }
            if !yLabel.isEmpty {
                let cx = left + 14, cy = (plotTop + plotBottom) / 2
                svg.text(yLabel, x: cx, y: cy, anchor: "middle", attributes: "transform=\"rotate(-90 \(SVGBuilder.number(cx)) \(SVGBuilder.number(cy)))\"")
            }

            // Series, clipped to the plot area.
            svg.raw("<clipPath id=\"plot\(id)\"><rect x=\"\(SVGBuilder.number(plotLeft))\" y=\"\(SVGBuilder.number(plotTop))\" width=\"\(SVGBuilder.number(plotWidth))\" height=\"\(SVGBuilder.number(plotHeight))\"/></clipPath>")
            svg.raw("<g clip-path=\"url(#plot\(id))\">")
            for (index, s) in series.enumerated() {
                let color = s.color ?? palette[index % palette.count]
                let dash = s.isDashed ? " stroke-dasharray=\"5 3\"" : ""
                var segment: [(Double, Double)] = []
                func flush() {
                    defer { segment.removeAll(keepingCapacity: true) }
                    guard !segment.isEmpty else { return }
                    let points = LineChart.decimate(segment, columns: Int(plotWidth))
                    if points.count == 1 {
                        svg.element("circle", "cx=\"\(SVGBuilder.number(points[0].0))\" cy=\"\(SVGBuilder.number(points[0].1))\" r=\"1.5\" fill=\"\(SVGBuilder.escape(color))\"")
                        return
                    }
                    let list = points.map { "\(SVGBuilder.number($0.0)),\(SVGBuilder.number($0.1))" }.joined(separator: " ")
                    svg.element("polyline", "points=\"\(list)\" fill=\"none\" stroke=\"\(SVGBuilder.escape(color))\" stroke-width=\"1.5\" stroke-linejoin=\"round\"\(dash)")
                }
                for i in s.x.indices {
                    if usable(s.x[i], s.y[i]) { segment.append((px(s.x[i]), py(s.y[i]))) } else { flush() }
                }
                flush()
            }
            svg.raw("</g>")

            // Legend, in rows above the plot.
            for entry in legend {
                let s = series[entry.index]
                let color = s.color ?? palette[entry.index % palette.count]
                let x = plotLeft + entry.offset, y = top + 28 + Double(entry.row) * 16 + 8
                let dash = s.isDashed ? " stroke-dasharray=\"5 3\"" : ""
                svg.element("line", "x1=\"\(SVGBuilder.number(x))\" y1=\"\(SVGBuilder.number(y - 4))\" x2=\"\(SVGBuilder.number(x + 20))\" y2=\"\(SVGBuilder.number(y - 4))\" stroke=\"\(SVGBuilder.escape(color))\" stroke-width=\"2\"\(dash)")
                svg.text(s.name, x: x + 24, y: y, anchor: "start")
            }
        }
    }
}

extension LineChart {
    /// Keeps at most the first, lowest, highest and last point per pixel column (in their original
    /// order) when a line has many more points than columns, so spikes survive and files stay small.
    static func decimate(_ points: [(Double, Double)], columns: Int) -> [(Double, Double)] {
        guard points.count > 4 * max(columns, 1) else { return points }
        var result: [(Double, Double)] = []
        var bucketStart = 0
        while bucketStart < points.count {
            let column = points[bucketStart].0.rounded(.down)
            var end = bucketStart
            while end < points.count && points[end].0.rounded(.down) == column { end += 1 }
            var lowest = bucketStart, highest = bucketStart
            for i in bucketStart..<end {
                if points[i].1 < points[lowest].1 { lowest = i }
                if points[i].1 > points[highest].1 { highest = i }
            }
            for i in Set([bucketStart, lowest, highest, end - 1]).sorted() { result.append(points[i]) }
            bucketStart = end
        }
        return result
    }
}
