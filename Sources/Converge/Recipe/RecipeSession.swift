import ConvergeCore
import Foundation

/// Everything a recipe describes, made ready to train: the loaded and standardized data splits,
/// and factories for the model, optimizer, schedule and trainer. `converge train`, `lr-find`
/// and `doctor` all start here.
public final class RecipeSession {
    /// The recipe.
    public let recipe: Recipe
    /// Training examples (standardized when the recipe asks).
    public let train: TensorDataset
    /// Validation examples, if the recipe has any.
    public let validation: TensorDataset?
    /// Test examples, if the recipe names a test file.
    public let test: TensorDataset?
    /// The fitted standardizer, when standardization is on.
    public let standardizer: Standardizer?
    /// Feature names (CSV header order, one-hot features as `column=value`), used again by
    /// `converge predict`.
    public let featureNames: [String]
    /// How CSV columns became features and labels (nil for `.npy` data), saved with the model.
    public let encoding: TableEncoding?
    /// The class names, when the training labels are names.
    public var classNames: [String]? { encoding?.classNames }
    /// Per-sample input shape.
    public let inputShape: [Int]
    /// Number of classes (classification), or nil.
    public let numClasses: Int?
    /// Model outputs per sample: 1 for binary classification and regression, k for k classes.
    public let outputCount: Int
    /// How metrics read the outputs.
    public let outputKind: ModelOutputKind
    /// The loss matching the task.
    public let loss: Loss
    /// The validation metrics reported for the task.
    public let metrics: [Metric]
    /// The training token stream of a language-model recipe (`data.format`), or nil.
    public let tokenSequence: TokenSequence?

    /// Loads and checks everything the recipe names, without training.
    ///
    /// - Throws: ``RecipeError`` for recipe problems, ``DataFileError`` naming file and line for
    ///   bad data.
    public init(_ recipe: Recipe) throws {
        self.recipe = recipe
        let file = recipe.file.path
        if let sequence = recipe.data.sequence {
            // A language model: windows of token ids, next-token targets, logits per token.
            let data = try RecipeSession.loadSequenceData(recipe, sequence)
            tokenSequence = data.corpus
            train = data.train
            validation = data.validation
            test = data.test
            standardizer = nil
            featureNames = (0..<sequence.context).map { "t\($0)" }
            encoding = nil
            inputShape = [sequence.context]
            numClasses = nil
            outputCount = data.corpus.vocabularySize
            outputKind = .multiclass(numClasses: data.corpus.vocabularySize)
            loss = RecipeSession.tokenCrossEntropyLoss
            metrics = [.perplexity, .accuracy]
            return
        }
        tokenSequence = nil
        let task = recipe.data.task == .classification
            ? (recipe.data.numClasses.map { LearningTask.classification(numClasses: $0) } ?? .classification)
            : LearningTask.regression
        var fitted: TableEncoding?
        func load(_ path: String, field: String) throws -> LabeledDataset {
            let url = recipe.resolve(path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw RecipeError(file: file, line: nil, field: field, message: "file not found: \(url.path)")
            }
            if url.pathExtension.lowercased() == "npy" { return try RecipeSession.loadNPY(url, recipe: recipe, task: task, field: field) }
            let table = try CSVTable(contentsOf: url)
            if fitted == nil {
                fitted = try TableEncoding(fitting: table, labelColumn: recipe.data.label, task: task,
                                           categorical: recipe.data.categorical, missing: recipe.data.missing)
            }
            return try fitted!.dataset(of: table, task: task)
        }
        let trainFile = try load(recipe.data.train, field: "data.train")
        encoding = fitted
        featureNames = trainFile.featureNames
        var numClasses = recipe.data.task == .classification ? (recipe.data.numClasses ?? trainFile.numClasses) : nil
        var trainSet = trainFile.dataset
        var validationSet: TensorDataset?
        switch recipe.data.validation {
        case .none: break
        case .fraction(let fraction):
            let split = randomSplit(trainSet, validationFraction: fraction, seed: recipe.seed)
            guard split.train.count > 0, split.validation.count > 0 else {
                throw DataFileError(file: recipe.resolve(recipe.data.train).path, line: nil, column: nil,
                                    reason: .malformed("\(trainSet.count) row\(trainSet.count == 1 ? "" : "s") cannot be split into non-empty training and validation sets (data.validation: \(fraction)); add rows or name a validation file"))
            }
            trainSet = split.train
            validationSet = split.validation
        case .file(let path):
            let v = try load(path, field: "data.validation")
            try RecipeSession.checkColumns(v.featureNames, featureNames, file: file, field: "data.validation")
            validationSet = v.dataset
            if let k = v.numClasses, let n = numClasses, recipe.data.numClasses == nil { numClasses = max(k, n) }
        }
        var testSet: TensorDataset?
        if let path = recipe.data.test {
            let t = try load(path, field: "data.test")
            try RecipeSession.checkColumns(t.featureNames, featureNames, file: file, field: "data.test")
            testSet = t.dataset
        }
        for (set, field, path) in [(validationSet, "data.validation", recipe.data.validation.filePath), (testSet, "data.test", recipe.data.test)] {
            if let set, set.count == 0 {
                throw DataFileError(file: path.map { recipe.resolve($0).path } ?? file, line: nil, column: nil,
                                    reason: .malformed("\(field) has no rows"))
            }
        }
        if recipe.data.task == .classification {
            if let k = numClasses, k > Recipe.maxClasses {
                throw RecipeError(file: file, line: nil, field: "data.label",
                                  message: "the labels imply \(k) classes, more than the \(Recipe.maxClasses) a classification task may have (largest label \(k - 1))")
            }
            let present = Set(trainSet.labels.scalars)
            if present.count == 1, let only = present.first {
                throw RecipeError(file: file, line: nil, field: "data.label",
                                  message: "the training labels in column '\(recipe.data.label)' hold only one class (\(Int(only))); classification needs at least 2 classes")
            }
            guard let k = numClasses, k >= 2 else {
                throw RecipeError(file: file, line: nil, field: "data.label",
                                  message: "classification needs at least 2 classes in column '\(recipe.data.label)'")
            }
            for (set, field) in [(validationSet, "data.validation"), (testSet, "data.test")] {
                if let set, let maximum = set.labels.scalars.max(), Int(maximum) >= k {
                    throw RecipeError(file: file, line: nil, field: field,
                                      message: "label \(Int(maximum)) is out of range for \(k) classes seen in the training data (set data.num_classes)")
                }
            }
        }
        self.numClasses = numClasses
        if recipe.data.standardize {
            let s = Standardizer(fitting: trainSet, featureNames: featureNames)
            standardizer = s
            trainSet = s.transform(trainSet)
            validationSet = validationSet.map { s.transform($0) }
            testSet = testSet.map { s.transform($0) }
        } else {
            standardizer = nil
        }
        // Label layout: [N, 1] for one output (binary logits, regression), [N] class ids otherwise.
        if let k = numClasses, k > 2 {
            outputCount = k
            outputKind = .multiclass(numClasses: k)
            loss = .crossEntropy
            metrics = [.accuracy] + (k > 5 ? [.topKAccuracy(5)] : []) + [.f1]
        } else {
            outputCount = 1
            func column(_ d: TensorDataset) -> TensorDataset { d.reshapingLabels(to: [1]) }
            trainSet = column(trainSet)
            validationSet = validationSet.map(column)
            testSet = testSet.map(column)
            if numClasses != nil {
                outputKind = .binaryLogits
                loss = .binaryCrossEntropyWithLogits
                metrics = [.accuracy, .rocAUC, .precision, .recall, .f1]
            } else {
                outputKind = .regression
                loss = .meanSquaredError
                metrics = [.meanSquaredError, .meanAbsoluteError]
            }
        }
        train = trainSet
        validation = validationSet
        test = testSet
        inputShape = trainSet.featureShape
    }

    /// Features from a `.npy` file [N, …] and labels from the `.npy` file named by `data.label`
    /// (resolved like the data path; `{name}` in it is replaced by the features file's name
    /// without extension, so `{name}_labels.npy` pairs `train.npy` with `train_labels.npy`).
    static func loadNPY(_ url: URL, recipe: Recipe, task: LearningTask, field: String) throws -> LabeledDataset {
        let file = recipe.file.path
        let features = try NPY.read(contentsOf: url)
        let labelPath = recipe.data.label.replacingOccurrences(of: "{name}", with: url.deletingPathExtension().lastPathComponent)
        guard labelPath.hasSuffix(".npy") else {
            throw RecipeError(file: file, line: nil, field: "data.label",
                              message: "with .npy features, label must name a .npy file of labels (e.g. '{name}_labels.npy'), got '\(recipe.data.label)'")
        }
        let labelURL = recipe.resolve(labelPath)
        guard FileManager.default.fileExists(atPath: labelURL.path) else {
            throw RecipeError(file: file, line: nil, field: "data.label", message: "file not found: \(labelURL.path) (labels for \(field))")
        }
        let labels = try NPY.read(contentsOf: labelURL)
        guard features.rank >= 1, features.shape[0] > 0 else {
            throw DataFileError(file: url.path, line: nil, column: nil, reason: .noRows)
        }
        guard !features.shape.contains(0) else {
            throw DataFileError(file: url.path, line: nil, column: nil, reason: .malformed("NPY: shape \(features.shape) has a zero dimension, so the examples hold no features"))
        }
        guard features.rank >= 2, labels.shape.first == features.shape.first, labels.rank == 1 || labels.count == labels.shape[0] else {
            throw RecipeError(file: file, line: nil, field: field,
                              message: "features \(url.lastPathComponent) of shape \(features.shape) and labels \(labelURL.lastPathComponent) of shape \(labels.shape) do not pair up (need [N, …] and [N])")
        }
        if let bad = features.scalars.firstIndex(where: { !$0.isFinite }) {
            let row = bad / max(1, features.count / features.shape[0])
            throw DataFileError(file: url.path, line: nil, column: "row \(row)", reason: .nonFinite("\(features.scalars[bad])"))
        }
        let flat = labels.reshaped([labels.shape[0]])
        var numClasses: Int?
        if task.isClassification {
            for (i, v) in flat.scalars.enumerated() {
                guard v.isFinite, v >= 0, v == v.rounded() else {
                    throw DataFileError(file: labelURL.path, line: nil, column: "row \(i)", reason: .labelNotIntegral("\(v)"))
                }
                if let k = task.numClasses, Int(v) >= k {
                    throw DataFileError(file: labelURL.path, line: nil, column: "row \(i)", reason: .labelOutOfRange("\(v)", numClasses: k))
                }
            }
            numClasses = task.numClasses ?? (Int(flat.scalars.max() ?? 0) + 1)
        }
        let names = (0..<(features.count / features.shape[0])).map { "f\($0)" }
        return LabeledDataset(dataset: TensorDataset(features: features, labels: flat), featureNames: names,
                              labelName: labelPath, task: task, numClasses: numClasses)
    }

    private static func checkColumns(_ found: [String], _ expected: [String], file: String, field: String) throws {
        guard found == expected else {
            throw RecipeError(file: file, line: nil, field: field,
                              message: "feature columns \(found) differ from the training file's \(expected)")
        }
    }

    /// Builds the model after seeding the default generator with the recipe's seed, so the same
    /// recipe always starts from the same weights.
    public func makeModel() throws -> Sequential {
        Random.seed(recipe.seed)
        let model = try ModelBuilder.build(recipe.model, inputShape: inputShape, outputs: outputCount, file: recipe.file.path,
                                           batchSize: recipe.training.batchSize, perPosition: recipe.data.sequence != nil)
        try checkTokenInputs(for: model)
        return model
    }

    /// The training loader (shuffled with the recipe's seed, a new order every epoch).
    public func makeTrainLoader() -> DataLoader {
        DataLoader(train, batchSize: recipe.training.batchSize, shuffle: recipe.training.shuffle,
                   dropLast: recipe.training.dropLast, seed: recipe.seed)
    }

    /// Checks that every training batch suits `model`: BatchNorm in training mode needs at least
    /// two examples per batch (as in PyTorch), so a batch size of 1, or a last batch of 1 without
    /// `drop_last`, is a recipe error rather than a crash mid-run.
    public func validateBatches(for model: Module) throws {
        guard model.namedModules().contains(where: { $0.1 is BatchNorm }) else { return }
        let size = recipe.training.batchSize, count = train.count
        let field = "training.batch_size"
        if size == 1 || count == 1 {
            throw RecipeError(file: recipe.file.path, line: nil, field: field,
                              message: "BatchNorm needs at least 2 examples per training batch, got batch_size \(size) with \(count) training examples")
        }
        if !recipe.training.dropLast && count % size == 1 {
            throw RecipeError(file: recipe.file.path, line: nil, field: field,
                              message: "with \(count) training examples and batch_size \(size) the last batch has 1 example, which BatchNorm cannot normalize; set training.drop_last: true or change batch_size")
        }
    }

    /// A loader over `data` in order, for evaluation.
    public func makeEvaluationLoader(_ data: TensorDataset) -> DataLoader {
        DataLoader(data, batchSize: max(recipe.training.batchSize, 256), shuffle: false)
    }

    /// The optimizer the recipe names over `model`'s trainable parameters. Weight decay is not
    /// applied to biases and normalization parameters (1-D tensors).
    public func makeOptimizer(for model: Module) -> Optimizer {
        let spec = recipe.optimizer
        let parameters = model.trainableParameters
        let decay = spec.weightDecay ?? (spec.name == "adamw" ? 1e-2 : 0)
        let groups = decay > 0 ? ParameterGroup.weightDecaySplit(parameters, weightDecay: decay)
                               : [ParameterGroup(parameters)]
        switch spec.name {
        case "sgd":
            return SGD(groups, learningRate: spec.learningRate, momentum: spec.momentum, dampening: spec.dampening,
                       weightDecay: decay, nesterov: spec.nesterov)
        case "adam":
            return Adam(groups, learningRate: spec.learningRate, betas: spec.betas, eps: spec.eps, weightDecay: decay, amsgrad: spec.amsgrad)
        case "rmsprop":
            return RMSprop(groups, learningRate: spec.learningRate, alpha: spec.alpha, eps: spec.eps, weightDecay: decay,
                           momentum: spec.momentum, centered: spec.centered)
        case "adagrad":
            return Adagrad(groups, learningRate: spec.learningRate, weightDecay: decay, eps: spec.eps == 1e-8 ? 1e-10 : spec.eps)
        default:
            return AdamW(groups, learningRate: spec.learningRate, betas: spec.betas, eps: spec.eps, weightDecay: decay, amsgrad: spec.amsgrad)
        }
    }

    /// The schedule callback for `epochs` epochs of `batchesPerEpoch` batches, or nil.
    ///
    /// The base learning rate (`base_lr`, or one-cycle's `max_lr`) defaults to the optimizer's
    /// `lr`, and lengths (`total_steps`, `t_max`, …) default to the run's length in the
    /// schedule's interval.
    public func makeScheduleCallback(epochs: Int, batchesPerEpoch: Int) throws -> Callback? {
        guard let spec = recipe.schedule else { return nil }
        if let plateau = spec.makePlateau(learningRate: recipe.optimizer.learningRate) {
            return PlateauScheduler(plateau, monitor: validation == nil ? "train_loss" : "val_loss")
        }
        let steps = spec.interval == .batch ? epochs * batchesPerEpoch : epochs
        guard let schedule = spec.makeSchedule(learningRate: recipe.optimizer.learningRate, steps: max(1, steps)) else { return nil }
        return LearningRateScheduler(schedule, interval: spec.interval)
    }
}
