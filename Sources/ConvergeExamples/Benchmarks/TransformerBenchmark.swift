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
public enum TransformerBenchmark {
    /// The benchmark as `converge bench` registers it.
    public static let benchmark = Benchmark(
        name: "transformer",
        summary: "training tokens/s of a 4-block pre-LN GPT (d_model 256, context 128, batch 16; AdamW, clipping)"
    ) { options, report in
        let steps = options.size ?? 4, repeats = options.repeats ?? 3
        guard steps > 0, repeats > 0 else { throw BenchmarkError.invalidOption("transformer: --size (steps per window) and --repeats must be positive") }
        report(measure(stepsPerWindow: steps, repeats: repeats))
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
                               batchSize: Int = batchSize) -> BenchmarkResult {
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
                let loss = tokenCrossEntropy(logits: model.logits(x), targets: y)
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
        return BenchmarkResult(label: "transformer", value: rate, unit: "tokens/s",
                               note: "\(Parallel.threadCount) threads, \(BLAS.shared?.summary ?? "Swift GEMM"); best of \(repeats) windows of \(stepsPerWindow) steps, batch \(batchSize)×\(c.contextLength); last loss \(String(format: "%.3f", lastLoss))")
    }
}
