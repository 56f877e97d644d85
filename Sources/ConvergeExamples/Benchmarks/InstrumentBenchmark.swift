import Converge
import Foundation

/// The doctor's instruments' overhead: the same training run with and without every instrument
/// (``InstrumentPanel``: gradient signal-to-noise, update-to-weight ratio, sharpness, step-size
/// quality) on every 10th step, for a StreamRec-sized MLP (128 → 256 → 128 → 1, BatchNorm, dropout, AdamW, batch
/// 256) and an LSTM sequence classifier. Each run is the best of the timed runs, plain and
/// instrumented interleaved; the overhead is the relative difference of wall time per step.
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
        summary: "overhead of every doctor instrument on every 10th step (MLP and LSTM)"
    ) { options, report in
        let repeats = options.repeats ?? 3
        for config in ["mlp", "lstm"] {
            let (plain, instrumented, spent) = try measure(config: config, repeats: repeats, interval: options.size ?? 10)
            let overhead = (instrumented - plain) / plain * 100
            let shares = spent.map { "\($0.0) \(String(format: "%.1f", $0.1 / plain * 100))%" }.joined(separator: ", ")
            let inRun = spent.reduce(0) { $0 + $1.1 } / plain * 100
            report(BenchmarkResult(label: "instruments \(config)", value: overhead, unit: "% of step time",
                                   note: String(format: "%.3f ms/step plain, %.3f ms/step instrumented; time inside the instruments %.1f%% of a plain step: ", plain * 1e3, instrumented * 1e3, inRun) + shares))
        }
    }

    /// Seconds per step without and with the instruments, and each instrument's own seconds per step.
    static func measure(config: String, repeats: Int, interval: Int) throws -> (Double, Double, [(String, Double)]) {
        let g = RandomGenerator(seed: 7)
        let count = 8192, epochs = 2
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
        func run(_ instruments: [Callback]) throws -> Double {
            Random.seed(1)
            let model: Module = config == "mlp"
                ? Sequential { Linear(128, 256); BatchNorm(256); ReLU(); Dropout(0.3); Linear(256, 128); BatchNorm(128); ReLU(); Dropout(0.3); Linear(128, 1) }
                : SequenceModel()
            let optimizer = AdamW(ParameterGroup.weightDecaySplit(model.parameters, weightDecay: 1e-2), learningRate: 1e-3, weightDecay: 1e-2)
            let trainer = Trainer(model: model, optimizer: optimizer, loss: .binaryCrossEntropyWithLogits,
                                  callbacks: instruments + [GradientClipping(maxNorm: 1)])
            let loader = DataLoader(data, batchSize: batch, shuffle: true, seed: 2)
            let start = DispatchTime.now().uptimeNanoseconds
            try trainer.fit(train: loader, epochs: epochs)
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(trainer.globalStep)
        }
        _ = try run([])
        var plain = Double.infinity, instrumented = Double.infinity
        var spent: [(String, Double)] = []
        for _ in 0..<Swift.max(1, repeats) {
            plain = Swift.min(plain, try run([]))
            let panel = InstrumentPanel(interval: interval)
            let t = try run([panel])
            if t < instrumented {
                instrumented = t
                let steps = Double(epochs * ((data.count + batch - 1) / batch))
                spent = [("snr", panel.signalToNoise.secondsSpent / steps), ("update-ratio", panel.updateRatio.secondsSpent / steps),
                         ("sharpness", panel.sharpness.secondsSpent / steps), ("alpha", panel.stepQuality.secondsSpent / steps)]
            }
        }
        return (plain, instrumented, spent)
    }
}
