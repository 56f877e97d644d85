import Converge
import Foundation

/// `converge bench mlp`: training throughput (samples per second) of a GEMM-bound MLP,
/// 512 → 2048 → 2048 → 3 with ReLU, at batch 512: cross-entropy on random labels and an AdamW step
/// (lr 1e-3, weight decay 1e-2). The Swift side of `scripts/bench/mlp_torch.py`.
///
/// A step costs about 3 · 2 · 512 · (512·2048 + 2048·2048 + 2048·3) ≈ 16.1 GFLOP, nearly all of it
/// in nine matrix products, so the figure follows the GEMM library (see ``GEMMDispatch``). With
/// `--precision bfloat16` the forward pass runs under ``MixedPrecision`` autocast. Inputs are drawn
/// before timing (a pool of 4 batches); ``StreamRecBenchmark``'s timing rules apply: warm-up steps,
/// then windows of at least 2 s, the median window reported.
public enum MLPBenchmark {
    /// The batch size when `--batch-size` is not given.
    public static let defaultBatchSize = 512
    /// The layer widths.
    public static let widths = [512, 2048, 2048, 3]

    /// The registry entry.
    public static let benchmark = Benchmark(
        name: "mlp",
        summary: "GEMM-bound MLP 512-2048-2048-3 training step (ReLU, cross-entropy, AdamW) at batch 512 (--batch-size), samples/s; --precision bfloat16 for autocast"
    ) { options, report in
        let precision = options.precision ?? .float32
        for batchSize in options.batchSizes ?? [defaultBatchSize] {
            let rate = try measure(batchSize: batchSize, windows: options.repeats ?? 3, precision: precision)
            let label = precision == .float32 ? "mlp batch \(batchSize)" : "mlp \(precision.rawValue) batch \(batchSize)"
            report(BenchmarkResult(label: label, value: rate, unit: "samples/s",
                                   note: GEMMDispatch.shared.describe(GEMMDispatch.shared.library(m: batchSize, n: 2048, k: 2048), shapeClass: GEMMDispatch.ShapeClass(m: batchSize, n: 2048, k: 2048))))
        }
    }

    /// The median throughput of `windows` windows of at least `minimumSeconds`, after `warmup` steps.
    /// - Throws: ``BenchmarkError/invalidOption(_:)`` for a batch size or `windows` below 1, and
    ///   ``BenchmarkError/wrongResult(_:)`` when the loss is not finite.
    public static func measure(batchSize: Int, windows: Int = 3, warmup: Int = 3, minimumSeconds: Double = 2,
                               minimumSteps: Int = 3, precision: DType = .float32) throws -> Double {
        guard batchSize >= 1 else { throw BenchmarkError.invalidOption("--batch-size must be at least 1 (got \(batchSize))") }
        guard windows >= 1 else { throw BenchmarkError.invalidOption("--repeats must be at least 1 (got \(windows))") }
        let step = makeStep(batchSize: batchSize, precision: precision)
        for _ in 0..<warmup { _ = try step() }
        var rates: [Double] = []
        for _ in 0..<windows {
            var steps = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                _ = try step()
                steps += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            } while elapsed < minimumSeconds || steps < minimumSteps
            rates.append(Double(steps * batchSize) / elapsed)
        }
        return rates.sorted()[rates.count / 2]
    }

    /// A fresh model, optimizer and input pool, and a closure running one step and returning its loss.
    static func makeStep(batchSize: Int, precision: DType = .float32, seed: UInt64 = 0) -> () throws -> Float {
        Random.seed(seed)
        let model = Sequential {
            Linear(widths[0], widths[1]); ReLU()
            Linear(widths[1], widths[2]); ReLU()
            Linear(widths[2], widths[3])
        }
        model.train()
        let parameters = model.trainableParameters
        let optimizer = AdamW(parameters, learningRate: 1e-3, weightDecay: 1e-2)
        let generator = RandomGenerator(seed: seed &+ 1)
        let pool = 4
        let inputs = (0..<pool).map { _ in Tensor.randomNormal([batchSize, widths[0]], generator: generator) }
        let labels = (0..<pool).map { _ in
            Tensor(shape: [batchSize], scalars: (0..<batchSize).map { _ in Float(Int(generator.nextUniform() * 3) % 3) })
        }
        return ClassificationBenchmarkStep.make(model: model, optimizer: optimizer, inputs: inputs, labels: labels,
                                                precision: precision, name: "mlp")
    }
}
