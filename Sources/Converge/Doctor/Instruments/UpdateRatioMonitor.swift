import ConvergeCore
import Foundation

/// The update-to-weight ratio per layer, ‖θₜ₊₁ − θₜ‖ / ‖θₜ‖, every `interval` steps: the size of
/// what one optimizer step changes against the size of the weights. Around 1e-3 is the usual
/// healthy value; far above (1e-1), the learning rate is too high for that layer; far below
/// (1e-6), the layer barely learns. Covers any Module (layers are module paths).
public final class UpdateRatioMonitor: Callback {
    /// One measurement.
    public struct Measurement: Sendable {
        /// The optimizer step (after it).
        public var step: Int
        /// The ratio per layer.
        public var layers: [(name: String, ratio: Double)]

        /// The median over layers.
        public var median: Double {
            let v = layers.map(\.ratio).filter(\.isFinite).sorted()
            return v.isEmpty ? .nan : v[v.count / 2]
        }
    }

    /// Steps between measurements.
    public let interval: Int
    /// Above this median ratio, updates are too large (warn).
    public var highLimit = 0.05
    /// Below this median ratio, updates are too small (warn).
    public var lowLimit = 1e-6
    /// Every measurement.
    public internal(set) var measurements: [Measurement] = []
    /// Wall-clock seconds spent measuring.
    public internal(set) var secondsSpent = 0.0
    private var probe: InstrumentProbe?
    private var before: [[Float]]?

    /// Creates the instrument.
    public init(interval: Int = 10) {
        precondition(interval >= 1, "UpdateRatioMonitor: interval must be at least 1")
        self.interval = interval
    }

    public func beforeFit(_ trainer: Trainer) throws { probe = InstrumentProbe(trainer: trainer) }

    public func afterBackward(_ trainer: Trainer) throws {
        guard trainer.globalStep % interval == 0, let probe else { return }
        let start = Date()
        before = probe.values()
        secondsSpent += Date().timeIntervalSince(start)
    }

    public func afterStep(_ trainer: Trainer) throws {
        guard let before, let probe else { return }
        self.before = nil
        let start = Date()
        defer { secondsSpent += Date().timeIntervalSince(start) }
        var layers: [(String, Double)] = []
        for layer in probe.layers {
            var change = 0.0, size = 0.0
            for i in layer.indices {
                let x = probe.parameters[i].storage.pointer
                before[i].withUnsafeBufferPointer { b in
                    for j in 0..<b.count {
                        let d = Double(x[j] - b[j])
                        change += d * d
                        size += Double(b[j]) * Double(b[j])
                    }
                }
            }
            layers.append((layer.name, size > 0 ? (change / size).squareRoot() : (change > 0 ? .infinity : 0)))
        }
        measurements.append(Measurement(step: trainer.globalStep, layers: layers))
    }

    /// What the measurements show (check `update-ratio`).
    public func findings() -> [DoctorFinding] {
        guard !measurements.isEmpty else { return [] }
        let medians = measurements.map(\.median).filter(\.isFinite).sorted()
        guard !medians.isEmpty else { return [] }
        let median = medians[medians.count / 2]
        let what = "update-to-weight ratio ‖Δθ‖/‖θ‖ over \(measurements.count) measurements: median over layers \(DoctorFormat.number(median)) (healthy near 1e-3)"
        if median > highLimit {
            let worst = measurements.last!.layers.max { $0.ratio < $1.ratio }!
            return [DoctorFinding(check: "update-ratio", status: .warn,
                                  message: what + "; each step rewrites a large part of the weights (largest: \(worst.name) \(DoctorFormat.number(worst.ratio)))",
                                  remedies: [.lowerLearningRate])]
        }
        if median < lowLimit {
            return [DoctorFinding(check: "update-ratio", status: .warn, message: what + "; the weights barely move",
                                  remedies: [.raiseLearningRate])]
        }
        return [DoctorFinding(check: "update-ratio", status: .ok, message: what)]
    }
}
