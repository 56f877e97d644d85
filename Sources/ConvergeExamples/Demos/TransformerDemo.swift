import Converge
import ConvergeCore
import Foundation

/// `converge demo transformer`: the seeds' Transformer claims, measured on a character-level
/// language model.
///
/// Every run trains the same small GPT (same initial weights where the architecture agrees, the
/// same batches in the same order) on ``tinyCorpus()`` (generated text shipped with Converge),
/// and differs from the reference run in one setting only:
///
/// | run | blocks | warmup | GPT-2 residual scaling | clipping |
/// | --- | --- | --- | --- | --- |
/// | post-LN + warmup | post-LN | yes | yes | 1.0 |
/// | post-LN, no warmup | post-LN | no | yes | 1.0 |
/// | pre-LN, no warmup (reference) | pre-LN | no | yes | 1.0 |
/// | pre-LN, no residual scaling | pre-LN | no | no | 1.0 |
/// | pre-LN, no clipping | pre-LN | no | yes | none |
/// | post-LN, no warmup, no clipping | post-LN | no | yes | none |
///
/// AdamW (β = 0.9/0.95, weight decay 0.1 on matrices), a peak learning rate chosen high enough to
/// stress the model, linear warmup (when on) then cosine decay to a tenth. The table reports the
/// final validation loss (per character, nats) and perplexity, loss spikes (``LossSpikeDetector``:
/// a training loss more than 4 standard deviations above the mean of the previous 50), whether
/// the run diverged (a non-finite loss, or a final validation loss above the initial one), and
/// the largest gradient norm. A few lines sampled from the best run end the report.
public enum TransformerDemo {
    /// Everything the outcome depends on.
    public struct Configuration {
        /// Training steps of every run.
        public var steps = 300
        /// Sequences per batch.
        public var batchSize = 16
        /// Characters per sequence.
        public var context = 64
        /// Width of the model.
        public var modelDimension = 64
        /// Blocks.
        public var layerCount = 4
        /// Heads per block.
        public var headCount = 4
        /// Dropout.
        public var dropout: Float = 0
        /// Peak learning rate.
        public var learningRate = 1e-2
        /// Warmup steps of the runs with warmup.
        public var warmupSteps = 60
        /// Steps between validation measurements.
        public var evaluationInterval = 25
        /// Validation windows per measurement.
        public var validationWindows = 48
        /// Characters sampled at the end.
        public var sampleLength = 240
        /// Seed of initialization, batches and sampling.
        public var seed: UInt64 = 0

        /// The defaults.
        public init() {}
    }

    /// One variant's settings.
    public struct Variant: Sendable {
        /// The name in the table.
        public let name: String
        /// Pre-LN blocks when true.
        public let normFirst: Bool
        /// Linear warmup before the cosine decay.
        public let warmup: Bool
        /// GPT-2 residual scaling at initialization.
        public let residualScaling: Bool
        /// Gradient-norm clipping threshold, or nil.
        public let clipNorm: Double?
        /// Blocks as a multiple of ``Configuration/layerCount`` (2 for the deep pair that tests
        /// residual scaling where the seeds say it matters).
        public var depthMultiplier: Int = 1

        /// The number of blocks under `configuration`.
        public func layerCount(_ configuration: Configuration) -> Int { configuration.layerCount * depthMultiplier }
    }

    /// The eight variants, in table order: six at ``Configuration/layerCount`` blocks and a pair at
    /// twice the depth, with and without GPT-2 residual scaling.
    public static let variants: [Variant] = [
        Variant(name: "post-LN + warmup", normFirst: false, warmup: true, residualScaling: true, clipNorm: 1),
        Variant(name: "post-LN, no warmup", normFirst: false, warmup: false, residualScaling: true, clipNorm: 1),
        Variant(name: "pre-LN, no warmup", normFirst: true, warmup: false, residualScaling: true, clipNorm: 1),
        Variant(name: "pre-LN, no residual scaling", normFirst: true, warmup: false, residualScaling: false, clipNorm: 1),
        Variant(name: "pre-LN, no clipping", normFirst: true, warmup: false, residualScaling: true, clipNorm: nil),
        Variant(name: "post-LN, no warmup, no clipping", normFirst: false, warmup: false, residualScaling: true, clipNorm: nil),
        Variant(name: "pre-LN, 2x depth", normFirst: true, warmup: false, residualScaling: true, clipNorm: 1, depthMultiplier: 2),
        Variant(name: "pre-LN, 2x depth, no res. scaling", normFirst: true, warmup: false, residualScaling: false, clipNorm: 1,
                depthMultiplier: 2),
    ]

    /// What one run measured.
    public struct Run {
        /// The variant.
        public let variant: Variant
        /// Training loss at every step.
        public let trainLoss: [Double]
        /// Validation loss at the measured steps.
        public let validationLoss: [(step: Int, loss: Double)]
        /// Gradient norm (before clipping) at every step.
        public let gradientNorm: [Double]
        /// Loss spikes found.
        public let spikes: [LossSpikeDetector.Spike]
        /// Validation loss before training.
        public let initialValidationLoss: Double
        /// Seconds the run took.
        public let seconds: Double
        /// The trained model.
        public let model: GPT

        /// The last validation loss.
        public var finalValidationLoss: Double { validationLoss.last?.loss ?? .nan }
        /// `exp(final validation loss)`.
        public var perplexity: Double { Foundation.exp(finalValidationLoss) }
        /// Whether the run failed: a non-finite loss, or ending above where it started.
        public var diverged: Bool {
            trainLoss.contains { !$0.isFinite } || !(finalValidationLoss < initialValidationLoss)
        }
    }

    /// The outcome of all runs.
    public struct Report {
        /// The settings.
        public let configuration: Configuration
        /// Runs, in ``variants`` order.
        public let runs: [Run]
        /// Characters in the corpus and the vocabulary size.
        public let corpusCharacters: Int, vocabularySize: Int
        /// The prompt and the text sampled from the best run.
        public let prompt: String, sample: String, sampleRun: String

        /// The run named `name`.
        public func run(_ name: String) -> Run { runs.first { $0.variant.name == name }! }

        /// The comparison table.
        public func table() -> TextTable {
            var table = TextTable(header: ["Run", "Blocks", "Warmup", "Res. scaling", "Clip", "Final val loss", "Perplexity",
                                           "Spikes", "Diverged", "Max grad norm", "Time"])
            for r in runs {
                let v = r.variant
                table.append([v.name, "\(v.layerCount(configuration))", v.warmup ? "yes" : "no", v.residualScaling ? "yes" : "no",
                              v.clipNorm.map { DemoFormat.fixed($0, 1) } ?? "none",
                              DemoFormat.fixed(r.finalValidationLoss, 4), DemoFormat.fixed(r.perplexity, 2),
                              "\(r.spikes.count)", r.diverged ? "yes" : "no",
                              DemoFormat.fixed(r.gradientNorm.filter(\.isFinite).max() ?? .nan, 2),
                              "\(DemoFormat.fixed(r.seconds, 1)) s"])
            }
            return table
        }

        /// One line per claim: what the seeds say, what was measured, and whether the direction held.
        public func claims() -> [String] {
            func loss(_ name: String) -> Double { run(name).finalValidationLoss }
            func verdict(_ held: Bool) -> String { held ? "reproduced" : "NOT reproduced (reported as measured)" }
            /// Clipping "helps" when it removes spikes or lowers the final loss by more than 1%;
            /// within 1% and with equal spikes there is no measurable difference.
            func clipVerdict(_ with: Run, _ without: Run) -> String {
                let a = with.finalValidationLoss, b = without.finalValidationLoss
                if with.spikes.count < without.spikes.count || a < 0.99 * b { return "reproduced" }
                if with.spikes.count == without.spikes.count && Swift.abs(a - b) <= 0.01 * b { return "no measurable difference (reported as measured)" }
                return "NOT reproduced (reported as measured)"
            }
            let postWarm = loss("post-LN + warmup"), postCold = loss("post-LN, no warmup"), preCold = loss("pre-LN, no warmup")
            let noScale = loss("pre-LN, no residual scaling"), noClip = run("pre-LN, no clipping")
            let postNoClip = run("post-LN, no warmup, no clipping")
            let ref = run("pre-LN, no warmup"), postRef = run("post-LN, no warmup")
            let deep = loss("pre-LN, 2x depth"), deepNoScale = loss("pre-LN, 2x depth, no res. scaling")
            let deepBlocks = 2 * configuration.layerCount
            func f(_ x: Double) -> String { DemoFormat.fixed(x, 4) }
            return [
                "warmup helps post-LN (\"warmup is essentially required for Transformers\"): val loss \(f(postWarm)) with warmup vs \(f(postCold)) without -> \(verdict(postWarm < postCold))",
                "pre-LN trains without warmup (no worse than post-LN without it): \(f(preCold)) vs \(f(postCold)) -> \(verdict(preCold <= postCold))",
                "GPT-2 residual scaling 1/sqrt(2N) (pre-LN, no warmup): \(f(preCold)) with vs \(f(noScale)) without -> \(verdict(preCold <= noScale))",
                "clipping tames spikes (pre-LN): \(ref.spikes.count) spikes, val \(f(ref.finalValidationLoss)) with clipping vs \(noClip.spikes.count) spikes, val \(f(noClip.finalValidationLoss)) without -> \(clipVerdict(ref, noClip))",
                "clipping tames spikes (post-LN, no warmup): \(postRef.spikes.count) spikes, val \(f(postRef.finalValidationLoss)) with clipping vs \(postNoClip.spikes.count) spikes, val \(f(postNoClip.finalValidationLoss)) without -> \(clipVerdict(postRef, postNoClip))",
                "GPT-2 residual scaling at \(deepBlocks) blocks (pre-LN, no warmup): \(f(deep)) with vs \(f(deepNoScale)) without -> \(verdict(deep <= deepNoScale))",
            ]
        }

        /// Training loss (smoothed over 10 steps), validation loss and gradient norm of every run.
        public func chart() -> LineChart {
            func smooth(_ xs: [Double]) -> [Double] {
                xs.indices.map { i in
                    let window = xs[Swift.max(0, i - 9)...i].filter(\.isFinite)
                    return window.isEmpty ? .nan : window.reduce(0, +) / Double(window.count)
                }
            }
            let train = runs.map { LineChart.Series($0.variant.name, values: smooth($0.trainLoss)) }
            let validation = runs.map { r in
                LineChart.Series(r.variant.name, x: r.validationLoss.map { Double($0.step) }, y: r.validationLoss.map(\.loss))
            }
            let norms = runs.map { LineChart.Series($0.variant.name, values: smooth($0.gradientNorm)) }
            return LineChart(title: "Character-level GPT: \(configuration.layerCount) blocks, d_model \(configuration.modelDimension), peak lr \(configuration.learningRate)",
                             panels: [
                                LineChart.Panel(title: "Training loss (10-step mean)", xLabel: "step", yLabel: "nats per character", series: train),
                                LineChart.Panel(title: "Validation loss", xLabel: "step", yLabel: "nats per character", series: validation),
                                LineChart.Panel(title: "Gradient norm before clipping (10-step mean)", xLabel: "step", yLabel: "global L2 norm",
                                                series: norms, logScaleY: true),
                             ], columns: 3)
        }

        /// The report as JSON (settings, per-run results and curves, claims, sample).
        public func json() throws -> Data {
            let c = configuration
            let object: [String: Any] = [
                "configuration": ["steps": c.steps, "batch_size": c.batchSize, "context": c.context, "d_model": c.modelDimension,
                                  "layers": c.layerCount, "heads": c.headCount, "dropout": Double(c.dropout),
                                  "learning_rate": c.learningRate, "warmup_steps": c.warmupSteps, "seed": c.seed],
                "corpus": ["characters": corpusCharacters, "vocabulary": vocabularySize, "file": "tiny-corpus.txt"],
                "runs": runs.map { r -> [String: Any] in
                    ["name": r.variant.name, "norm_first": r.variant.normFirst, "warmup": r.variant.warmup,
                     "residual_scaling": r.variant.residualScaling, "layers": r.variant.layerCount(c), "clip_norm": r.variant.clipNorm.map { $0 as Any } ?? NSNull(),
                     "final_val_loss": JSONValue.number(r.finalValidationLoss), "perplexity": JSONValue.number(r.perplexity),
                     "initial_val_loss": JSONValue.number(r.initialValidationLoss), "spikes": r.spikes.map(\.step),
                     "diverged": r.diverged, "seconds": r.seconds,
                     "train_loss": r.trainLoss.map(JSONValue.number), "grad_norm": r.gradientNorm.map(JSONValue.number),
                     "val_steps": r.validationLoss.map(\.step), "val_loss": r.validationLoss.map { JSONValue.number($0.loss) }]
                },
                "claims": claims(), "prompt": prompt, "sample": sample, "sample_run": sampleRun,
            ]
            return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        }
    }

    /// The corpus shipped in the examples' resources (see `Resources/TINY-CORPUS-LICENSE.txt`).
    public static func tinyCorpus() throws -> String {
        guard let url = Bundle.module.url(forResource: "tiny-corpus", withExtension: "txt", subdirectory: "Resources"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw DemoError.missingData("tiny-corpus.txt is missing from the examples' resources")
        }
        return text
    }

    /// Runs every variant and writes `summary.json`, `transformer.svg` and `sample.txt` to `output`.
    public static func run(_ configuration: Configuration, text: String? = nil, variants chosen: [Variant] = variants,
                           output: URL?, log: ((String) -> Void)? = nil) throws -> Report {
        let c = configuration
        let corpus = TokenSequence(text: try text ?? tinyCorpus(), tokenization: .characters)
        let (trainTokens, validationTokens) = corpus.split(validationFraction: 0.1)
        let train = TokenWindowDataset(trainTokens, context: c.context, stride: 1)
        let validation = TokenWindowDataset(validationTokens, context: c.context)
        let validationIndices = Array(0..<Swift.min(c.validationWindows, validation.count))
        let validationBatch = validation.indexBatch(validationIndices)
        var runs: [Run] = []
        for variant in chosen {
            log?("training \(variant.name) (\(c.steps) steps)")
            runs.append(train1(variant, c, vocabulary: corpus.vocabularySize, train: train, validation: validationBatch, log: log))
        }
        let best = runs.filter { !$0.diverged }.min { $0.finalValidationLoss < $1.finalValidationLoss } ?? runs[0]
        let prompt = "12. The "
        let ids = best.model.sample(prompt: corpus.encode(prompt) ?? [0], count: c.sampleLength, temperature: 0.8, topK: 10,
                                    generator: RandomGenerator(seed: c.seed))
        let report = Report(configuration: c, runs: runs, corpusCharacters: corpus.tokens.count,
                            vocabularySize: corpus.vocabularySize, prompt: prompt, sample: corpus.decode(ids),
                            sampleRun: best.variant.name)
        if let output {
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            try report.chart().write(to: output.appendingPathComponent("transformer.svg").path)
            try report.json().write(to: output.appendingPathComponent("summary.json"), options: .atomic)
            try Data((prompt + report.sample + "\n").utf8).write(to: output.appendingPathComponent("sample.txt"), options: .atomic)
        }
        return report
    }

    private static func train1(_ variant: Variant, _ c: Configuration, vocabulary: Int, train: TokenWindowDataset,
                               validation: (inputs: IndexTensor, targets: IndexTensor), log: ((String) -> Void)?) -> Run {
        let start = Date()
        let configuration = GPTConfiguration(vocabularySize: vocabulary, contextLength: c.context, modelDimension: c.modelDimension,
                                             headCount: c.headCount, layerCount: variant.layerCount(c), dropout: c.dropout,
                                             normFirst: variant.normFirst, residualScaling: variant.residualScaling)
        Random.seed(c.seed)
        let model = GPT(configuration, generator: RandomGenerator(seed: c.seed))
        let optimizer = AdamW(ParameterGroup.weightDecaySplit(model, weightDecay: 0.1), learningRate: c.learningRate,
                              betas: (0.9, 0.95), weightDecay: 0.1)
        let warmup = variant.warmup ? c.warmupSteps : 0
        func rate(_ step: Int) -> Double {
            if step < warmup { return c.learningRate * Double(step + 1) / Double(warmup) }
            let progress = Double(step - warmup) / Double(Swift.max(1, c.steps - warmup))
            return c.learningRate * (0.1 + 0.9 * 0.5 * (1 + Foundation.cos(Double.pi * progress)))
        }
        func validationLoss() -> Double {
            model.eval()
            defer { model.train() }
            return withNoGrad { Double(tokenCrossEntropy(logits: model.logits(validation.inputs), targets: validation.targets).item()) }
        }
        let initial = validationLoss()
        let batches = RandomGenerator(seed: c.seed &+ 1)
        let detector = LossSpikeDetector(window: 50, threshold: 4)
        var trainLoss: [Double] = [], norms: [Double] = [], measured: [(Int, Double)] = []
        model.train()
        for step in 0..<c.steps {
            optimizer.learningRate = rate(step)
            let indices = (0..<c.batchSize).map { _ in Int(batches.next() % UInt64(train.count)) }
            let (x, y) = train.indexBatch(indices)
            optimizer.zeroGrad()
            let loss = tokenCrossEntropy(logits: model.logits(x), targets: y)
            let value = Double(loss.item())
            trainLoss.append(value)
            _ = detector.observe(loss: value, step: step)
            if !value.isFinite { break }
            loss.backward()
            let norm = variant.clipNorm.map { clipGradNorm(model.parameters, maxNorm: $0) } ?? gradNorm(model.parameters)
            norms.append(norm)
            optimizer.step()
            if (step + 1) % c.evaluationInterval == 0 || step + 1 == c.steps {
                measured.append((step + 1, validationLoss()))
                log?("  \(variant.name) step \(step + 1): train \(DemoFormat.fixed(value, 4)), val \(DemoFormat.fixed(measured.last!.1, 4))")
            }
        }
        if measured.last?.0 != c.steps { measured.append((trainLoss.count, .nan)) }
        return Run(variant: variant, trainLoss: trainLoss, validationLoss: measured.map { (step: $0.0, loss: $0.1) },
                   gradientNorm: norms, spikes: detector.spikes, initialValidationLoss: initial,
                   seconds: Date().timeIntervalSince(start), model: model)
    }
}
