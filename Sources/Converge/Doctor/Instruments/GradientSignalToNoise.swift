import ConvergeCore
import Foundation

/// Gradient signal-to-noise per layer, from micro-batches (no per-sample gradients needed), in
/// the spirit of Cockpit's gradient tests.
///
/// Every `interval` steps, right after the trainer's backward pass, part of the current batch
/// (`probeFraction` of it) is split into `microBatches` equal micro-batches; each gives a gradient
/// `gᵢ`. Per layer (the parameters of one module path), with `ḡ` their mean and `s` the
/// micro-batch size,
///
///     SNR = ‖ḡ‖² / (tr Σ̂ · s / B),   tr Σ̂ = Σᵢ ‖gᵢ − ḡ‖² / (m − 1)
///
/// estimates the signal-to-noise ratio of the training batch's gradient (batch size `B`): the
/// squared norm of the mean gradient against the variance that sampling a batch adds. Below 1
/// the batch gradient is mostly noise (Byrd et al.'s norm test fails): a larger batch or a lower
/// learning rate makes progress more reliably. Every side effect of the extra passes (gradients,
/// BatchNorm statistics, dropout's random draws) is undone, so the trajectory does not change.
public final class GradientSignalToNoise: Callback {
    /// One measurement.
    public struct Measurement: Equatable, Sendable {
        /// The optimizer step it was taken at.
        public var step: Int
        /// SNR of the batch gradient per layer (module path), in parameter order.
        public var layers: [(name: String, snr: Double)]

        /// The median over layers.
        public var median: Double {
            let v = layers.map(\.snr).filter { !$0.isNaN }.sorted()
            return v.isEmpty ? .nan : v[v.count / 2]
        }

        public static func == (a: Measurement, b: Measurement) -> Bool {
            a.step == b.step && a.layers.map(\.name) == b.layers.map(\.name) && a.layers.map(\.snr) == b.layers.map(\.snr)
        }
    }

    /// Steps between measurements.
    public let interval: Int
    /// Micro-batches per measurement (at least 2).
    public let microBatches: Int
    /// The part of the batch used.
    public let probeFraction: Double
    /// Every measurement, in order.
    public internal(set) var measurements: [Measurement] = []
    /// Wall-clock seconds spent measuring.
    public internal(set) var secondsSpent = 0.0
    private var probe: InstrumentProbe?

    /// Creates the instrument.
    public init(interval: Int = 10, microBatches: Int = 4, probeFraction: Double = 0.5) {
        precondition(interval >= 1 && microBatches >= 2 && probeFraction > 0 && probeFraction <= 1,
                     "GradientSignalToNoise: need interval ≥ 1, microBatches ≥ 2, probeFraction in (0, 1]")
        self.interval = interval
        self.microBatches = microBatches
        self.probeFraction = probeFraction
    }

    public func beforeFit(_ trainer: Trainer) throws { probe = InstrumentProbe(trainer: trainer) }

    public func afterBackward(_ trainer: Trainer) throws {
        guard trainer.globalStep % interval == 0, let probe, let batch = trainer.lastBatch else { return }
        let start = Date()
        defer { secondsSpent += Date().timeIntervalSince(start) }
        let n = batch.inputs.shape.first ?? 0
        let minimum = probe.minimumRows
        let size = Swift.min(n / microBatches, Swift.max(minimum, Int(Double(n) * probeFraction) / microBatches))
        guard size >= minimum else { return }
        let gradients: [[[Float]]] = probe.withoutSideEffects {
            (0..<microBatches).map { i in
                let rows = (i * size)..<((i + 1) * size)
                return probe.lossAndGradient(trainer.loss, inputs: InstrumentProbe.rows(batch.inputs, rows),
                                             targets: InstrumentProbe.rows(batch.targets, rows)).1
            }
        }
        let m = Double(microBatches)
        var result: [(String, Double)] = []
        for layer in probe.layers {
            var signal = 0.0, noise = 0.0
            for i in layer.indices {
                let count = gradients[0][i].count
                var mean = [Float](repeating: 0, count: count)
                for g in gradients { for j in 0..<count { mean[j] += g[i][j] } }
                for j in 0..<count { mean[j] /= Float(m) }
                for j in 0..<count { signal += Double(mean[j]) * Double(mean[j]) }
                for g in gradients { for j in 0..<count { let d = Double(g[i][j] - mean[j]); noise += d * d } }
            }
            let trace = noise / (m - 1)
            let batchVariance = trace * Double(size) / Double(n)
            result.append((layer.name, batchVariance > 0 ? signal / batchVariance : (signal > 0 ? .infinity : .nan)))
        }
        measurements.append(Measurement(step: trainer.globalStep, layers: result))
    }

    /// What the measurements show (check `gradient-snr`): a warning when the median layer's
    /// batch-gradient SNR stayed below 1 in most measurements.
    public func findings() -> [DoctorFinding] {
        guard !measurements.isEmpty else { return [] }
        let medians = measurements.map(\.median).filter(\.isFinite)
        let low = medians.filter { $0 < 1 }.count
        let overall = medians.sorted()[safe: medians.count / 2] ?? .nan
        let last = measurements.last!
        let weakest = last.layers.filter(\.snr.isFinite).min { $0.snr < $1.snr }
        let what = "batch-gradient signal-to-noise (from \(microBatches) micro-batches) over \(measurements.count) measurements: median over layers \(DoctorFormat.number(overall))"
            + (weakest.map { "; lowest at the last measurement: \($0.name) \(DoctorFormat.number($0.snr))" } ?? "")
        if low * 2 > medians.count {
            return [DoctorFinding(check: "gradient-snr", status: .warn,
                                  message: what + ": the batch gradient is mostly noise in \(low) of \(medians.count) measurements",
                                  suggestion: "use a larger batch (or accumulate gradients) so that each step follows the signal",
                                  remedies: [.lowerLearningRate])]
        }
        return [DoctorFinding(check: "gradient-snr", status: .ok, message: what)]
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
