import XCTest
@testable import Converge

final class ProgressReporterTests: XCTestCase {
    final class Capture {
        var text = ""
        var now = 0.0
    }

    func reporter(terminal: Bool, quiet: Bool = false, capture: Capture) -> ProgressReporter {
        ProgressReporter(quiet: quiet, isTerminal: terminal, output: { capture.text += $0 }, clock: { capture.now },
                         minimumRedrawInterval: 0.1, barWidth: 10)
    }

    func testTerminalDrawsABarWithCarriageReturnsThenASummary() {
        let capture = Capture()
        let progress = reporter(terminal: true, capture: capture)
        progress.beginEpoch(2, of: 5, batches: 4)
        capture.now = 1
        progress.update(batch: 1, loss: 0.5, samples: 10)
        XCTAssertEqual(capture.text, "\repoch 2/5 [==>       ] 1/4 loss 0.5 10 samples/s ETA 0:03\u{1B}[K")
        capture.now = 1.05  // too soon: no redraw
        progress.update(batch: 2, loss: 0.3, samples: 30)
        XCTAssertEqual(capture.text.components(separatedBy: "\r").count, 2)
        capture.now = 2
        progress.update(batch: 3, loss: 0.1, samples: 10)
        XCTAssertTrue(capture.text.hasSuffix("\repoch 2/5 [=======>  ] 3/4 loss 0.3 25 samples/s ETA 0:01\u{1B}[K"), capture.text)
        capture.now = 2.01  // the last batch is always drawn
        progress.update(batch: 4, loss: 0.2, samples: 10)
        XCTAssertTrue(capture.text.hasSuffix("[==========] 4/4 loss 0.2833 30 samples/s ETA 0:00\u{1B}[K"), capture.text)
        capture.now = 4
        capture.text = ""
        progress.endEpoch([("loss", 0.23333), ("val_loss", 0.41)])
        XCTAssertEqual(capture.text, "\r\u{1B}[Kepoch 2/5  4/4 batches  0:04  15 samples/s  loss 0.2333  val_loss 0.41\n")
        XCTAssertEqual(progress.runningLoss, (0.5 * 10 + 0.3 * 30 + 0.1 * 10 + 0.2 * 10) / 60, accuracy: 1e-12)
    }

    func testNonTerminalPrintsOneLinePerEpoch() {
        let capture = Capture()
        let progress = reporter(terminal: false, capture: capture)
        progress.beginEpoch(1, batches: 2)
        capture.now = 30
        progress.update(batch: 1, loss: 1, samples: 100)
        progress.update(batch: 2, loss: 1, samples: 100)
        XCTAssertEqual(capture.text, "")
        capture.now = 75
        progress.endEpoch([("loss", 1), ("accuracy", .nan)])
        XCTAssertEqual(capture.text, "epoch 1  2/2 batches  1:15  3 samples/s  loss 1  accuracy nan\n")
        XCTAssertFalse(capture.text.contains("\r"))
    }

    func testQuietPrintsNothing() {
        let capture = Capture()
        let progress = reporter(terminal: true, quiet: true, capture: capture)
        progress.beginEpoch(0, of: 1, batches: 1)
        progress.update(batch: 1, loss: 1, samples: 1)
        progress.endEpoch([("loss", 1)])
        progress.message("hello")
        XCTAssertEqual(capture.text, "")
    }

    func testMessageClearsTheBar() {
        let capture = Capture()
        let progress = reporter(terminal: true, capture: capture)
        progress.beginEpoch(0, batches: 10)
        capture.now = 1
        progress.update(batch: 1, loss: 1, samples: 1)
        capture.text = ""
        progress.message("checkpoint saved")
        XCTAssertEqual(capture.text, "\r\u{1B}[Kcheckpoint saved\n")
    }

    func testFormatting() {
        XCTAssertEqual(ProgressReporter.duration(3725), "1:02:05")
        XCTAssertEqual(ProgressReporter.duration(59.6), "1:00")
        XCTAssertEqual(ProgressReporter.number(1.23456e-5), "1.235e-05")
        XCTAssertEqual(ProgressReporter.number(-.infinity), "-inf")
    }
}
