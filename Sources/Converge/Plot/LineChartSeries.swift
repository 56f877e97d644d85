extension LineChart {
    /// One named line: y values at x positions. Non-finite points (and, on a log-scale panel,
    /// points ≤ 0) break the line rather than distort it.
    public struct Series {
        /// The name shown in the legend.
        public var name: String
        /// The x positions (same count as `y`).
        public var x: [Double]
        /// The y values.
        public var y: [Double]
        /// A CSS color (`#1f77b4`, `red`); `nil` takes the next color of the palette.
        public var color: String?
        /// Whether to draw the line dashed.
        public var isDashed: Bool

        /// A series of points `(x[i], y[i])`.
        public init(_ name: String, x: [Double], y: [Double], color: String? = nil, isDashed: Bool = false) {
            precondition(x.count == y.count, "LineChart.Series \(name): \(x.count) x values but \(y.count) y values")
            self.name = name
            self.x = x
            self.y = y
            self.color = color
            self.isDashed = isDashed
        }

        /// A series of `values` at x = 0, 1, 2, … (e.g. one value per step).
        public init(_ name: String, values: [Double], color: String? = nil, isDashed: Bool = false) {
            self.init(name, x: values.indices.map(Double.init), y: values, color: color, isDashed: isDashed)
        }
    }
}
