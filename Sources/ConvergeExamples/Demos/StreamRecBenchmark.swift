import Converge
import ConvergeCore
import Foundation

/// `converge bench streamrec`: training throughput (samples per second) of the Chapter 7
/// StreamRec recipe model, the Swift side of `scripts/bench/streamrec_torch.py`.
///
/// The model is ``StreamRecDemo/makeRecipeModel(inputs:hiddenSizes:dropout:)`` — 128 → 256 →
/// 128 → 64 → 1, each hidden layer `Linear` + `BatchNorm` + `ReLU` + `Dropout(0.3)`, He
/// initialization. One training step is what the PyTorch script times: zero the gradients,
/// forward, binary cross-entropy on logits, backward, clip the global gradient norm to 1.0, an
/// AdamW step (lr 1e-3, weight decay 1e-2) and a one-cycle step (per batch). Inputs are random
/// (standard normal features, Bernoulli(0.28) labels), drawn before timing into a pool of at most
/// 16 batches that the steps cycle through, so no data generation is timed.
///
/// For each batch size: a fresh model, optimizer and schedule; ``warmupSteps`` untimed steps;
/// then `windows` timed windows, each at least ``minimumSeconds`` and ``minimumSteps`` long. The
/// median window's throughput is reported as `streamrec batch <B>: <samples/s> samples/s`.
public enum StreamRecBenchmark {
    /// Batch sizes measured when none are given.
    public static let defaultBatchSizes = [64, 256, 1024, 4096]
    /// Timed windows per batch size when `--repeats` is not given.
    public static let defaultWindows = 3
    /// Untimed steps before the timed windows.
    public static let warmupSteps = 20
    /// The shortest timed window, in seconds.
    public static let minimumSeconds = 2.0
    /// The fewest steps in a timed window.
    public static let minimumSteps = 10

    /// The registry entry (`converge bench streamrec [--batch-size B ...] [--repeats R]`).
    public static let benchmark = Benchmark(
        name: "streamrec",
        summary: "Chapter 7 StreamRec recipe training step (128-256-128-64-1, BatchNorm, dropout, AdamW, clipping, one-cycle), samples/s per batch size (default 64 256 1024 4096), the median of --repeats windows of at least 2 s (default 3)"
    ) { options, report in
        if ProcessGroup.launchedWorldSize != nil {   // under mpirun: data-parallel, --batch-size is the global batch
            try StreamRecDataParallelBenchmark.run(group: try ProcessGroup.world(), options: options, report: report)
            return
        }
        let precision = options.precision ?? .float32
        for batchSize in options.batchSizes ?? defaultBatchSizes {
            var cpuRate = 0.0
            let rate = try measure(batchSize: batchSize, windows: options.repeats ?? defaultWindows,
                                   precision: precision, cpuRate: &cpuRate)
            let label = precision == .float32 ? "streamrec batch \(batchSize)" : "streamrec \(precision.rawValue) batch \(batchSize)"
            var result = BenchmarkResult(label: label, value: rate, unit: "samples/s",
                                         note: String(format: "%.0f samples per CPU-second", cpuRate))
            result.details = try gemmShapes(batchSize: batchSize, precision: precision).map { "GEMM " + $0 }
            let memory = try peakTensorBytes(batchSize: batchSize, precision: precision)
            result.details.append(String(format: "peak tensor memory of a step: %.2f MB (activations, gradients and scratch above what the model and data hold)",
                                         Double(memory) / 1e6))
            report(result)
        }
    }

    /// Measures every batch size and returns `(batch size, samples per second)` pairs.
    /// - Throws: ``BenchmarkError/invalidOption(_:)`` for a batch size below 2 or `windows` below 1.
    public static func run(batchSizes: [Int] = defaultBatchSizes, windows: Int = defaultWindows) throws -> [(Int, Double)] {
        try batchSizes.map { ($0, try measure(batchSize: $0, windows: windows)) }
    }

    /// The median throughput of `windows` timed windows at `batchSize`, in samples per second.
    /// - Throws: ``BenchmarkError/invalidOption(_:)`` for a batch size below 2 (batch
    ///   normalization needs two samples) or `windows` below 1; ``BenchmarkError/wrongResult(_:)``
    ///   when the loss is not finite.
    public static func measure(batchSize: Int, windows: Int = defaultWindows, warmup: Int = warmupSteps,
                               minimumSeconds: Double = minimumSeconds, minimumSteps: Int = minimumSteps) throws -> Double {
        var cpuRate = 0.0
        return try measure(batchSize: batchSize, windows: windows, warmup: warmup, minimumSeconds: minimumSeconds,
                           minimumSteps: minimumSteps, precision: .float32, cpuRate: &cpuRate)
    }

    /// Like ``measure(batchSize:windows:warmup:minimumSeconds:minimumSteps:)`` in `precision`
    /// (see ``makeStep(batchSize:seed:precision:)``), and also sets `cpuRate` to the median window's samples per second of process CPU time (all threads), a
    /// figure that a busy machine disturbs less than the wall-clock one.
    public static func measure(batchSize: Int, windows: Int = defaultWindows, warmup: Int = warmupSteps,
                               minimumSeconds: Double = minimumSeconds, minimumSteps: Int = minimumSteps,
                               precision: DType, cpuRate: inout Double) throws -> Double {
        guard batchSize >= 2 else { throw BenchmarkError.invalidOption("--batch-size must be at least 2 (got \(batchSize))") }
        guard windows >= 1 else { throw BenchmarkError.invalidOption("--repeats must be at least 1 (got \(windows))") }
        let step = try makeStep(batchSize: batchSize, precision: precision)
        for _ in 0..<warmup { _ = try step() }
        var rates: [Double] = [], cpuRates: [Double] = []
        func cpuSeconds() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
            return Double(t.tv_sec) + 1e-9 * Double(t.tv_nsec)
        }
        for _ in 0..<windows {
            var steps = 0
            let cpuStart = cpuSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                _ = try step()
                steps += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            } while elapsed < minimumSeconds || steps < minimumSteps
            rates.append(Double(steps * batchSize) / elapsed)
            cpuRates.append(Double(steps * batchSize) / max(cpuSeconds() - cpuStart, 1e-9))
        }
        cpuRate = cpuRates.sorted()[cpuRates.count / 2]
        return rates.sorted()[rates.count / 2]
    }

    /// The matrix products of one training step at `batchSize`, each with the library that
    /// multiplied it: `1024×256×128 NT: oneDNN 2.6.3 (avx512_core_bf16) ×1`.
    public static func gemmShapes(batchSize: Int, precision: DType = .float32) throws -> [String] {
        let step = try makeStep(batchSize: batchSize, precision: precision)
        _ = try step()
        GEMMDispatch.shared.startRecording()
        _ = try step()
        return GEMMDispatch.shared.stopRecording()
    }

    /// The most tensor memory (``BufferPool/peakBytesInUse``) one training step at `batchSize`
    /// holds above what was in use before it: the activations kept for the backward pass, the
    /// gradients and the kernels' scratch.
    public static func peakTensorBytes(batchSize: Int, precision: DType = .float32) throws -> Int {
        let step = try makeStep(batchSize: batchSize, precision: precision)
        _ = try step()
        let before = BufferPool.shared.bytesInUse
        BufferPool.shared.resetPeakBytesInUse()
        _ = try step()
        return BufferPool.shared.peakBytesInUse - before
    }

    /// A fresh model, optimizer, schedule and input pool, and a closure running one training step
    /// and returning its loss.
    ///
    /// With `precision` `.bfloat16` or `.float16` the forward pass runs under ``MixedPrecision``
    /// autocast (bfloat16: the matrix products in bfloat16 with float32 accumulation; float16 adds
    /// dynamic loss scaling).
    static func makeStep(batchSize: Int, seed: UInt64 = 0, precision: DType = .float32) throws -> () throws -> Float {
        Random.seed(seed)
        let model = StreamRecDemo.makeRecipeModel()
        model.train()
        let parameters = model.trainableParameters
        let optimizer = AdamW(parameters, learningRate: 1e-3, weightDecay: 1e-2)
        // The schedule's length only shapes the curve, not the cost of a step.
        let schedule = OneCycleLR(maxLearningRate: 1e-3, totalSteps: 10_000_000)
        let poolSize = max(1, min(16, (1 << 16) / batchSize))
        let generator = RandomGenerator(seed: seed &+ 1)
        let inputs = (0..<poolSize).map { _ in
            Tensor.randomNormal([batchSize, StreamRecData.featureCount], generator: generator)
        }
        let targets = (0..<poolSize).map { _ in
            Tensor(shape: [batchSize, 1], scalars: (0..<batchSize).map { _ in generator.nextUniform() < 0.28 ? 1 : 0 })
        }
        let autocast = precision == .float32 ? nil : MixedPrecision(dtype: precision)
        var index = 0
        return {
            let x = inputs[index % poolSize], y = targets[index % poolSize]
            index += 1
            optimizer.zeroGrad()
            let logits = autocast.map { $0.forward(model, x) } ?? model(x)
            let loss = binaryCrossEntropy(logits: logits, targets: y)
            if let scaler = autocast?.lossScaler {
                scaler.scale(loss).backward()
                if scaler.unscale(parameters) {
                    _ = clipGradNorm(parameters, maxNorm: 1.0)
                }
                scaler.step(optimizer)
                scaler.update()
            } else {
                loss.backward()
                withNoGrad { _ = optimizer.stepWithGradientNorm(clippingTo: 1.0) }   // clip folded into AdamW's pass
            }
            schedule.apply(to: optimizer, step: index)
            let value = loss.item()
            guard value.isFinite else {
                throw BenchmarkError.wrongResult("streamrec batch \(batchSize): the loss is \(value) at step \(index)")
            }
            return value
        }
    }
}
