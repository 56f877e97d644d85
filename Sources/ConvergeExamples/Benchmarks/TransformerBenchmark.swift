import Converge
import Foundation

/// `converge bench transformer`: training-step throughput of one fixed GPT, in tokens per second.
///
/// The model and step are the issue's, and `scripts/bench/transformer_torch.py` builds the same
/// in PyTorch: byte vocabulary (256), 4 pre-LN blocks, d_model 256, 4 heads, feed-forward 1024
/// with GELU, context 128, batch 16, dropout 0.1, tied embeddings, learned positions. One step:
/// forward, per-token cross-entropy, backward, `clipGradNorm(maxNorm: 1)`, AdamW (lr 3e-4,
/// weight decay 0.1 on every parameter, as `torch.optim.AdamW(model.parameters())`). The token
/// batches are random and drawn before timing. The figure is the best of `repeats` timed windows
/// of `size` steps (defaults 3 and 4) after one untimed warm-up window.
///
/// With `--precision bfloat16` the forward pass runs under bfloat16 autocast as PyTorch's
/// `torch.autocast("cpu", dtype=torch.bfloat16)` does for this model: every matrix product
/// (the projections, the feed-forward layers, the attention products and the tied output head)
/// runs with ``GEMMPrecision/bfloat16`` — operands rounded to bfloat16, float32 accumulation —
/// and the backward pass runs each product in the precision its forward pass used. LayerNorm,
/// softmax, the loss and the optimizer stay float32, as in PyTorch.
public enum TransformerBenchmark {
    /// The benchmark as `converge bench` registers it.
    public static let benchmark = Benchmark(
        name: "transformer",
        summary: "training tokens/s of a 4-block pre-LN GPT (d_model 256, context 128, batch 16; AdamW, clipping); --precision bfloat16 for autocast"
    ) { options, report in
        let steps = options.size ?? 4, repeats = options.repeats ?? 3
        guard steps > 0, repeats > 0 else { throw BenchmarkError.invalidOption("transformer: --size (steps per window) and --repeats must be positive") }
        let precision = options.precision ?? .float32
        let gemmPrecision: GEMMPrecision
        switch precision {
        case .float32: gemmPrecision = .float32
        case .bfloat16: gemmPrecision = .bfloat16
        default: throw BenchmarkError.invalidOption("transformer: --precision must be float32 or bfloat16, got \(precision.rawValue)")
        }
        report(measure(stepsPerWindow: steps, repeats: repeats, precision: gemmPrecision))
    }

    /// The benchmark's model.
    public static let configuration = GPTConfiguration(vocabularySize: 256, contextLength: 128, modelDimension: 256,
                                                       headCount: 4, layerCount: 4, feedForwardDimension: 1024,
                                                       dropout: 0.1, activation: .gelu(.none), normFirst: true,
                                                       positionalEncoding: .learned, tiedEmbeddings: true)

    /// Batch size of the benchmark.
    public static let batchSize = 16

    /// Times `repeats` windows of `stepsPerWindow` training steps and reports the best.
    public static func measure(stepsPerWindow: Int, repeats: Int, configuration c: GPTConfiguration = configuration,
                               batchSize: Int = batchSize, precision: GEMMPrecision = .float32) -> BenchmarkResult {
        Random.seed(0)
        let model = GPT(c)
        let optimizer = AdamW(model.parameters, learningRate: 3e-4, weightDecay: 0.1)
        let generator = RandomGenerator(seed: 1)
        let tokens = batchSize * c.contextLength
        let batches: [(IndexTensor, IndexTensor)] = (0..<4).map { _ in
            let x = (0..<tokens).map { _ in Int(generator.next() % UInt64(c.vocabularySize)) }
            let y = (0..<tokens).map { _ in Int(generator.next() % UInt64(c.vocabularySize)) }
            return (IndexTensor(shape: [batchSize, c.contextLength], x), IndexTensor(shape: [batchSize, c.contextLength], y))
        }
        var step = 0
        var lastLoss: Float = 0
        func window() {
            for _ in 0..<stepsPerWindow {
                let (x, y) = batches[step % batches.count]
                step += 1
                optimizer.zeroGrad()
                let logits = Kernels.withGEMMPrecision(precision) { model.logits(x) }
                let loss = tokenCrossEntropy(logits: logits, targets: y)
                loss.backward()
                _ = clipGradNorm(model.parameters, maxNorm: 1)
                optimizer.step()
                lastLoss = loss.item()
            }
        }
        model.train()
        let times = Benchmark.time(repeats: repeats, window)
        let best = times.min() ?? 1
        let rate = Double(stepsPerWindow * tokens) / best
        let label = precision == .float32 ? "transformer" : "transformer \(precision.rawValue)"
        let arithmetic = precision == .float32 ? "" : (Kernels.bfloat16EmulationReason.map { "bfloat16 emulated (\($0)); " } ?? "bfloat16 GEMMs on oneDNN; ")
        return BenchmarkResult(label: label, value: rate, unit: "tokens/s",
                               note: "\(arithmetic)\(Parallel.threadCount) threads, C kernels \(Kernels.vectorISA), \(BLAS.shared?.summary ?? "Swift GEMM"); best of \(repeats) windows of \(stepsPerWindow) steps, batch \(batchSize)×\(c.contextLength); last loss \(String(format: "%.3f", lastLoss))")
    }
}
