import ArgumentParser
import Converge
import ConvergeExamples
import Foundation

/// `converge demo NAME`: the worked examples of the chapters (build with `-c release`).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a worked example (build with -c release).",
        subcommands: [StreamRecDemoCommand.self, CreditDemoCommand.self, InitDemoCommand.self, SchedulesDemoCommand.self, DigitsDemoCommand.self,
                      TransformerDemoCommand.self, DataParallelDemoCommand.self]
    )
}

/// Shared helpers of the demo commands.
enum DemoCommandSupport {
    /// Writes `line` to standard error (progress, so that standard output holds only results).
    static func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Warns on standard error when this is a debug build (the demos are sized for release).
    static func warnIfDebug(_ name: String) {
        #if DEBUG
        log("converge demo \(name): this is a debug build and will be slow; build with `swift build -c release`")
        #endif
    }

    /// Runs `body`, turning a demo's typed error into one line on standard error and exit code 1.
    static func run(_ name: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            log("converge demo \(name): \(error)")
            throw ExitCode(1)
        }
    }
}

/// `converge demo streamrec`: Chapter 6 baseline vs Chapter 7 recipe on StreamRec click data.
struct StreamRecDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamrec",
        abstract: "Chapter 6 baseline vs Chapter 7 recipe on synthetic StreamRec click data.",
        discussion: """
        Trains the 128-256-128-64-1 click-prediction MLP twice: the Chapter 6 baseline (default init, \
        no normalization/dropout/weight decay, constant-rate SGD, 100 epochs) and the Chapter 7 recipe \
        (He init, BatchNorm, dropout 0.3, AdamW wd 1e-2, one-cycle per batch, clipping 1.0, early \
        stopping patience 5, up to 30 epochs). Prints the comparison table and writes history files, \
        baseline.svg, recipe.svg, comparison.svg and summary.json to --output.
        """
    )

    @Option(help: "Folder for history files, plots and summary.json.")
    var output = "runs/streamrec"

    @Option(help: "Training examples.")
    var trainSamples = 50_000

    @Option(help: "Validation examples.")
    var validationSamples = 5_000

    @Option(help: "Mini-batch size of both runs.")
    var batchSize = 256

    @Option(help: "Epochs of the baseline.")
    var baselineEpochs = 100

    @Option(help: "The baseline's optimizer: sgd:LR, sgd:LR:MOMENTUM or adam:LR.")
    var baselineOptimizer = "sgd:0.01"

    @Option(help: "Most epochs of the recipe.")
    var recipeEpochs = 30

    @Option(help: "Seed of the data, initialization, dropout and batch order.")
    var seed: UInt64 = 0

    @Flag(help: "Print only the table (no per-epoch lines).")
    var quiet = false

    @Option(help: "Training precision of both runs: float32 (default), bfloat16 or float16 (autocast).")
    var precision = "float32"

    func run() throws {
        DemoCommandSupport.warnIfDebug("streamrec")
        guard let dtype = DType(rawValue: precision) else {
            throw ValidationError("--precision must be float32, bfloat16 or float16 (got '\(precision)')")
        }
        try DemoCommandSupport.run("streamrec") {
            var configuration = StreamRecDemo.Configuration()
            configuration.trainSamples = trainSamples
            configuration.validationSamples = validationSamples
            configuration.batchSize = batchSize
            configuration.baselineEpochs = baselineEpochs
            configuration.baselineOptimizer = try StreamRecDemo.BaselineOptimizer(parsing: baselineOptimizer)
            configuration.recipeEpochs = recipeEpochs
            configuration.seed = seed
            configuration.precision = dtype
            let directory = URL(fileURLWithPath: output)
            let report = try StreamRecDemo.run(configuration, output: directory,
                                               log: quiet ? nil : DemoCommandSupport.log)
            print("StreamRec click prediction: Chapter 6 baseline vs Chapter 7 recipe")
            print("data: \(configuration.trainSamples) train / \(configuration.validationSamples) validation / \(configuration.testSamples) test impressions, 128 standardized features, \(DemoFormat.percent(report.positiveFraction, 1)) clicks, seed \(configuration.seed)")
            if let oracle = report.oracleAUC {
                print("best achievable AUC (true click probabilities): \(DemoFormat.fixed(oracle, 4))")
            }
            print("baseline: \(report.baseline.setup)")
            print("recipe:   \(report.recipe.setup)")
            print("")
            print(report.table())
            print("")
            for line in report.definitions { print("- " + line) }
            let reproduced = report.improvementsReproduced
            print("")
            print("recipe vs baseline: fewer epochs to convergence \(reproduced.fewerEpochs ? "yes" : "no"), smaller gap \(reproduced.smallerGap ? "yes" : "no"), validation AUC at least the baseline's \(reproduced.atLeastAsGoodAUC ? "yes" : "no")")
            print("wrote \(directory.path)/{baseline,recipe}/history.csv, baseline.svg, recipe.svg, comparison.svg, summary.json")
        }
    }
}

/// `converge demo credit`: with and without decoupled weight decay on correlated credit features.
struct CreditDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credit",
        abstract: "Adam vs Adam + L2 vs AdamW (weight decay 0.01 and 1) on credit data with near-copy features.",
        discussion: """
        Trains the same 20-64-32-1 MLP (same initial weights and batches) with Adam, Adam with coupled \
        L2 and AdamW (decoupled weight decay, one run per --weight-decay value), then prints the first-layer weight norms of the three \
        groups of correlated features and how much the copies' weights cancel, how far predictions move \
        when one copy per group shifts by a small amount, and validation and shifted-population metrics.
        """
    )

    @Option(help: "Folder for history files, plots and summary.json.")
    var output = "runs/credit"

    @Option(help: "Epochs of every run.")
    var epochs = 150

    @Option(parsing: .upToNextOption, help: "Decoupled weight decays, one AdamW run each.")
    var weightDecay: [Double] = [1e-2, 1.0]

    @Option(help: "Coupled L2 penalty of the Adam + L2 run (0 leaves it out).")
    var l2 = 1e-4

    @Option(help: "Learning rate of every run.")
    var lr = 1e-3

    @Option(help: "Training examples.")
    var trainSamples = 2_000

    @Option(help: "Seed of the data, initialization and batch order.")
    var seed: UInt64 = 0

    @Flag(help: "Print only the table.")
    var quiet = false

    func run() throws {
        DemoCommandSupport.warnIfDebug("credit")
        try DemoCommandSupport.run("credit") {
            var configuration = CreditDemo.Configuration()
            configuration.epochs = epochs
            configuration.weightDecays = weightDecay
            configuration.l2Penalty = l2
            configuration.learningRate = lr
            configuration.trainSamples = trainSamples
            configuration.seed = seed
            let directory = URL(fileURLWithPath: output)
            let report = try CreditDemo.run(configuration, output: directory, log: quiet ? nil : DemoCommandSupport.log)
            print("Credit scoring with correlated features: Adam vs Adam + L2 vs AdamW")
            print("data: \(configuration.trainSamples) train / \(configuration.validationSamples) validation borrowers (development population), \(configuration.shiftedSamples) from the shifted population; 20 standardized features, 3 groups of 4 near-copies (r ~ 0.96); seed \(configuration.seed)")
            print("model: MLP 20-\(configuration.hiddenSizes.map(String.init).joined(separator: "-"))-1, ReLU, default init (same initial weights for every run), batch \(configuration.batchSize), \(configuration.epochs) epochs")
            for run in report.runs { print("\(run.name): \(run.setup)") }
            print("")
            print(report.table())
            print("")
            print("- ‖W1‖: L2 norm of the first-layer weight columns reading a group's four copies.")
            print("- cancellation: 1 - ‖sum of the group's columns‖ / sum of their norms (0: copies weighted alike; 1: weights cancel).")
            print("- |Δp|: change of the predicted default probability on the validation set when the first copy in each group is raised by \(DemoFormat.fixed(configuration.perturbation, 2)) standard deviations.")
            print("- shifted population: higher leverage and noisier copies (r ~ 0.7), standardized with the training statistics.")
            print(wroteLine(directory))
        }
    }
}

/// `converge demo schedules`: step, cosine and one-cycle learning rates on one SVG.
struct SchedulesDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "Step decay, cosine annealing and one-cycle over the same steps, on one SVG.",
        discussion: "The seed's settings (section 7.5.6): 1000 steps, base rate 0.1; step decay x0.1 every 30% of the steps; cosine to 0; one-cycle with 30% warm-up, div 25, final div 1e4."
    )

    @Option(help: "Folder for schedules.svg and schedules.csv.")
    var output = "runs/schedules"

    @Option(help: "Steps to draw.")
    var steps = 1_000

    @Option(help: "Base (and one-cycle peak) learning rate.")
    var lr = 0.1

    func run() throws {
        try DemoCommandSupport.run("schedules") {
            let result = try SchedulesDemo.run(totalSteps: steps, baseLearningRate: lr)
            let directory = URL(fileURLWithPath: output)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try result.chart().write(to: directory.appendingPathComponent("schedules.svg").path)
            try Data(result.csv().utf8).write(to: directory.appendingPathComponent("schedules.csv"), options: .atomic)
            print("Learning-rate schedules over \(steps) steps, base rate \(lr)")
            print(result.table())
            print("wrote \(directory.path)/schedules.svg and schedules.csv")
        }
    }
}

/// `converge demo init`: the seed's §7.2.5 table — activation variance after a deep stack for
/// each initializer and activation.
struct InitDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Activation mean and variance after 20 layers of width 512 for each initializer (seed §7.2.5).",
        discussion: "Bias-free Linear layers, standard-normal input; per-layer statistics for one configuration: converge init-check.")

    @Option(help: "Layers in the stack.")
    var depth = 20

    @Option(help: "Units per layer.")
    var width = 512

    @Option(help: "Samples in the input batch.")
    var samples = 1_000

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    func run() throws {
        try DemoCommandSupport.run("init") {
            print("Initialization check: \(depth) layers of width \(width), \(samples) standard-normal samples (seed \(seed))")
            print(InitCheck.renderTable(InitCheck.seedTable(depth: depth, width: width, samples: samples, seed: seed)))
        }
    }
}

/// `converge demo digits`: an MLP and a small CNN on the UCI handwritten digits.
struct DigitsDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digits",
        abstract: "An MLP and a small CNN on the UCI handwritten digits, with test accuracies.",
        discussion: "Default split: image i is a test image when i mod 5 = 4 (1438 train / 359 test). --split contiguous tests on the last 360 images (mostly unseen writers) instead."
    )

    @Option(help: "Folder for history files, plots and summary.json.")
    var output = "runs/digits"

    @Option(help: "interleaved (default) or contiguous.")
    var split = "interleaved"

    @Option(help: "Epochs of the MLP.")
    var mlpEpochs = 40

    @Option(help: "Epochs of the CNN.")
    var cnnEpochs = 20

    @Option(help: "Seed of the initialization, dropout and batch order.")
    var seed: UInt64 = 0

    @Flag(help: "Print only the results.")
    var quiet = false

    func run() throws {
        DemoCommandSupport.warnIfDebug("digits")
        try DemoCommandSupport.run("digits") {
            guard let chosen = DigitsDemo.Split(rawValue: split) else {
                throw DemoError.invalidOption("--split '\(split)': expected \(DigitsDemo.Split.allCases.map(\.rawValue).joined(separator: " or "))")
            }
            var configuration = DigitsDemo.Configuration()
            configuration.split = chosen
            configuration.mlpEpochs = mlpEpochs
            configuration.cnnEpochs = cnnEpochs
            configuration.seed = seed
            let directory = URL(fileURLWithPath: output)
            let report = try DigitsDemo.run(configuration, output: directory, log: quiet ? nil : DemoCommandSupport.log)
            print("UCI optical handwritten digits (1797 8x8 images, 10 classes)")
            print(chosen.statement + "; pixels standardized with training statistics")
            print("training: cross-entropy (label smoothing \(configuration.labelSmoothing)), AdamW (wd \(configuration.weightDecay)), one-cycle per batch (peak \(configuration.maxLearningRate)), batch \(configuration.batchSize), seed \(configuration.seed); accuracy of the last epoch's weights")
            print("")
            print(report.table())
            print("")
            for run in report.runs {
                print("\(run.model.rawValue) test accuracy: \(DemoFormat.percent(run.testAccuracy))")
            }
            print(wroteLine(directory))
        }
    }
}

/// "wrote DIR/: a.svg, b/history.csv, …": the files a demo left in its output folder (top level,
/// and one level into each run's folder), named as they are on disk.
func wroteLine(_ directory: URL) -> String {
    let fm = FileManager.default
    func entries(_ url: URL) -> [String] { ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted() }
    var files: [String] = []
    for name in entries(directory) {
        var isFolder: ObjCBool = false
        let url = directory.appendingPathComponent(name)
        guard fm.fileExists(atPath: url.path, isDirectory: &isFolder) else { continue }
        if isFolder.boolValue {
            files += entries(url).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".svg") || $0.hasSuffix(".json") }.map { "\(name)/\($0)" }
        } else {
            files.append(name)
        }
    }
    return "wrote \(directory.path)/: " + files.joined(separator: ", ")
}
