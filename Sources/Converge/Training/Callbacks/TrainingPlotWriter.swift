import ConvergeCore
import Foundation

/// Redraws the seed's three-panel `TrainingMonitor` figure after every epoch: loss curves
/// (train vs validation), the learning rate, and the mean gradient norm, as an SVG file.
public final class TrainingPlotWriter: Callback {
    /// The SVG file.
    public let url: URL

    /// Creates the callback.
    public init(url: URL) { self.url = url }

    public func afterEpoch(_ trainer: Trainer) throws {
        try TrainingPlotWriter.chart(for: trainer.history).write(to: url.path)
    }

    /// The three-panel chart for a history.
    public static func chart(for history: History, title: String? = nil) -> LineChart {
        let epochs = history.records.map { Double($0.epoch) }
        var lossSeries = [LineChart.Series("train", x: epochs, y: history.series("train_loss"))]
        if history.keys.contains("val_loss") {
            lossSeries.append(LineChart.Series("validation", x: epochs, y: history.series("val_loss")))
        }
        return LineChart(title: title, panels: [
            LineChart.Panel(title: "Loss curves", xLabel: "epoch", yLabel: "loss", series: lossSeries),
            LineChart.Panel(title: "Learning rate", xLabel: "epoch", yLabel: "learning rate",
                            series: [LineChart.Series("lr", x: epochs, y: history.series("lr"))]),
            LineChart.Panel(title: "Gradient norm", xLabel: "epoch", yLabel: "mean ‖g‖",
                            series: [LineChart.Series("grad norm", x: epochs, y: history.series("grad_norm"))]),
        ], columns: 3)
    }
}
