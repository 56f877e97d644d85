import Converge
import Foundation

/// The doctor's instruments' overhead: the same training run with and without every instrument
/// (``InstrumentPanel``: gradient signal-to-noise, update-to-weight ratio, sharpness, step-size
/// quality) on every 10th step, for a StreamRec-sized MLP (128 → 256 → 128 → 1, BatchNorm,
/// dropout, AdamW, batch 256, 160 steps) and an LSTM sequence classifier (batch 64, 160 steps).
/// Plain and instrumented runs alternate (which goes first alternates too), `--repeats` rounds
/// after one warm-up of each; the overhead is the relative difference of the median wall time
/// per step. The time inside each instrument (the panel's own clocks) is reported beside it, as
/// a share of the median plain step, the process CPU time per step (less sensitive to other
/// processes than wall time), and the load average before and after.
public enum InstrumentBenchmark {
    /// An LSTM over [B, 20, 16], the last hidden state into a Linear head.
    final class SequenceModel: Module {
        let lstm = LSTM(inputSize: 16, hiddenSize: 64, batchFirst: true)
        let head = Linear(64, 1)
        override func forward(_ input: Tensor) -> Tensor {
            let out = lstm(input)
            let steps = input.shape[1]
            return head(out.sliced(alongAxis: 1, (steps - 1)..<steps).reshaped([input.shape[0], 64]))
        }
    }

    /// The registered benchmark (`converge bench instruments`).
    public static let benchmark = Benchmark(
        name: "instruments",
        summary: "overhead of every doctor instrument on every 10th step (MLP and LSTM), plain and instrumented runs alternating"
    ) { options, report in
        let repeats = Swift.max(1, options.repeats ?? 3)
        let interval = options.size ?? 10
        for config in ["mlp", "lstm"] {
            let before = loadAverage()
            let m = try measure(config: config, repeats: repeats, interval: interval)
            let plain = median(m.plain), instrumented = median(m.instrumented)
            let overhead = (instrumented - plain) / plain * 100
            var result = BenchmarkResult(label: "instruments \(config)", value: overhead, unit: "% of step time (wall clock, medians)",
                                         note: String(format: "%.3f ms/step plain, %.3f ms/step instrumented, every %d steps, median of %d rounds; load %@ → %@",
                                                      plain * 1e3, instrumented * 1e3, interval, repeats, before, loadAverage()))
            let cpuPlain = median(m.cpuPlain), cpuInstrumented = median(m.cpuInstrumented)
            result.details.append(String(format: "process CPU time: %.3f ms/step plain, %.3f ms/step instrumented: %+.1f%% (less sensitive to the machine's load than wall time)",
                                         cpuPlain * 1e3, cpuInstrumented * 1e3, (cpuInstrumented - cpuPlain) / cpuPlain * 100))
            result.details.append("round: plain ms/step, instrumented ms/step, overhead (wall clock)")
            for (i, (p, q)) in zip(m.plain, m.instrumented).enumerated() {
                result.details.append(String(format: "  %d: %.3f, %.3f, %+.1f%%", i + 1, p * 1e3, q * 1e3, (q - p) / p * 100))
            }
            let inside = m.spent.reduce(0) { $0 + median($1.1) }
            result.details.append(String(format: "time inside the instruments (median per step, %% of a plain step): total %.1f%%; ", inside / plain * 100)
                                  + m.spent.map { "\($0.0) \(String(format: "%.1f", median($0.1) / plain * 100))%" }.joined(separator: ", "))
            report(result)
        }
    }

    static func median(_ values: [Double]) -> Double {
        let v = values.sorted()
        guard !v.isEmpty else { return .nan }
        return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
    }

    /// The 1-minute load average (`/proc/loadavg`), or `?`.
    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { String($0.split(separator: " ").first ?? "?") } ?? "?"
    }

    /// The process's CPU time in seconds (all threads).
    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Wall and CPU seconds per step without and with the instruments in each round, and each
    /// instrument's own seconds per step in each instrumented round.
    static func measure(config: String, repeats: Int, interval: Int)
        throws -> (plain: [Double], instrumented: [Double], cpuPlain: [Double], cpuInstrumented: [Double], spent: [(String, [Double])]) {
        let g = RandomGenerator(seed: 7)
        let count = 8192
        let data: TensorDataset
        if config == "mlp" {
            data = TensorDataset(features: Tensor(shape: [count, 128], scalars: (0..<(count * 128)).map { _ in Float(g.nextUniformDouble() * 2 - 1) }),
                                 labels: Tensor(shape: [count, 1], scalars: (0..<count).map { _ in Float(g.nextUniformDouble() < 0.5 ? 0 : 1) }))
        } else {
            let n = count / 8
            data = TensorDataset(features: Tensor(shape: [n, 20, 16], scalars: (0..<(n * 320)).map { _ in Float(g.nextUniformDouble() * 2 - 1) }),
                                 labels: Tensor(shape: [n, 1], scalars: (0..<n).map { _ in Float(g.nextUniformDouble() < 0.5 ? 0 : 1) }))
        }
        let batch = config == "mlp" ? 256 : 64
        // 160 steps either way (32 × 5 and 16 × 10): measured at steps 0, 10, …, 150, one step in ten.
        let epochs = config == "mlp" ? 5 : 10
        func run(_ instruments: [Callback]) throws -> (wall: Double, cpu: Double) {
            Random.seed(1)
            let model: Module = config == "mlp"
                ? Sequential { Linear(128, 256); BatchNorm(256); ReLU(); Dropout(0.3); Linear(256, 128); BatchNorm(128); ReLU(); Dropout(0.3); Linear(128, 1) }
                : SequenceModel()
            let optimizer = AdamW(ParameterGroup.weightDecaySplit(model.parameters, weightDecay: 1e-2), learningRate: 1e-3, weightDecay: 1e-2)
            let trainer = Trainer(model: model, optimizer: optimizer, loss: .binaryCrossEntropyWithLogits,
                                  callbacks: instruments + [GradientClipping(maxNorm: 1)])
            let loader = DataLoader(data, batchSize: batch, shuffle: true, seed: 2)
            let start = DispatchTime.now().uptimeNanoseconds, cpu = cpuSeconds()
            try trainer.fit(train: loader, epochs: epochs)
            let steps = Double(trainer.globalStep)
            return (Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / steps, (cpuSeconds() - cpu) / steps)
        }
        _ = try run([])
        _ = try run([InstrumentPanel(interval: interval)])
        var plain: [Double] = [], instrumented: [Double] = [], cpuPlain: [Double] = [], cpuInstrumented: [Double] = []
        var spent: [(String, [Double])] = [("snr", []), ("update-ratio", []), ("sharpness", []), ("alpha", [])]
        let steps = Double(epochs * ((data.count + batch - 1) / batch))
        for round in 0..<repeats {
            let panel = InstrumentPanel(interval: interval)
            func runPlain() throws { let t = try run([]); plain.append(t.wall); cpuPlain.append(t.cpu) }
            func runInstrumented() throws { let t = try run([panel]); instrumented.append(t.wall); cpuInstrumented.append(t.cpu) }
            if round % 2 == 0 {
                try runPlain()
                try runInstrumented()
            } else {
                try runInstrumented()
                try runPlain()
            }
            let seconds = [panel.signalToNoise.secondsSpent, panel.updateRatio.secondsSpent, panel.sharpness.secondsSpent, panel.stepQuality.secondsSpent]
            for i in spent.indices { spent[i].1.append(seconds[i] / steps) }
        }
        return (plain, instrumented, cpuPlain, cpuInstrumented, spent)
    }
}
