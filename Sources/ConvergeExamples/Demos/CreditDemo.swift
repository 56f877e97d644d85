import Converge
import ConvergeCore
import Foundation

/// `converge demo credit`: why weight decay matters for correlated features (Chapter 7, §7.4.3,
/// the Meridian Financial credit-scoring case).
///
/// ``CreditScoringData`` has three groups of four near-copies of the same financial measure
/// (debt-to-income, credit utilization, outstanding balance; r ≈ 0.96 within a group). The same
/// MLP (20 → 64 → 32 → 1, ReLU, PyTorch default initialization, identical initial weights and
/// batch order) is trained three ways:
///
/// - **Adam**, no weight decay;
/// - **Adam + L2** (`Adam(weightDecay: 1e-4)`): the penalty's gradient goes through Adam's
///   per-parameter scaling (what PyTorch's `Adam(weight_decay=…)` does — *not* AdamW);
/// - **AdamW** (`AdamW(weightDecay: λ)`): decoupled weight decay, every weight shrunk by a
///   factor `1 − lr·λ` per step, at the seed's λ = 1e-2 and at λ = 1. Over this run's 4,800 steps
///   at lr 1e-3, λ = 1e-2 shrinks the weights by only `exp(−lr·λ·steps)` ≈ 0.95 in all, so its
///   effect is small; λ = 1 (≈ 0.008) shows what the decay does once it is strong enough to matter.
///
/// For each it reports:
/// - the L2 norm of the first-layer weights reading each correlated group (‖W[:, group]‖) and
///   their *cancellation* `1 − ‖Σⱼ W[:, j]‖ / Σⱼ ‖W[:, j]‖` over the group's columns: 0 when the
///   copies get parallel weights (the model reads the shared signal), near 1 when they get
///   opposite weights that cancel on the training data;
/// - how far predicted default probabilities move when one copy in each group is shifted by
///   ε standard deviations (the others unchanged): the mean and largest |Δp| over the
///   validation set;
/// - validation AUC and loss, and AUC and loss on the ``CreditScoringData/Population/shifted``
///   population (noisier copies, higher leverage), standardized with the training statistics.
public enum CreditDemo {
    /// Everything the demo's outcome depends on.
    public struct Configuration {
        /// Training examples (default 2,000, the small-data setting where the copies' weights swing).
        public var trainSamples = 2_000
        /// Validation examples (default 1,000).
        public var validationSamples = 1_000
        /// Examples from the shifted population (default 2,000).
        public var shiftedSamples = 2_000
        /// Hidden layer widths (default 64, 32).
        public var hiddenSizes = [64, 32]
        /// Epochs of every run (default 150, no early stopping: the point is where the weights go).
        public var epochs = 150
        /// Mini-batch size (default 64).
        public var batchSize = 64
        /// Learning rate of every run (default 1e-3).
        public var learningRate = 1e-3
        /// Coupled L2 coefficient of the Adam + L2 run (default 1e-4; 0 leaves that run out).
        public var l2Penalty = 1e-4
        /// Decoupled weight decay of each AdamW run, one run per value (default 1e-2 and 1).
        public var weightDecays = [1e-2, 1.0]
        /// The shift applied to one copy per group, in standard deviations (default 0.1).
        public var perturbation = 0.1
        /// Seed of the data, the initialization and the batch order (default 0).
        public var seed: UInt64 = 0

        /// The defaults above.
        public init() {}
    }

    /// The outcome of one training run.
    public struct RunResult {
        /// `Adam`, `Adam + L2` or `AdamW`.
        public let name: String
        /// The optimizer with its settings.
        public let setup: String
        /// For decoupled decay, `exp(−lr·λ·steps)`: how much the decay alone shrinks a weight over
        /// the run; `nil` for the other runs.
        public let decayFactor: Double?
        /// Per-epoch records.
        public let history: History
        /// ‖W[:, group]‖ of the first layer for each of ``CreditScoringData/correlatedGroups``.
        public let groupNorms: [Double]
        /// Cancellation of each group's first-layer columns (0 aligned … 1 fully cancelling).
        public let groupCancellation: [Double]
        /// L2 norm of every weight and bias of the model.
        public let parameterNorm: Double
        /// Mean |Δp| over the validation set when one copy per group is shifted.
        public let meanPredictionChange: Double
        /// Largest |Δp| over the validation set for the same shift.
        public let maxPredictionChange: Double
        /// Validation AUC and loss.
        public let validationAUC: Double, validationLoss: Double
        /// AUC and loss on the shifted population.
        public let shiftedAUC: Double, shiftedLoss: Double
        /// Mean training loss of the last epoch.
        public let trainLoss: Double
    }

    /// All runs.
    public struct Report {
        /// The configuration the runs used.
        public let configuration: Configuration
        /// The runs, in order: Adam, (Adam + L2,) one AdamW run per weight decay.
        public let runs: [RunResult]

        /// One column per run.
        public func table() -> TextTable {
            var table = TextTable(header: ["Metric"] + runs.map(\.name))
            let groups = ["debt-to-income", "utilization", "balance"]
            for (g, name) in groups.enumerated() {
                table.append(["‖W1‖ " + name + " copies"] + runs.map { DemoFormat.fixed($0.groupNorms[g], 3) })
            }
            for (g, name) in groups.enumerated() {
                table.append(["cancellation " + name] + runs.map { DemoFormat.fixed($0.groupCancellation[g], 3) })
            }
            table.append(["‖all parameters‖"] + runs.map { DemoFormat.fixed($0.parameterNorm, 2) })
            table.append(["decay alone, exp(-lr·λ·steps)"] + runs.map { $0.decayFactor.map { DemoFormat.fixed($0, 3) } ?? "-" })
            let epsilon = DemoFormat.fixed(configuration.perturbation, 2)
            table.append(["mean |Δp|, one copy +\(epsilon) SD"] + runs.map { DemoFormat.fixed($0.meanPredictionChange, 4) })
            table.append(["max |Δp|, one copy +\(epsilon) SD"] + runs.map { DemoFormat.fixed($0.maxPredictionChange, 4) })
            table.append(["train loss (last epoch)"] + runs.map { DemoFormat.fixed($0.trainLoss, 4) })
            table.append(["validation loss"] + runs.map { DemoFormat.fixed($0.validationLoss, 4) })
            table.append(["validation AUC"] + runs.map { DemoFormat.fixed($0.validationAUC, 4) })
            table.append(["shifted population loss"] + runs.map { DemoFormat.fixed($0.shiftedLoss, 4) })
            table.append(["shifted population AUC"] + runs.map { DemoFormat.fixed($0.shiftedAUC, 4) })
            return table
        }

        /// The report as pretty-printed JSON.
        public func summaryJSON() throws -> Data {
            let c = configuration
            let object: [String: Any] = [
                "demo": "credit",
                "configuration": ["train_samples": c.trainSamples, "validation_samples": c.validationSamples,
                                  "shifted_samples": c.shiftedSamples, "hidden_sizes": c.hiddenSizes, "epochs": c.epochs,
                                  "batch_size": c.batchSize, "learning_rate": c.learningRate, "l2_penalty": c.l2Penalty,
                                  "weight_decays": c.weightDecays, "perturbation_sd": c.perturbation, "seed": c.seed] as [String: Any],
                "runs": runs.map { r -> [String: Any] in
                    ["name": r.name, "setup": r.setup, "decay_factor": r.decayFactor.map(JSONValue.number) ?? NSNull(),
                     "group_norms": r.groupNorms.map(JSONValue.number),
                     "group_cancellation": r.groupCancellation.map(JSONValue.number),
                     "parameter_norm": JSONValue.number(r.parameterNorm),
                     "mean_prediction_change": JSONValue.number(r.meanPredictionChange),
                     "max_prediction_change": JSONValue.number(r.maxPredictionChange),
                     "val_auc": JSONValue.number(r.validationAUC), "val_loss": JSONValue.number(r.validationLoss),
                     "shifted_auc": JSONValue.number(r.shiftedAUC), "shifted_loss": JSONValue.number(r.shiftedLoss),
                     "train_loss": JSONValue.number(r.trainLoss), "history": JSONValue.history(r.history)]
                },
            ]
            return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        }
    }

    /// The MLP of every run: `Linear` + `ReLU` per hidden layer, PyTorch's default initialization.
    public static func makeModel(hiddenSizes: [Int] = [64, 32]) -> Sequential {
        let model = Sequential([])
        var width = CreditScoringData.featureCount
        for hidden in hiddenSizes {
            model.append(Linear(width, hidden))
            model.append(ReLU())
            width = hidden
        }
        model.append(Linear(width, 1))
        return model
    }

    /// ‖W[:, group]‖ and the group's cancellation `1 − ‖Σⱼ W[:, j]‖ / Σⱼ ‖W[:, j]‖` for a weight
    /// matrix `weight` [out, in] and column indices `group`.
    public static func groupStatistics(weight: Tensor, group: [Int]) -> (norm: Double, cancellation: Double) {
        precondition(weight.rank == 2, "CreditDemo.groupStatistics: weight must be [out, in], got \(weight.shape)")
        let (rows, columns) = (weight.shape[0], weight.shape[1])
        let w = weight.scalars
        var squares = 0.0, columnNormSum = 0.0
        var sum = [Double](repeating: 0, count: rows)
        for j in group {
            precondition(j >= 0 && j < columns, "CreditDemo.groupStatistics: column \(j) is outside 0..<\(columns)")
            var columnSquares = 0.0
            for i in 0..<rows {
                let v = Double(w[i * columns + j])
                columnSquares += v * v
                sum[i] += v
            }
            squares += columnSquares
            columnNormSum += columnSquares.squareRoot()
        }
        let sumNorm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return (squares.squareRoot(), columnNormSum > 0 ? 1 - sumNorm / columnNormSum : 0)
    }

    /// Trains every run and returns the comparison; with `output`, writes each run's history
    /// files, `<run>.svg` monitor figures and `summary.json` there.
    public static func run(_ configuration: Configuration, output: URL? = nil,
                           log: ((String) -> Void)? = nil) throws -> Report {
        let c = configuration
        guard c.trainSamples >= c.batchSize, c.batchSize >= 1, c.validationSamples > 0, c.shiftedSamples > 0, c.epochs >= 1 else {
            throw DemoError.invalidOption("credit: need at least one batch of training data, non-empty validation and shifted sets, and epochs ≥ 1")
        }
        guard c.learningRate > 0, c.weightDecays.allSatisfy({ $0 >= 0 }), c.l2Penalty >= 0 else {
            throw DemoError.invalidOption("credit: the learning rate must be positive and the weight decays non-negative")
        }
        log?("Generating credit data: \(c.trainSamples) train / \(c.validationSamples) validation (development population), \(c.shiftedSamples) shifted (seed \(c.seed))")
        let raw = CreditScoringData.splits(train: c.trainSamples, validation: c.validationSamples, test: 1, seed: c.seed)
        let standardizer = Standardizer(fitting: raw.train.features)
        let train = raw.train.mappingFeatures(standardizer.transform)
        let validation = raw.validation.mappingFeatures(standardizer.transform)
        let shifted = CreditScoringData.generate(samples: c.shiftedSamples, seed: c.seed &+ 0x5_41F7, population: .shifted)
            .mappingFeatures(standardizer.transform)
        // One copy per group (the first: the application value) shifted by ε standard deviations;
        // features are standardized, so that is +ε.
        let perturbedValidation = shiftingColumns(validation.features, CreditScoringData.correlatedGroups.map { $0[0] },
                                                  by: Float(c.perturbation))
        func loader(_ examples: LabeledExamples, shuffle: Bool = false) -> DataLoader {
            DataLoader(TensorDataset(features: examples.features, labels: examples.labelColumn),
                       batchSize: shuffle ? c.batchSize : 1024, shuffle: shuffle, seed: c.seed &+ 23)
        }
        if let output { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) }

        let steps = Double(c.epochs * ((c.trainSamples + c.batchSize - 1) / c.batchSize))
        var variants: [(name: String, setup: String, decay: Double?, make: ([Tensor]) -> Optimizer)] = [
            ("Adam", "Adam(lr \(c.learningRate)), no weight decay", nil, { Adam($0, learningRate: c.learningRate) }),
        ]
        if c.l2Penalty > 0 {
            variants.append(("Adam + L2 \(c.l2Penalty)", "Adam(lr \(c.learningRate), weight_decay \(c.l2Penalty)): coupled L2", nil,
                             { Adam($0, learningRate: c.learningRate, weightDecay: c.l2Penalty) }))
        }
        for decay in c.weightDecays {
            variants.append(("AdamW \(decay)", "AdamW(lr \(c.learningRate), weight_decay \(decay)): decoupled",
                             Foundation.exp(-c.learningRate * decay * steps),
                             { AdamW($0, learningRate: c.learningRate, weightDecay: decay) }))
        }

        var runs: [RunResult] = []
        for variant in variants {
            log?("\(variant.name): \(variant.setup), \(c.epochs) epochs")
            Random.seed(c.seed &+ 1)   // identical initial weights for every run
            let model = makeModel(hiddenSizes: c.hiddenSizes)
            let slug = variant.name.lowercased().replacingOccurrences(of: " + ", with: "_").replacingOccurrences(of: " ", with: "_")
            var callbacks: [Callback] = []
            if let output { callbacks.append(HistoryLogger(directory: output.appendingPathComponent(slug), tensorBoard: false)) }
            if let log { callbacks.append(EpochLog(prefix: variant.name, every: 25, write: log)) }
            let trainer = Trainer(model: model, optimizer: variant.make(model.parameters), loss: .binaryCrossEntropyWithLogits,
                                  callbacks: callbacks, metrics: [.rocAUC], outputKind: .binaryLogits)
            let history = try trainer.fit(train: loader(train, shuffle: true), validation: loader(validation), epochs: c.epochs)
            if let output { try history.plot(to: output.appendingPathComponent("\(slug).svg").path, title: "Credit scoring: \(variant.setup)") }

            let firstWeight = (model[0] as! Linear).weight
            let statistics = CreditScoringData.correlatedGroups.map { groupStatistics(weight: firstWeight, group: $0) }
            let validationResult = Dictionary(uniqueKeysWithValues: trainer.evaluate(loader(validation)))
            let shiftedResult = Dictionary(uniqueKeysWithValues: trainer.evaluate(loader(shifted)))
            model.eval()
            let (before, after) = withNoGrad {
                (model(validation.features).sigmoid().scalars, model(perturbedValidation).sigmoid().scalars)
            }
            let changes = zip(before, after).map { Double(abs($1 - $0)) }
            let parameterNorm = model.parameters.reduce(0.0) { total, p in
                total + p.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
            }.squareRoot()
            runs.append(RunResult(
                name: variant.name, setup: variant.setup, decayFactor: variant.decay, history: history,
                groupNorms: statistics.map(\.norm), groupCancellation: statistics.map(\.cancellation),
                parameterNorm: parameterNorm,
                meanPredictionChange: changes.reduce(0, +) / Double(max(changes.count, 1)),
                maxPredictionChange: changes.max() ?? 0,
                validationAUC: validationResult["auc"] ?? .nan, validationLoss: validationResult["loss"] ?? .nan,
                shiftedAUC: shiftedResult["auc"] ?? .nan, shiftedLoss: shiftedResult["loss"] ?? .nan,
                trainLoss: history.records.last?["train_loss"] ?? .nan))
        }
        let report = Report(configuration: c, runs: runs)
        if let output { try report.summaryJSON().write(to: output.appendingPathComponent("summary.json"), options: .atomic) }
        return report
    }

    /// A copy of `features` [N, F] with `amount` added to the given columns.
    static func shiftingColumns(_ features: Tensor, _ columns: [Int], by amount: Float) -> Tensor {
        let width = features.shape[1]
        var values = features.scalars
        for row in 0..<features.shape[0] {
            for column in columns { values[row * width + column] += amount }
        }
        return Tensor(shape: features.shape, scalars: values)
    }
}
