import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reports training progress on the terminal.
///
/// On a terminal it redraws one line in place (carriage return, at most every
/// ``minimumRedrawInterval`` seconds): `epoch 3/10 [=======>      ] 45/100 loss 0.4321
/// 1234 samples/s ETA 0:12`, replaced at the end of the epoch by a summary line. When the output
/// is not a terminal (a log file, CI) it prints only the summary line, once per epoch; in quiet
/// mode it prints nothing. The output, the terminal flag and the clock can be injected for tests.
///
/// ```swift
/// let progress = ProgressReporter()
/// progress.beginEpoch(epoch, of: epochs, batches: loader.count)
/// for (i, batch) in loader.enumerated() { …; progress.update(batch: i + 1, loss: loss, samples: batch.count) }
/// progress.endEpoch([("loss", trainLoss), ("val_loss", validationLoss)])
/// ```
public final class ProgressReporter {
    /// Prints nothing at all.
    public let isQuiet: Bool
    /// Whether the output is a terminal (live bar) rather than a log (one line per epoch).
    public let isTerminal: Bool
    /// The fewest seconds between two redraws of the live bar.
    public var minimumRedrawInterval: Double
    /// Characters inside the bar's brackets.
    public var barWidth: Int
    /// The longest epoch summary line: values that would make it longer are left out (they are
    /// all in the history files), so it fits an 80- or 100-column terminal without wrapping.
    public var maximumLineWidth = 100

    private let output: (String) -> Void
    private let clock: () -> Double
    private var epoch = 0, totalEpochs: Int?, totalBatches = 0
    private var startTime = 0.0, lastDraw = -Double.infinity
    private var batchesDone = 0, samplesSeen = 0
    private var lossSum = 0.0, lossWeight = 0.0
    private var barShown = false

    /// Creates a reporter.
    ///
    /// - Parameters:
    ///   - quiet: print nothing.
    ///   - isTerminal: draw the live bar; by default, whether standard error is a terminal.
    ///   - output: receives the text (default: standard error).
    ///   - clock: seconds from any fixed origin (default: a monotonic clock).
    ///   - minimumRedrawInterval: the fewest seconds between two redraws of the live bar.
    ///   - barWidth: characters inside the bar's brackets.
    public init(quiet: Bool = false, isTerminal: Bool = isatty(STDERR_FILENO) != 0,
                output: @escaping (String) -> Void = ProgressReporter.writeToStandardError,
                clock: @escaping () -> Double = ProgressReporter.monotonicSeconds,
                minimumRedrawInterval: Double = 0.1, barWidth: Int = 24) {
        self.isQuiet = quiet
        self.isTerminal = isTerminal
        self.output = output
        self.clock = clock
        self.minimumRedrawInterval = minimumRedrawInterval
        self.barWidth = barWidth
    }

    /// Writes `text` to standard error, unbuffered.
    public static func writeToStandardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Seconds on a monotonic clock.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Starts epoch `epoch` (shown as given) of `totalEpochs`, which has `batches` batches.
    public func beginEpoch(_ epoch: Int, of totalEpochs: Int? = nil, batches: Int) {
        self.epoch = epoch
        self.totalEpochs = totalEpochs
        self.totalBatches = batches
        startTime = clock()
        lastDraw = -Double.infinity
        batchesDone = 0
        samplesSeen = 0
        lossSum = 0
        lossWeight = 0
    }

    /// Records that `batch` batches (1-based count) are done, the last with mean loss `loss`
    /// over `samples` examples; redraws the bar when due.
    public func update(batch: Int, loss: Double, samples: Int) {
        batchesDone = batch
        samplesSeen += samples
        lossSum += loss * Double(samples)
        lossWeight += Double(samples)
        guard !isQuiet, isTerminal else { return }
        let now = clock()
        guard now - lastDraw >= minimumRedrawInterval || batch >= totalBatches else { return }
        lastDraw = now
        output("\r" + barLine(now: now) + "\u{1B}[K")
        barShown = true
    }

    /// The epoch's sample-weighted mean of the losses given to ``update(batch:loss:samples:)``.
    public var runningLoss: Double { lossWeight > 0 ? lossSum / lossWeight : .nan }

    /// Ends the epoch: prints one summary line with the elapsed time, throughput and `values`
    /// (replacing the bar on a terminal). Values are taken in order while the line stays within
    /// ``maximumLineWidth`` columns; so put the most important first.
    public func endEpoch(_ values: [(String, Double)]) {
        guard !isQuiet else { return }
        let elapsed = clock() - startTime
        var parts = [epochLabel(), "\(batchesDone)/\(totalBatches) batches", Self.duration(elapsed)]
        if elapsed > 0 && samplesSeen > 0 { parts.append("\(Int((Double(samplesSeen) / elapsed).rounded())) samples/s") }
        var width = parts.joined(separator: "  ").count
        for (name, value) in values {
            let part = "\(name) \(Self.number(value))"
            guard width + 2 + part.count <= maximumLineWidth else { continue }
            parts.append(part)
            width += 2 + part.count
        }
        output((barShown ? "\r\u{1B}[K" : "") + parts.joined(separator: "  ") + "\n")
        barShown = false
    }

    /// Prints a line of its own (clearing the live bar first, which the next update redraws).
    public func message(_ text: String) {
        guard !isQuiet else { return }
        output((barShown ? "\r\u{1B}[K" : "") + text + "\n")
        barShown = false
        lastDraw = -Double.infinity
    }

    /// The live line: epoch, bar, batch count, running loss, throughput and ETA.
    func barLine(now: Double) -> String {
        let fraction = totalBatches > 0 ? Swift.min(1, Double(batchesDone) / Double(totalBatches)) : 0
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        var bar = String(repeating: "=", count: filled)
        if filled < barWidth { bar += ">" + String(repeating: " ", count: barWidth - filled - 1) }
        var parts = [epochLabel(), "[\(bar)]", "\(batchesDone)/\(totalBatches)", "loss \(Self.number(runningLoss))"]
        let elapsed = now - startTime
        if elapsed > 0 && batchesDone > 0 {
            parts.append("\(Int((Double(samplesSeen) / elapsed).rounded())) samples/s")
            let remaining = elapsed / Double(batchesDone) * Double(Swift.max(0, totalBatches - batchesDone))
            parts.append("ETA \(Self.duration(remaining))")
        }
        return parts.joined(separator: " ")
    }

    private func epochLabel() -> String {
        totalEpochs.map { "epoch \(epoch)/\($0)" } ?? "epoch \(epoch)"
    }

    /// Four significant digits (`0.4321`, `1.235e-05`, `nan`).
    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4g", value) : (value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf"))
    }

    /// Whole seconds as `0:07`, `12:34` or `1:02:03`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        let (h, m, r) = (s / 3600, s / 60 % 60, s % 60)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(h):\(two(m)):\(two(r))" : "\(m):\(two(r))"
    }
}
