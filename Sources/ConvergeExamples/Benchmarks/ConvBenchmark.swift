import Converge
import Foundation

/// `converge bench conv`: the time of one training step of two convolutional nets, the Swift side
/// of `scripts/bench/conv_torch.py` (`scripts/bench/conv_compare.sh` runs both):
///
/// - **digits CNN**, the model `converge demo digits` trains (``DigitsDemo/makeCNN()``): on
///   [N, 1, 8, 8], `Conv2d(1, 16, 3, padding 1)`, ReLU, `Conv2d(16, 32, 3, padding 1)`, ReLU,
///   `MaxPool2d(2)`, `Flatten`, `Linear(512, 64)`, ReLU, `Linear(64, 10)`; batch 32 (the demo's)
///   and 256.
/// - **Conv1d net** on [N, 8, 256] sequences: `Conv1d(8, 32, 5, padding 2)`, ReLU, `MaxPool1d(2)`,
///   `Conv1d(32, 64, 5, padding 2)`, ReLU, `MaxPool1d(2)`, `Flatten`, `Linear(4096, 10)`; batch 64.
///
/// A step is forward, cross-entropy on random labels, backward and an AdamW step (lr 1e-3, weight
/// decay 1e-2). With `--precision bfloat16` the forward pass runs under ``MixedPrecision``
/// autocast. Inputs are drawn before timing (a pool of 4 batches); warm-up steps, then windows of
/// at least 1 s; the median window's mean step time is reported.
public enum ConvBenchmark {
    /// The two models.
    public enum Model: String, CaseIterable, Sendable {
        /// The digits demo's CNN.
        case digitsCNN = "digits-cnn"
        /// The Conv1d net.
        case conv1d = "conv1d"

        /// The batch sizes measured when `--batch-size` is not given.
        public var defaultBatchSizes: [Int] {
            switch self {
            case .digitsCNN: return [32, 256]
            case .conv1d: return [64]
            }
        }

        /// The input shape of one sample.
        public var sampleShape: [Int] {
            switch self {
            case .digitsCNN: return [1, 8, 8]
            case .conv1d: return [8, 256]
            }
        }

        /// A freshly initialized model.
        public func make() -> Sequential {
            switch self {
            case .digitsCNN: return DigitsDemo.makeCNN()
            case .conv1d:
                return Sequential {
                    Conv1d(8, 32, kernelSize: 5, padding: 2); ReLU(); MaxPool1d(kernelSize: 2)
                    Conv1d(32, 64, kernelSize: 5, padding: 2); ReLU(); MaxPool1d(kernelSize: 2)
                    Flatten()
                    Linear(64 * 64, 10)
                }
            }
        }
    }

    /// The registry entry.
    public static let benchmark = Benchmark(
        name: "conv",
        summary: "training step time of the digits CNN (batch 32, 256) and a Conv1d net (batch 64), µs/step; --batch-size, --precision bfloat16"
    ) { options, report in
        let precision = options.precision ?? .float32
        for model in Model.allCases {
            for batchSize in options.batchSizes ?? model.defaultBatchSizes {
                let seconds = try measure(model, batchSize: batchSize, windows: options.repeats ?? 3, precision: precision)
                let label = precision == .float32 ? "conv \(model.rawValue) batch \(batchSize)"
                    : "conv \(model.rawValue) \(precision.rawValue) batch \(batchSize)"
                report(BenchmarkResult(label: label, value: seconds * 1e6, unit: "us/step",
                                       note: String(format: "%.0f samples/s", Double(batchSize) / seconds)))
            }
        }
    }

    /// The median over `windows` windows (each at least `minimumSeconds`) of the mean step time,
    /// in seconds, after `warmup` steps.
    /// - Throws: ``BenchmarkError/invalidOption(_:)`` for a batch size or `windows` below 1, and
    ///   ``BenchmarkError/wrongResult(_:)`` when the loss is not finite.
    public static func measure(_ model: Model, batchSize: Int, windows: Int = 3, warmup: Int = 5,
                               minimumSeconds: Double = 1, minimumSteps: Int = 5, precision: DType = .float32) throws -> Double {
        guard batchSize >= 1 else { throw BenchmarkError.invalidOption("--batch-size must be at least 1 (got \(batchSize))") }
        guard windows >= 1 else { throw BenchmarkError.invalidOption("--repeats must be at least 1 (got \(windows))") }
        let step = makeStep(model, batchSize: batchSize, precision: precision)
        for _ in 0..<warmup { _ = try step() }
        var times: [Double] = []
        for _ in 0..<windows {
            var steps = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                _ = try step()
                steps += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            } while elapsed < minimumSeconds || steps < minimumSteps
            times.append(elapsed / Double(steps))
        }
        return times.sorted()[times.count / 2]
    }

    /// A fresh model, optimizer and input pool, and a closure running one step and returning its loss.
    static func makeStep(_ kind: Model, batchSize: Int, precision: DType = .float32, seed: UInt64 = 0) -> () throws -> Float {
        Random.seed(seed)
        let model = kind.make()
        model.train()
        let optimizer = AdamW(model.trainableParameters, learningRate: 1e-3, weightDecay: 1e-2)
        let generator = RandomGenerator(seed: seed &+ 1)
        let pool = 4
        let inputs = (0..<pool).map { _ in Tensor.randomNormal([batchSize] + kind.sampleShape, generator: generator) }
        let labels = (0..<pool).map { _ in
            Tensor(shape: [batchSize], scalars: (0..<batchSize).map { _ in Float(Int(generator.nextUniform() * 10) % 10) })
        }
        return ClassificationBenchmarkStep.make(model: model, optimizer: optimizer, inputs: inputs, labels: labels,
                                                precision: precision, name: "conv \(kind.rawValue)")
    }
}
