import ArgumentParser
import Converge
import ConvergeExamples
import Foundation

/// `converge demo transformer`: post-LN vs pre-LN, warmup, GPT-2 residual scaling and clipping on
/// a character-level language model.
struct TransformerDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transformer",
        abstract: "The seeds' Transformer claims on a character-level GPT: warmup, pre/post-LN, residual scaling, clipping.",
        discussion: """
        Trains eight variants of the same small GPT on the generated corpus shipped with Converge \
        (tiny-corpus.txt, CC0): post-LN with and without warmup, pre-LN without warmup, pre-LN without \
        GPT-2 residual scaling, pre-LN and post-LN without clipping, and pre-LN at twice the depth with \
        and without residual scaling. Prints the table of final \
        validation loss, perplexity, spikes and divergence, one line per claim, and text sampled from \
        the best run; writes transformer.svg, summary.json and sample.txt to --output.
        """
    )

    @Option(help: "Folder for transformer.svg, summary.json and sample.txt.")
    var output = "runs/transformer"

    @Option(help: "Training steps of every run.")
    var steps = 300

    @Option(help: "Peak learning rate.")
    var lr = 1e-2

    @Option(help: "Seed of initialization, batches and sampling.")
    var seed: UInt64 = 0

    @Flag(help: "Print only the results.")
    var quiet = false

    func run() throws {
        DemoCommandSupport.warnIfDebug("transformer")
        try DemoCommandSupport.run("transformer") {
            guard steps > 0 else { throw DemoError.invalidOption("--steps must be positive, got \(steps)") }
            guard lr > 0 && lr.isFinite else { throw DemoError.invalidOption("--lr must be a positive number, got \(lr)") }
            var configuration = TransformerDemo.Configuration()
            configuration.steps = steps
            configuration.learningRate = lr
            configuration.seed = seed
            configuration.warmupSteps = min(configuration.warmupSteps, max(1, steps / 5))
            let directory = URL(fileURLWithPath: output)
            let report = try TransformerDemo.run(configuration, output: directory, log: quiet ? nil : DemoCommandSupport.log)
            let c = configuration
            print("Character-level GPT on tiny-corpus.txt (\(report.corpusCharacters) characters, \(report.vocabularySize) symbols; last 10% validates)")
            print("model: \(c.layerCount) blocks, d_model \(c.modelDimension), \(c.headCount) heads, FFN \(4 * c.modelDimension) GELU, context \(c.context), tied embeddings; batch \(c.batchSize), \(c.steps) steps, AdamW (0.9, 0.95) wd 0.1, peak lr \(c.learningRate), cosine to 10% (warmup \(c.warmupSteps) steps where on); seed \(c.seed)")
            print("")
            print(report.table())
            print("")
            for line in report.claims() { print("- " + line) }
            print("")
            print("sample from \(report.sampleRun) (temperature 0.8, top-k 10):")
            print(report.prompt + report.sample)
            print("")
            print("wrote \(directory.path)/transformer.svg, summary.json, sample.txt")
        }
    }
}
