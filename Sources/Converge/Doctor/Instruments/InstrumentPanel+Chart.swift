import Foundation

extension InstrumentPanel {
    /// The instruments over the run, four panels: signal-to-noise per layer, update-to-weight
    /// ratio per layer (both log scale), the sharpness against the stability edge 2/lr, and α.
    public func chart(title: String = "Training instruments") -> LineChart {
        func perLayer(_ steps: [Int], _ values: [[(name: String, value: Double)]]) -> [LineChart.Series] {
            guard let names = values.first?.map(\.name) else { return [] }
            return names.enumerated().map { index, name in
                let points = zip(steps, values).compactMap { step, layers -> (Double, Double)? in
                    guard index < layers.count, layers[index].value.isFinite, layers[index].value > 0 else { return nil }
                    return (Double(step), layers[index].value)
                }
                return LineChart.Series(name.isEmpty ? "model" : name, x: points.map(\.0), y: points.map(\.1))
            }.filter { !$0.x.isEmpty }
        }
        let snr = perLayer(signalToNoise.measurements.map(\.step), signalToNoise.measurements.map { $0.layers.map { ($0.name, $0.snr) } })
        let ratio = perLayer(updateRatio.measurements.map(\.step), updateRatio.measurements.map { $0.layers.map { ($0.name, $0.ratio) } })
        let finite = sharpness.measurements.filter { $0.sharpness.isFinite }
        var sharp = [LineChart.Series("largest Hessian eigenvalue", x: finite.map { Double($0.step) }, y: finite.map(\.sharpness))]
        if sharpness.thresholdApplies {
            sharp.append(LineChart.Series("stability edge 2/lr", x: finite.map { Double($0.step) }, y: finite.map(\.threshold), isDashed: true))
        }
        let alphas = stepQuality.measurements.compactMap { m in m.alpha.map { (Double(m.step), $0) } }
        var panels: [LineChart.Panel] = []
        if !snr.isEmpty {
            panels.append(LineChart.Panel(title: "Gradient signal-to-noise per layer", xLabel: "step", yLabel: "SNR of the batch gradient",
                                          series: snr, logScaleY: true, showsLegend: snr.count <= 8))
        }
        if !ratio.isEmpty {
            panels.append(LineChart.Panel(title: "Update-to-weight ratio per layer", xLabel: "step", yLabel: "‖Δθ‖ / ‖θ‖",
                                          series: ratio, logScaleY: true, showsLegend: ratio.count <= 8))
        }
        if !finite.isEmpty {
            panels.append(LineChart.Panel(title: "Sharpness (edge of stability)", xLabel: "step", yLabel: "λ_max",
                                          series: sharp, logScaleY: finite.allSatisfy { $0.sharpness > 0 }, showsLegend: true))
        }
        if !alphas.isEmpty {
            panels.append(LineChart.Panel(title: "Step-size quality α", xLabel: "step", yLabel: "α (0: lands at the minimum)",
                                          series: [LineChart.Series("α", x: alphas.map(\.0), y: alphas.map(\.1)),
                                                   LineChart.Series("0", x: [alphas.first!.0, alphas.last!.0], y: [0, 0], isDashed: true)]))
        }
        return LineChart(title: title, panels: panels, columns: 2)
    }
}
