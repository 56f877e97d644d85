import Converge
import ConvergeCore
import Foundation

/// `converge demo streamrec`: the Chapter 7 progressive project (§7.9). Trains the click-prediction
/// MLP twice on ``StreamRecData`` — the "Chapter 6 baseline" and the "Chapter 7 recipe" — and
/// compares them as the seed's table does (§7.9.3): epochs to convergence, final validation AUC,
/// train–validation loss gap and training time.
///
/// ## The two runs
///
/// Both use the same standardized features (training-set mean and standard deviation), the same
/// shuffled mini-batches, the same architecture 128 → 256 → 128 → 64 → 1 with ReLU, and
/// binary cross-entropy on logits.
///
/// - **Chapter 6 baseline**: a plain MLP (`Linear` + `ReLU`) with PyTorch's default
///   initialization, no normalization, dropout or weight decay, trained with plain mini-batch
///   SGD at a constant learning rate for a fixed 100 epochs, keeping the last weights. The
///   default optimizer (``Configuration/baselineOptimizer``) is SGD with learning rate 0.01 and
///   no momentum — the plain gradient descent of the from-scratch Chapter 6 network at a
///   conventional rate, not tuned on this data. The baseline is sensitive to that rate, as the
///   seed says (§7.9.1): with 50,000 training examples, 0.05 and 0.1 overfit badly (validation
///   AUC ≈ 0.70–0.72 after 100 epochs), while 0.005 converges in ≈ 60 epochs to the recipe's
///   validation AUC (≈ 0.781). Try others with `--baseline-optimizer`.
/// - **Chapter 7 recipe**: He (Kaiming-normal, fan-in) initialization, `BatchNorm` after each
///   hidden `Linear`, dropout 0.3, AdamW (learning rate 1e-3, weight decay 1e-2), a one-cycle
///   schedule stepped per batch (peak 1e-3, 30% warm-up, div 25, final div 1e4, β₁ cycled
///   0.95 → 0.85), gradient clipping at global norm 1.0 and early stopping on the validation
///   loss with patience 5, restoring the best weights, for at most 30 epochs.
///
/// ## What the table reports
///
/// - *Epochs to convergence*: the first epoch whose validation loss is within
///   ``Configuration/convergenceTolerance`` (1%) of the lowest validation loss the run reaches.
/// - *Final validation AUC / loss*: of the weights the run ends with (the last epoch for the
///   baseline, the restored best epoch for the recipe).
/// - *Train–validation gap*: validation loss minus training loss at that same epoch, the
///   training loss measured in **eval mode** on a fixed subset of the training set
///   (``EvalModeTrainingLoss``), so that dropout does not inflate it. The gap against the running
///   training-mode loss (what a plain training loop prints) is reported too.
/// - *Training time*: wall-clock seconds of the whole fit, including the per-epoch validation and
///   training-subset evaluations.
public enum StreamRecDemo {
    /// The baseline's optimizer, at a constant learning rate.
    public enum BaselineOptimizer: Equatable, CustomStringConvertible {
        /// Mini-batch SGD (with optional heavy-ball momentum).
        case sgd(learningRate: Double, momentum: Double = 0)
        /// Adam without weight decay.
        case adam(learningRate: Double)

        /// `SGD(lr 0.05)`, `SGD(lr 0.01, momentum 0.9)`, `Adam(lr 0.001)`.
        public var description: String {
            switch self {
            case .sgd(let rate, let momentum):
                return momentum == 0 ? "SGD(lr \(rate))" : "SGD(lr \(rate), momentum \(momentum))"
            case .adam(let rate): return "Adam(lr \(rate))"
            }
        }

        /// Parses `sgd:0.05`, `sgd:0.01:0.9` (learning rate, momentum) or `adam:0.001`.
        /// - Throws: ``DemoError/invalidOption(_:)`` naming the value.
        public init(parsing text: String) throws {
            let parts = text.lowercased().split(separator: ":").map(String.init)
            let numbers = parts.dropFirst().map(Double.init)
            guard let kind = parts.first, !numbers.contains(where: { $0 == nil }),
                  let rate = numbers.first ?? nil, rate > 0 else {
                throw DemoError.invalidOption("--baseline-optimizer '\(text)': expected sgd:LR, sgd:LR:MOMENTUM or adam:LR with LR > 0")
            }
            switch (kind, numbers.count) {
            case ("sgd", 1): self = .sgd(learningRate: rate)
            case ("sgd", 2): self = .sgd(learningRate: rate, momentum: numbers[1]!)
            case ("adam", 1): self = .adam(learningRate: rate)
            default:
                throw DemoError.invalidOption("--baseline-optimizer '\(text)': expected sgd:LR, sgd:LR:MOMENTUM or adam:LR")
            }
        }
    }

    /// Everything the demo's outcome depends on.
    public struct Configuration {
        /// Training examples (default 50,000: as many as keep both runs well under five minutes
        /// on two cores).
        public var trainSamples = 50_000
        /// Validation examples, used for early stopping and the table (default 5,000).
        public var validationSamples = 5_000
        /// Held-out test examples, scored once with the final weights (default 5,000).
        public var testSamples = 5_000
        /// Training examples evaluated in eval mode each epoch for the honest gap (default 5,000).
        public var trainEvaluationSamples = 5_000
        /// Mini-batch size of both runs (default 256).
        public var batchSize = 256
        /// Hidden layer widths (default 256, 128, 64).
        public var hiddenSizes = [256, 128, 64]
        /// Epochs of the baseline (default 100, no early stopping).
        public var baselineEpochs = 100
        /// The baseline's optimizer (default SGD, learning rate 0.01, no momentum).
        public var baselineOptimizer = BaselineOptimizer.sgd(learningRate: 0.01)
        /// The most epochs of the recipe (default 30).
        public var recipeEpochs = 30
        /// The recipe's one-cycle peak learning rate (default 1e-3).
        public var recipeMaxLearningRate = 1e-3
        /// The recipe's decoupled weight decay (default 1e-2).
        public var recipeWeightDecay = 1e-2
        /// The recipe's dropout probability (default 0.3).
        public var recipeDropout: Float = 0.3
        /// The recipe's gradient-clipping threshold (global L2 norm, default 1.0).
        public var recipeClipNorm = 1.0
        /// The recipe's early-stopping patience in epochs (default 5).
        public var recipePatience = 5
        /// Relative tolerance defining "converged" (default 0.01: within 1% of the best
        /// validation loss).
        public var convergenceTolerance = 0.01
        /// Fresh impressions used to estimate the best achievable AUC (0 skips it; default 50,000).
        public var oracleSamples = 50_000
        /// Seed of the data, the initialization, dropout and the batch order (default 0).
        public var seed: UInt64 = 0
        /// The training precision of both runs (default float32; `.bfloat16` or `.float16` train
        /// under ``MixedPrecision`` autocast).
        public var precision: DType = .float32

        /// The defaults above.
        public init() {}
    }

    /// The outcome of one training run.
    public struct RunResult {
        /// `baseline` or `recipe`.
        public let name: String
        /// A one-line description of the model and training setup.
        public let setup: String
        /// Per-epoch records (`train_loss`, `train_eval_loss`, `val_loss`, `val_auc`, `lr`,
        /// `grad_norm`, `time_s`, …).
        public let history: History
        /// Epochs trained.
        public let epochsRun: Int
        /// Whether early stopping ended the run before its epoch budget.
        public let stoppedEarly: Bool
        /// The epoch whose weights the run ends with (last for the baseline, best for the recipe).
        public let keptEpoch: Int
        /// The epoch with the lowest validation loss.
        public let bestValidationLossEpoch: Int
        /// The first epoch within the tolerance of the lowest validation loss.
        public let epochsToConvergence: Int
        /// Validation AUC of the kept weights.
        public let validationAUC: Double
        /// Validation loss of the kept weights.
        public let validationLoss: Double
        /// Training loss of the kept weights, measured in eval mode on the training subset.
        public let trainLoss: Double
        /// The running training-mode loss of the kept epoch (mean over its batches).
        public let runningTrainLoss: Double
        /// Test AUC of the kept weights.
        public let testAUC: Double
        /// Test loss of the kept weights.
        public let testLoss: Double
        /// Wall-clock seconds of the fit (training plus per-epoch evaluations).
        public let trainingSeconds: Double
        /// Trainable parameters of the model.
        public let parameterCount: Int

        /// Validation loss minus the eval-mode training loss, at the kept epoch.
        public var gap: Double { validationLoss - trainLoss }
        /// Validation loss minus the running training-mode loss, at the kept epoch.
        public var runningGap: Double { validationLoss - runningTrainLoss }
    }

    /// Both runs and how they compare.
    public struct Report {
        /// The configuration the runs used.
        public let configuration: Configuration
        /// The Chapter 6 baseline.
        public let baseline: RunResult
        /// The Chapter 7 recipe.
        public let recipe: RunResult
        /// The AUC of the true click probabilities on fresh data (the best achievable), if measured.
        public let oracleAUC: Double?
        /// Fraction of positive labels in the training set.
        public let positiveFraction: Double

        /// The seed's comparison table with the numbers of these runs.
        public func table() -> TextTable {
            var table = TextTable(header: ["Metric", "Ch. 6 baseline", "Ch. 7 recipe"])
            let b = baseline, r = recipe
            table.append(["Epochs to convergence", "\(b.epochsToConvergence)", "\(r.epochsToConvergence)"])
            table.append(["Epochs run", "\(b.epochsRun)", r.stoppedEarly ? "\(r.epochsRun) (early stop)" : "\(r.epochsRun)"])
            table.append(["Final validation AUC", DemoFormat.fixed(b.validationAUC, 4), DemoFormat.fixed(r.validationAUC, 4)])
            table.append(["Final validation loss", DemoFormat.fixed(b.validationLoss, 4), DemoFormat.fixed(r.validationLoss, 4)])
            table.append(["Train-val gap (loss, eval-mode train)", DemoFormat.fixed(b.gap, 4), DemoFormat.fixed(r.gap, 4)])
            table.append(["Train-val gap (loss, running train)", DemoFormat.fixed(b.runningGap, 4), DemoFormat.fixed(r.runningGap, 4)])
            table.append(["Training time", DemoFormat.duration(b.trainingSeconds), DemoFormat.duration(r.trainingSeconds)])
            table.append(["Test AUC", DemoFormat.fixed(b.testAUC, 4), DemoFormat.fixed(r.testAUC, 4)])
            return table
        }

        /// How each row of ``table()`` is defined.
        public var definitions: [String] {
            let tolerance = DemoFormat.fixed(100 * configuration.convergenceTolerance, 0)
            return [
                "Epochs to convergence: first epoch whose validation loss is within \(tolerance)% of the run's lowest validation loss.",
                "Final validation AUC/loss: the weights each run ends with (baseline: last epoch \(baseline.keptEpoch); recipe: best epoch \(recipe.keptEpoch), restored by early stopping).",
                "Train-val gap: validation loss minus training loss at that epoch; 'eval-mode train' measures the training loss in eval mode (no dropout, running BatchNorm statistics) on \(configuration.trainEvaluationSamples) training examples, 'running train' is the mean training-mode loss over the epoch's batches.",
                "Training time: wall clock of the whole fit, including per-epoch evaluations.",
            ]
        }

        /// Whether the recipe reproduces the seed's direction: fewer epochs to convergence, a
        /// smaller (eval-mode) gap, and a validation AUC at least the baseline's.
        public var improvementsReproduced: (fewerEpochs: Bool, smallerGap: Bool, atLeastAsGoodAUC: Bool) {
            (recipe.epochsToConvergence < baseline.epochsToConvergence, recipe.gap < baseline.gap,
             recipe.validationAUC >= baseline.validationAUC)
        }

        /// The report as pretty-printed JSON (configuration, both runs' figures and histories).
        public func summaryJSON() throws -> Data {
            func run(_ r: RunResult) -> [String: Any] {
                ["setup": r.setup, "epochs_run": r.epochsRun, "stopped_early": r.stoppedEarly, "kept_epoch": r.keptEpoch,
                 "best_val_loss_epoch": r.bestValidationLossEpoch, "epochs_to_convergence": r.epochsToConvergence,
                 "val_auc": JSONValue.number(r.validationAUC), "val_loss": JSONValue.number(r.validationLoss),
                 "train_loss_eval_mode": JSONValue.number(r.trainLoss),
                 "train_loss_running": JSONValue.number(r.runningTrainLoss),
                 "gap_eval_mode": JSONValue.number(r.gap), "gap_running": JSONValue.number(r.runningGap),
                 "test_auc": JSONValue.number(r.testAUC), "test_loss": JSONValue.number(r.testLoss),
                 "training_seconds": JSONValue.number(r.trainingSeconds), "parameters": r.parameterCount,
                 "history": JSONValue.history(r.history)]
            }
            let c = configuration
            let reproduced = improvementsReproduced
            let object: [String: Any] = [
                "demo": "streamrec",
                "configuration": ["train_samples": c.trainSamples, "validation_samples": c.validationSamples,
                                  "test_samples": c.testSamples, "train_evaluation_samples": c.trainEvaluationSamples,
                                  "batch_size": c.batchSize, "hidden_sizes": c.hiddenSizes,
                                  "baseline_epochs": c.baselineEpochs, "baseline_optimizer": c.baselineOptimizer.description,
                                  "recipe_epochs": c.recipeEpochs, "recipe_max_lr": c.recipeMaxLearningRate,
                                  "recipe_weight_decay": c.recipeWeightDecay, "recipe_dropout": Double(c.recipeDropout),
                                  "recipe_clip_norm": c.recipeClipNorm, "recipe_patience": c.recipePatience,
                                  "convergence_tolerance": c.convergenceTolerance, "seed": c.seed] as [String: Any],
                "definitions": definitions,
                "positive_fraction": JSONValue.number(positiveFraction),
                "oracle_auc": oracleAUC.map { JSONValue.number($0) } ?? NSNull(),
                "baseline": run(baseline), "recipe": run(recipe),
                "reproduced": ["fewer_epochs": reproduced.fewerEpochs, "smaller_gap": reproduced.smallerGap,
                               "auc_at_least_baseline": reproduced.atLeastAsGoodAUC],
            ]
            return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        }
    }

    /// The Chapter 6 baseline: `Linear` + `ReLU` layers with PyTorch's default initialization.
    public static func makeBaselineModel(inputs: Int = StreamRecData.featureCount, hiddenSizes: [Int] = [256, 128, 64]) -> Sequential {
        let model = Sequential([])
        var width = inputs
        for hidden in hiddenSizes {
            model.append(Linear(width, hidden))
            model.append(ReLU())
            width = hidden
        }
        model.append(Linear(width, 1))
        return model
    }

    /// The Chapter 7 recipe model (the seed's `StreamRecMLP`): `Linear` + `BatchNorm` + `ReLU` +
    /// `Dropout` per hidden layer, every `Linear` Kaiming-normal (fan-in, ReLU gain) with zero bias.
    public static func makeRecipeModel(inputs: Int = StreamRecData.featureCount, hiddenSizes: [Int] = [256, 128, 64],
                                       dropout: Float = 0.3) -> Sequential {
        let model = Sequential([])
        var width = inputs
        for hidden in hiddenSizes {
            model.append(Linear(width, hidden))
            model.append(BatchNorm(hidden))
            model.append(ReLU())
            model.append(Dropout(dropout))
            width = hidden
        }
        model.append(Linear(width, 1))
        for module in model.layers {
            guard let linear = module as? Linear else { continue }
            linear.weight.initialize(.kaimingNormal(mode: .fanIn, nonlinearity: .relu))
            linear.bias?.initialize(.zeros)
        }
        return model
    }

    /// The first epoch whose `key` value is within `tolerance` (relative) of the lowest value in
    /// `history`, and the epoch of that lowest value (both 1-based; 0 for an empty history).
    public static func convergence(of history: History, key: String = "val_loss", tolerance: Double)
        -> (epochsToConvergence: Int, bestEpoch: Int) {
        var bestEpoch = 0, best = Double.infinity
        for record in history.records {
            if let value = record[key], value < best { best = value; bestEpoch = record.epoch }
        }
        guard bestEpoch > 0 else { return (0, 0) }
        let threshold = best + tolerance * abs(best)
        let first = history.records.first { ($0[key] ?? .infinity) <= threshold }?.epoch ?? bestEpoch
        return (first, bestEpoch)
    }

    /// Generates the data, trains both runs and returns the comparison. With `output`, writes
    /// `baseline/` and `recipe/` history files (CSV, JSON lines, TensorBoard), `baseline.svg`,
    /// `recipe.svg` (the three-panel monitor figure), `comparison.svg` and `summary.json` there.
    /// `log` receives one line per epoch and progress notes.
    public static func run(_ configuration: Configuration, output: URL? = nil,
                           log: ((String) -> Void)? = nil) throws -> Report {
        let c = configuration
        guard c.trainSamples >= c.batchSize, c.batchSize >= 2, c.validationSamples > 0, c.testSamples > 0 else {
            throw DemoError.invalidOption("streamrec: need batch size ≥ 2, at least one batch of training data and non-empty validation and test sets")
        }
        guard c.baselineEpochs >= 1, c.recipeEpochs >= 1 else { throw DemoError.invalidOption("streamrec: epochs must be at least 1") }
        log?("Generating StreamRec data: \(c.trainSamples) train / \(c.validationSamples) validation / \(c.testSamples) test impressions (seed \(c.seed))")
        let (splits, _) = StreamRecData.splits(train: c.trainSamples, validation: c.validationSamples,
                                               test: c.testSamples, seed: c.seed).standardized()
        // The raw features (as large as the standardized ones) are dead now; without this the
        // tensor pool would keep their buffers, of a size class nothing else uses, to the end.
        BufferPool.shared.drain()
        func dataset(_ examples: LabeledExamples) -> TensorDataset {
            TensorDataset(features: examples.features, labels: examples.labelColumn)
        }
        let train = dataset(splits.train)
        let evaluationBatch = 1024
        let validation = DataLoader(dataset(splits.validation), batchSize: evaluationBatch)
        let test = DataLoader(dataset(splits.test), batchSize: evaluationBatch)
        let trainSubset = DataLoader(dataset(splits.train.rows(0..<min(c.trainEvaluationSamples, c.trainSamples))),
                                     batchSize: evaluationBatch)
        if let output { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) }

        func fit(name: String, title: String, setup: String, model: Sequential, optimizer: Optimizer, epochs: Int,
                 callbacks extra: [Callback], earlyStopping: EarlyStopping?) throws -> RunResult {
            log?("\(name): \(setup)")
            var callbacks = extra
            if c.precision != .float32 { callbacks.append(MixedPrecision(dtype: c.precision)) }
            callbacks.append(EvalModeTrainingLoss(data: trainSubset))
            if let earlyStopping { callbacks.append(earlyStopping) }
            if let output { callbacks.append(HistoryLogger(directory: output.appendingPathComponent(name))) }
            if let log { callbacks.append(EpochLog(prefix: name, write: log)) }
            let trainer = Trainer(model: model, optimizer: optimizer, loss: .binaryCrossEntropyWithLogits,
                                  callbacks: callbacks, metrics: [.rocAUC], outputKind: .binaryLogits)
            let loader = DataLoader(train, batchSize: c.batchSize, shuffle: true, seed: c.seed &+ 17)
            let start = DispatchTime.now().uptimeNanoseconds
            let history = try trainer.fit(train: loader, validation: validation, epochs: epochs)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            let kept = earlyStopping.map { $0.bestEpoch > 0 ? $0.bestEpoch : history.records.count } ?? history.records.count
            let record = history.records[kept - 1]
            let (converged, best) = convergence(of: history, tolerance: c.convergenceTolerance)
            let testResult = Dictionary(uniqueKeysWithValues: trainer.evaluate(test))
            if let output { try history.plot(to: output.appendingPathComponent("\(name).svg").path, title: "StreamRec \(title)") }
            return RunResult(name: name, setup: setup, history: history, epochsRun: history.records.count,
                             stoppedEarly: earlyStopping?.stoppedEpoch != nil && history.records.count < epochs, keptEpoch: kept,
                             bestValidationLossEpoch: best, epochsToConvergence: converged,
                             validationAUC: record["val_auc"] ?? .nan, validationLoss: record["val_loss"] ?? .nan,
                             trainLoss: record["train_eval_loss"] ?? .nan, runningTrainLoss: record["train_loss"] ?? .nan,
                             testAUC: testResult["auc"] ?? .nan, testLoss: testResult["loss"] ?? .nan,
                             trainingSeconds: seconds, parameterCount: model.trainableParameters.reduce(0) { $0 + $1.count })
        }

        // Chapter 6 baseline.
        Random.seed(c.seed &+ 1)
        let baselineModel = makeBaselineModel(hiddenSizes: c.hiddenSizes)
        let baselineOptimizer: Optimizer
        switch c.baselineOptimizer {
        case .sgd(let rate, let momentum): baselineOptimizer = SGD(baselineModel.parameters, learningRate: rate, momentum: momentum)
        case .adam(let rate): baselineOptimizer = Adam(baselineModel.parameters, learningRate: rate)
        }
        let widths = ([StreamRecData.featureCount] + c.hiddenSizes + [1]).map(String.init).joined(separator: "-")
        let baseline = try fit(
            name: "baseline", title: "Chapter 6 baseline",
            setup: "MLP \(widths), ReLU, default init, \(c.baselineOptimizer) constant, \(c.baselineEpochs) epochs",
            model: baselineModel, optimizer: baselineOptimizer, epochs: c.baselineEpochs, callbacks: [], earlyStopping: nil)

        // Chapter 7 recipe.
        Random.seed(c.seed &+ 2)
        let recipeModel = makeRecipeModel(hiddenSizes: c.hiddenSizes, dropout: c.recipeDropout)
        let recipeOptimizer = AdamW(recipeModel.parameters, learningRate: c.recipeMaxLearningRate, weightDecay: c.recipeWeightDecay)
        let stepsPerEpoch = (c.trainSamples + c.batchSize - 1) / c.batchSize
        let schedule = OneCycleLR(maxLearningRate: c.recipeMaxLearningRate, totalSteps: stepsPerEpoch * c.recipeEpochs,
                                  pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4)
        let recipe = try fit(
            name: "recipe", title: "Chapter 7 recipe",
            setup: "MLP \(widths), He init, BatchNorm, dropout \(c.recipeDropout), AdamW(lr \(c.recipeMaxLearningRate), wd \(c.recipeWeightDecay)), one-cycle per batch, clip \(c.recipeClipNorm), early stopping (patience \(c.recipePatience)), ≤ \(c.recipeEpochs) epochs",
            model: recipeModel, optimizer: recipeOptimizer, epochs: c.recipeEpochs,
            callbacks: [GradientClipping(maxNorm: c.recipeClipNorm), LearningRateScheduler(schedule, interval: .batch)],
            earlyStopping: EarlyStopping(monitor: "val_loss", patience: c.recipePatience, restoreBestWeights: true))

        let oracle = c.oracleSamples > 0 ? StreamRecData.oracleAUC(samples: c.oracleSamples, seed: c.seed &+ 0x0AC1E) : nil
        let report = Report(configuration: c, baseline: baseline, recipe: recipe, oracleAUC: oracle,
                            positiveFraction: splits.train.positiveFraction)
        if let output {
            try comparisonChart(report).write(to: output.appendingPathComponent("comparison.svg").path)
            try report.summaryJSON().write(to: output.appendingPathComponent("summary.json"), options: .atomic)
        }
        return report
    }

    /// Validation AUC, validation loss and the eval-mode train–validation gap of both runs against
    /// the epoch.
    public static func comparisonChart(_ report: Report) -> LineChart {
        let colors = (baseline: LineChart.defaultPalette[0], recipe: LineChart.defaultPalette[1])
        func series(_ run: RunResult, _ color: String, _ values: (HistoryRecord) -> Double) -> LineChart.Series {
            LineChart.Series(run.name == "baseline" ? "Ch. 6 baseline" : "Ch. 7 recipe",
                             x: run.history.records.map { Double($0.epoch) }, y: run.history.records.map(values), color: color)
        }
        func panel(_ title: String, _ yLabel: String, _ values: @escaping (HistoryRecord) -> Double) -> LineChart.Panel {
            LineChart.Panel(title: title, xLabel: "epoch", yLabel: yLabel,
                            series: [series(report.baseline, colors.baseline, values), series(report.recipe, colors.recipe, values)],
                            showsLegend: true)
        }
        return LineChart(title: "StreamRec: Chapter 6 baseline vs Chapter 7 recipe", panels: [
            panel("Validation AUC", "AUC") { $0["val_auc"] ?? .nan },
            panel("Validation loss", "BCE loss") { $0["val_loss"] ?? .nan },
            panel("Train-validation gap", "val loss - train loss (eval mode)") {
                ($0["val_loss"] ?? .nan) - ($0["train_eval_loss"] ?? .nan)
            },
        ])
    }
}
