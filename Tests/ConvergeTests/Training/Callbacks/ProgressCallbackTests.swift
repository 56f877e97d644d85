import XCTest
@testable import Converge

final class ProgressCallbackTests: XCTestCase {
    /// A binary-classification epoch record, as the trainer writes it.
    let record: [(String, Double)] = [
        ("train_loss", 0.48213), ("val_loss", 0.47129), ("val_accuracy", 0.78125), ("val_roc_auc", 0.81234),
        ("val_precision", 0.70123), ("val_recall", 0.65432), ("val_f1", 0.67512), ("lr", 0.0012345),
        ("grad_norm", 0.91234), ("grad_norm_clipped", 0.4),
    ]

    func testEpochLinesFitIn100ColumnsKeepingTheMostImportantValues() {
        var text = ""
        let reporter = ProgressReporter(isTerminal: false, output: { text += $0 }, clock: { 0 })
        reporter.beginEpoch(12, of: 100, batches: 1250)
        reporter.update(batch: 1250, loss: 0.5, samples: 40_000)
        reporter.endEpoch(ProgressCallback.byImportance(record.reversed()))
        let line = text.trimmingCharacters(in: .newlines)
        XCTAssertLessThanOrEqual(line.count, 100, line)
        XCTAssertTrue(line.hasPrefix("epoch 12/100  1250/1250 batches  0:00  train_loss 0.4821  val_loss 0.4713  val_"), line)
        XCTAssertFalse(line.contains("grad_norm"), line)
        // With a wide limit everything is shown, most important first.
        text = ""
        reporter.maximumLineWidth = 1000
        reporter.endEpoch(ProgressCallback.byImportance(record.reversed()))
        XCTAssertTrue(text.contains("val_f1 0.6751  val_recall 0.6543  val_precision 0.7012"), text)
        XCTAssertTrue(text.hasSuffix("lr 0.001234  grad_norm_clipped 0.4  grad_norm 0.9123\n"), text)
    }
}
