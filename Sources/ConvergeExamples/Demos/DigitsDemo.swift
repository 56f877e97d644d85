import Converge
import ConvergeCore
import Foundation

/// `converge demo digits`: real data — the UCI optical handwritten digits (``DigitsData``, 1,797
/// 8×8 images) — with an MLP and a small CNN, and the test accuracy of each.
///
/// ## The split
///
/// The default split is **interleaved**: image `i` (in file order) is a test image when
/// `i mod 5 = 4`, a training image otherwise — 1,438 training and 359 test images, every class
/// in both (PyTorch: `test = np.arange(1797) % 5 == 4`). The file's images come in blocks of
/// writers, so this split tests on new images of writers seen in training, as a shuffled split
/// does. ``Split/contiguous`` is ``DigitsData/trainTestSplit()`` (the first 1,437 images train,
/// the last 360 test): those are mostly writers never seen in training, a harder test on which
/// the same models score several points lower.
///
/// ## The models and training
///
/// Pixels are standardized per pixel with the training images' mean and standard deviation.
/// - **MLP** 64 → 128 → 64 → 10: `Linear` + `ReLU` + `Dropout(0.2)` per hidden layer.
/// - **CNN** on [N, 1, 8, 8]: `Conv2d(1, 16, 3, padding 1)`, ReLU, `Conv2d(16, 32, 3, padding 1)`,
///   ReLU, `MaxPool2d(2)`, `Flatten`, `Linear(512, 64)`, ReLU, `Linear(64, 10)`.
///
/// Both train with cross-entropy (label smoothing 0.1), AdamW (weight decay 1e-2) under a
/// one-cycle schedule stepped per batch (peak 3e-3), batch size 32, for a fixed number of epochs
/// (MLP 40, CNN 20) with PyTorch's default initialization. Nothing is selected on the test set:
/// the accuracy reported is that of the last epoch's weights (the per-epoch `val_*` values in the
/// history files are test-set figures, recorded only to draw the curves).
public enum DigitsDemo {
    /// How the 1,797 images are divided into training and test images.
    public enum Split: String, CaseIterable {
        /// Image `i` is a test image when `i mod 5 = 4` (1,438 train / 359 test).
        case interleaved
        /// The first 1,437 images train, the last 360 test (``DigitsData/trainTestSplit()``).
        case contiguous

        /// A sentence stating the split.
        public var statement: String {
            switch self {
            case .interleaved:
                return "interleaved split: image i (file order) is a test image when i mod 5 = 4 -> 1438 train / 359 test"
            case .contiguous:
                return "contiguous split: first 1437 images train, last 360 test (mostly unseen writers)"
            }
        }
    }

    /// Everything the demo's outcome depends on.
    public struct Configuration {
        /// The train/test split (default interleaved).
        public var split = Split.interleaved
        /// Epochs of the MLP (default 40).
        public var mlpEpochs = 40
        /// Epochs of the CNN (default 20).
        public var cnnEpochs = 20
        /// Mini-batch size (default 32).
        public var batchSize = 32
        /// Peak learning rate of the one-cycle schedule (default 3e-3).
        public var maxLearningRate = 3e-3
        /// Decoupled weight decay (default 1e-2).
        public var weightDecay = 1e-2
        /// Label smoothing of the cross-entropy (default 0.1).
        public var labelSmoothing: Float = 0.1
        /// Dropout after each hidden layer of the MLP (default 0.2).
        public var mlpDropout: Float = 0.2
        /// Which models to train (default both).
        public var models: [Model] = [.mlp, .cnn]
        /// Seed of the initialization, dropout and batch order (default 0).
        public var seed: UInt64 = 0

        /// The defaults above.
        public init() {}
    }

    /// The two models.
    public enum Model: String, CaseIterable {
        /// 64 → 128 → 64 → 10 multilayer perceptron.
        case mlp
        /// Two 3×3 convolutions, max pooling and two linear layers.
        case cnn
    }

    /// The outcome of training one model.
    public struct RunResult {
        /// Which model.
        public let model: Model
        /// A one-line description of the architecture.
        public let architecture: String
        /// Trainable parameters.
        public let parameterCount: Int
        /// Epochs trained.
        public let epochs: Int
        /// Test accuracy of the last epoch's weights.
        public let testAccuracy: Double
        /// Test cross-entropy (with label smoothing) of the last epoch's weights.
        public let testLoss: Double
        /// Training accuracy of the last epoch's weights (eval mode).
        public let trainAccuracy: Double
        /// Misclassified test images.
        public let testErrors: Int
        /// Test images.
        public let testCount: Int
        /// Wall-clock seconds of training.
        public let trainingSeconds: Double
        /// Per-epoch records (`val_*` are test-set figures).
        public let history: History
    }

    /// All runs.
    public struct Report {
        /// The configuration used.
        public let configuration: Configuration
        /// Training images.
        public let trainCount: Int
        /// Test images.
        public let testCount: Int
        /// One result per model, in ``Configuration/models`` order.
        public let runs: [RunResult]

        /// One row per model.
        public func table() -> TextTable {
            var table = TextTable(header: ["Model", "Parameters", "Epochs", "Train acc", "Test acc", "Test errors", "Time"])
            for r in runs {
                table.append([r.architecture, "\(r.parameterCount)", "\(r.epochs)", DemoFormat.percent(r.trainAccuracy),
                              DemoFormat.percent(r.testAccuracy), "\(r.testErrors)/\(r.testCount)",
                              DemoFormat.duration(r.trainingSeconds)])
            }
            return table
        }

        /// The report as pretty-printed JSON.
        public func summaryJSON() throws -> Data {
            let c = configuration
            let object: [String: Any] = [
                "demo": "digits", "split": c.split.rawValue, "split_statement": c.split.statement,
                "train_count": trainCount, "test_count": testCount,
                "configuration": ["batch_size": c.batchSize, "max_lr": c.maxLearningRate, "weight_decay": c.weightDecay,
                                  "label_smoothing": Double(c.labelSmoothing), "mlp_dropout": Double(c.mlpDropout),
                                  "mlp_epochs": c.mlpEpochs, "cnn_epochs": c.cnnEpochs, "seed": c.seed] as [String: Any],
                "runs": runs.map { r -> [String: Any] in
                    ["model": r.model.rawValue, "architecture": r.architecture, "parameters": r.parameterCount,
                     "epochs": r.epochs, "test_accuracy": JSONValue.number(r.testAccuracy),
                     "test_loss": JSONValue.number(r.testLoss), "train_accuracy": JSONValue.number(r.trainAccuracy),
                     "test_errors": r.testErrors, "training_seconds": JSONValue.number(r.trainingSeconds),
                     "history": JSONValue.history(r.history)]
                },
            ]
            return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        }
    }

    /// The split's training and test images (raw pixels in [0, 1]).
    public static func split(_ digits: DigitsData, _ split: Split) -> (train: LabeledExamples, test: LabeledExamples) {
        switch split {
        case .contiguous:
            return digits.trainTestSplit()
        case .interleaved:
            let all = digits.examples
            let indices = Array(0..<digits.count)
            return (all.subset(indices.filter { $0 % 5 != 4 }), all.subset(indices.filter { $0 % 5 == 4 }))
        }
    }

    /// The MLP: 64 → 128 → 64 → 10, `Linear` + `ReLU` + `Dropout(dropout)` per hidden layer.
    public static func makeMLP(dropout: Float = 0.2) -> Sequential {
        Sequential {
            Linear(64, 128); ReLU(); Dropout(dropout)
            Linear(128, 64); ReLU(); Dropout(dropout)
            Linear(64, 10)
        }
    }

    /// The CNN for [N, 1, 8, 8] images.
    public static func makeCNN() -> Sequential {
        Sequential {
            Conv2d(1, 16, kernelSize: 3, padding: 1); ReLU()
            Conv2d(16, 32, kernelSize: 3, padding: 1); ReLU()
            MaxPool2d(kernelSize: 2)
            Flatten()
            Linear(32 * 4 * 4, 64); ReLU()
            Linear(64, 10)
        }
    }

    /// Loads the bundled digits (or `digits` if given), trains each model and returns the
    /// results; with `output`, writes history files, `<model>.svg` and `summary.json` there.
    public static func run(_ configuration: Configuration, digits: DigitsData? = nil, output: URL? = nil,
                           log: ((String) -> Void)? = nil) throws -> Report {
        let c = configuration
        guard c.batchSize >= 1, c.mlpEpochs >= 1, c.cnnEpochs >= 1, c.maxLearningRate > 0 else {
            throw DemoError.invalidOption("digits: batch size, epochs and learning rate must be positive")
        }
        let data = try digits ?? DigitsData.load()
        let (rawTrain, rawTest) = split(data, c.split)
        let standardizer = Standardizer(fitting: rawTrain.features)
        let train = rawTrain.mappingFeatures(standardizer.transform)
        let test = rawTest.mappingFeatures(standardizer.transform)
        log?("UCI digits: \(c.split.statement)")
        if let output { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) }

        var runs: [RunResult] = []
        for kind in c.models {
            Random.seed(c.seed &+ (kind == .mlp ? 1 : 2))
            let model = kind == .mlp ? makeMLP(dropout: c.mlpDropout) : makeCNN()
            let epochs = kind == .mlp ? c.mlpEpochs : c.cnnEpochs
            let architecture = kind == .mlp
                ? "MLP 64-128-64-10 (dropout \(c.mlpDropout))"
                : "CNN conv16-conv32-pool-64-10"
            func dataset(_ examples: LabeledExamples) -> TensorDataset {
                let features = kind == .cnn ? examples.features.reshaped([examples.count, 1, 8, 8]) : examples.features
                return TensorDataset(features: features, labels: examples.labels)
            }
            let trainLoader = DataLoader(dataset(train), batchSize: c.batchSize, shuffle: true, seed: c.seed &+ 31)
            let trainEvaluation = DataLoader(dataset(train), batchSize: 512)
            let testLoader = DataLoader(dataset(test), batchSize: 512)
            let optimizer = AdamW(model.parameters, learningRate: c.maxLearningRate, weightDecay: c.weightDecay)
            let schedule = OneCycleLR(maxLearningRate: c.maxLearningRate, totalSteps: trainLoader.count * epochs)
            var callbacks: [Callback] = [LearningRateScheduler(schedule, interval: .batch)]
            let name = kind.rawValue
            if let output { callbacks.append(HistoryLogger(directory: output.appendingPathComponent(name), tensorBoard: false)) }
            if let log { callbacks.append(EpochLog(prefix: name, every: 5, write: log)) }
            let trainer = Trainer(model: model, optimizer: optimizer, loss: .crossEntropy(labelSmoothing: c.labelSmoothing),
                                  callbacks: callbacks, metrics: [.accuracy], outputKind: .multiclass(numClasses: 10))
            log?("\(name): \(architecture), AdamW(peak lr \(c.maxLearningRate), wd \(c.weightDecay)), one-cycle, label smoothing \(c.labelSmoothing), \(epochs) epochs")
            let start = DispatchTime.now().uptimeNanoseconds
            let history = try trainer.fit(train: trainLoader, validation: testLoader, epochs: epochs)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            let testResult = Dictionary(uniqueKeysWithValues: trainer.evaluate(testLoader))
            let trainResult = Dictionary(uniqueKeysWithValues: trainer.evaluate(trainEvaluation))
            let accuracy = testResult["accuracy"] ?? .nan
            if let output { try history.plot(to: output.appendingPathComponent("\(name).svg").path, title: "UCI digits: \(architecture)") }
            runs.append(RunResult(model: kind, architecture: architecture,
                                  parameterCount: model.trainableParameters.reduce(0) { $0 + $1.count }, epochs: epochs,
                                  testAccuracy: accuracy, testLoss: testResult["loss"] ?? .nan,
                                  trainAccuracy: trainResult["accuracy"] ?? .nan,
                                  testErrors: Int((Double(test.count) * (1 - accuracy)).rounded()), testCount: test.count,
                                  trainingSeconds: seconds, history: history))
        }
        let report = Report(configuration: c, trainCount: train.count, testCount: test.count, runs: runs)
        if let output { try report.summaryJSON().write(to: output.appendingPathComponent("summary.json"), options: .atomic) }
        return report
    }
}
