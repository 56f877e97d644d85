import Foundation

/// The seed's `TrainingMonitor` figure (Chapter 7, §7.9.2) drawn from a ``History``: three panels
/// against the epoch — training and validation loss, the learning rate, and the mean gradient
/// norm.
///
/// ```swift
/// let history = try trainer.fit(train: train, validation: validation, epochs: 30)
/// try TrainingPlot.monitorChart(history, title: "StreamRec recipe").write(to: "training.svg")
/// // or: try history.plot(to: "training.svg")
/// ```
///
/// The loss panel draws `train_loss` (the running mean over the epoch's training batches, in
/// training mode) and `val_loss`, plus `train_eval_loss` (the training loss measured in eval
/// mode at the end of the epoch) dashed when the history has it. The learning-rate panel uses a
/// logarithmic axis when the rate spans more than two orders of magnitude (one-cycle, step
/// decay), and so does the gradient-norm panel. A panel whose keys are all missing is drawn
/// empty rather than left out, so every monitor figure has the same layout.
public enum TrainingPlot {
    /// History key of the training loss measured in eval mode, drawn dashed when present.
    public static let evalModeTrainLossKey = "train_eval_loss"

    /// The three-panel monitor figure of `history`.
    public static func monitorChart(_ history: History, title: String? = nil) -> LineChart {
        let epochs = history.records.map { Double($0.epoch) }
        func series(_ name: String, _ key: String, dashed: Bool = false, color: String? = nil) -> LineChart.Series? {
            let values = history.series(key)
            guard values.contains(where: { $0.isFinite }) else { return nil }
            return LineChart.Series(name, x: epochs, y: values, color: color, isDashed: dashed)
        }
        let palette = LineChart.defaultPalette
        let lossSeries = [series("train", "train_loss", color: palette[0]),
                          series("validation", "val_loss", color: palette[1]),
                          series("train (eval mode)", evalModeTrainLossKey, dashed: true, color: palette[0])]
            .compactMap { $0 }
        let rate = series("learning rate", "lr", color: palette[2])
        let norm = series("gradient norm", "grad_norm", color: palette[3])
        return LineChart(title: title, panels: [
            LineChart.Panel(title: "Loss curves", xLabel: "epoch", yLabel: "loss", series: lossSeries, showsLegend: true),
            LineChart.Panel(title: "Learning rate", xLabel: "epoch", yLabel: "learning rate",
                            series: rate.map { [$0] } ?? [], logScaleY: spansOrdersOfMagnitude(rate?.y ?? [])),
            LineChart.Panel(title: "Gradient norm", xLabel: "epoch", yLabel: "mean gradient norm",
                            series: norm.map { [$0] } ?? [], logScaleY: spansOrdersOfMagnitude(norm?.y ?? [])),
        ])
    }

    /// Whether the positive finite values span more than a factor of 100 (and none is ≤ 0), so a
    /// logarithmic axis shows them better.
    static func spansOrdersOfMagnitude(_ values: [Double]) -> Bool {
        let finite = values.filter { $0.isFinite }
        guard let low = finite.min(), let high = finite.max(), low > 0 else { return false }
        return high / low > 100
    }
}

extension History {
    /// Writes the three-panel monitor figure (``TrainingPlot/monitorChart(_:title:)``) to `path`
    /// as SVG.
    /// - Throws: ``PlotError/cannotWrite(path:reason:)``.
    public func plot(to path: String, title: String? = nil) throws {
        try TrainingPlot.monitorChart(self, title: title).write(to: path)
    }
}
