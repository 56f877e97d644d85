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
        try trainer.history.plot(to: url.path)
    }
}
