import Foundation
import Yams

/// A training run described in a file (YAML, or JSON): data, model, optimizer, schedule,
/// regularization and training options.
///
/// ```yaml
/// seed: 42
/// data: { train: train.csv, validation: 0.2, test: test.csv, label: label, task: classification, standardize: true }
/// model: { mlp: { hidden: [256, 128, 64], activation: relu, batchnorm: true, dropout: 0.3, init: he } }
/// optimizer: { name: adamw, lr: 1.0e-3, weight_decay: 1.0e-2 }
/// schedule: { name: one-cycle, max_lr: 1.0e-3 }
/// training: { epochs: 30, batch_size: 64, clip_norm: 1.0, early_stopping: { patience: 5 } }
/// output: runs/example
/// ```
/// Relative paths are resolved against the recipe file's folder. Every error names the file,
/// line and field (``RecipeError``).
public struct Recipe {
    /// Seed for initialization, dropout, splitting and data order.
    public var seed: UInt64 = 42
    /// Where the data comes from.
    public var data: DataSpec
    /// The network.
    public var model: ModelSpec
    /// The optimizer.
    public var optimizer: OptimizerSpec
    /// The learning-rate schedule, if any (``ScheduleSpec``).
    public var schedule: ScheduleSpec?
    /// Loop options.
    public var training: TrainingSpec
    /// Output folder (relative to the recipe's folder), if given.
    public var output: String?
    /// The recipe file.
    public var file: URL
    /// The recipe's text as read (copied into run folders for `converge predict`).
    public var source = ""
    /// `model.sync_batchnorm`: under data-parallel training, BatchNorm layers become
    /// ``SyncBatchNorm`` (batch statistics over every rank's batch). No effect in one process.
    public var syncBatchNorm = false

    /// The data section.
    public struct DataSpec {
        /// What is predicted.
        public enum Task: String, Sendable { case classification, regression }
        /// How the validation set is made.
        public enum Validation: Equatable {
            case none, fraction(Double), file(String)

            /// The file, for `.file`.
            public var filePath: String? { if case .file(let path) = self { return path }; return nil }
        }
        /// Training data (CSV or .npy features with a label column for CSV).
        public var train: String
        /// Validation data: a fraction split off the training file, or a file.
        public var validation: Validation = .none
        /// Test data, evaluated once at the end.
        public var test: String?
        /// The label column (CSV).
        public var label = "label"
        /// Classification or regression.
        public var task: Task = .classification
        /// Standardize features with statistics of the training split.
        public var standardize = true
        /// Number of classes (inferred from the training labels when absent).
        public var numClasses: Int?
        /// What to do with empty feature cells (`missing:`; default: an error naming the cell).
        public var missing: MissingValuePolicy = .error
        /// Feature columns to one-hot encode (`categorical:`).
        public var categorical: [String] = []
        /// A token sequence for a language model (`format: text` or `format: tokens`), or nil.
        public var sequence: SequenceDataSpec?
    }

    /// The model section.
    public enum ModelSpec {
        /// A multi-layer perceptron.
        case mlp(MLPSpec)
        /// An explicit layer list; shapes are inferred from the data.
        case layers([LayerSpec])
    }

    /// An MLP: Linear (+BatchNorm) + activation (+Dropout) per hidden layer, then a Linear head.
    public struct MLPSpec {
        public var hidden: [Int] = [64]
        /// The line of `hidden` in the recipe (for errors).
        public var hiddenLine: Int?
        public var activation = "relu"
        public var batchNorm = false
        public var dropout = 0.0
        public var initialization = "default"
    }

    /// One layer of a layer list.
    public struct LayerSpec {
        /// The layer kind (`linear`, `conv1d`, `relu`, …).
        public var kind: String
        /// Numeric options by name (`out`, `kernel`, `stride`, …).
        public var options: [String: Double] = [:]
        /// A shape option (`reshape: [1, 40]`).
        public var shape: [Int] = []
        /// Field path in the recipe (for errors).
        public var path: String
        /// Line in the recipe (for errors).
        public var line: Int?
        /// The branch of a `residual` layer (`residual: { layers: [...] }`).
        public var layers: [LayerSpec] = []
    }

    /// The optimizer section.
    public struct OptimizerSpec {
        public var name = "adamw"
        public var learningRate = 1e-3
        public var weightDecay: Double?
        public var momentum = 0.0
        public var nesterov = false
        public var betas = (0.9, 0.999)
        public var eps = 1e-8
        public var alpha = 0.99
        public var centered = false
        public var amsgrad = false
        public var dampening = 0.0
    }

    /// The training section.
    public struct TrainingSpec {
        public var epochs = 10
        public var batchSize = 64
        public var clipNorm: Double?
        public var clipValue: Double?
        public var accumulationSteps = 1
        public var earlyStopping: EarlyStoppingSpec?
        public var shuffle = true
        public var dropLast = false
        public var checkpointEverySteps: Int?
        /// Optimizer steps between per-step TensorBoard scalars (`tensorboard_every_steps`, default
        /// 10; 0: per-epoch scalars only).
        public var tensorBoardEverySteps = 10
        /// `float32` (default), or `float16` / `bfloat16` mixed precision (``MixedPrecision``).
        public var precision = "float32"
    }

    /// Early-stopping options.
    public struct EarlyStoppingSpec {
        public var patience = 5
        public var minDelta = 0.0
        public var monitor = "val_loss"
        public var restoreBest = true
        /// The line of `monitor` (or of `early_stopping`) in the recipe (for errors).
        public var monitorLine: Int?
    }

    /// Layer kinds a layer list may use, with their options.
    public static let layerOptions: [String: [String]] = [
        "linear": ["out", "bias"],
        "conv1d": ["out", "kernel", "stride", "padding", "dilation", "groups", "bias"],
        "conv2d": ["out", "kernel", "stride", "padding", "dilation", "groups", "bias"],
        "maxpool1d": ["kernel", "stride", "padding"], "maxpool2d": ["kernel", "stride", "padding"],
        "avgpool1d": ["kernel", "stride", "padding"], "avgpool2d": ["kernel", "stride", "padding"],
        "global_avg_pool": [], "batchnorm": ["momentum", "eps"], "layernorm": ["eps"],
        "groupnorm": ["groups", "eps"], "instancenorm": ["eps"],
        "dropout": ["p"], "relu": [], "leaky_relu": ["slope"], "gelu": [], "tanh": [], "sigmoid": [],
        "silu": [], "flatten": [], "reshape": [],
    ].merging(sequenceLayerOptions) { a, _ in a }

    /// Reads and validates a recipe file, with `--set` overrides (``RecipeOverride``) applied.
    public static func load(from url: URL, overrides: [RecipeOverride] = []) throws -> Recipe {
        let name = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory) else {
            throw RecipeError(file: name, line: nil, field: "", message: "recipe file not found")
        }
        guard !isDirectory.boolValue else {
            throw RecipeError(file: name, line: nil, field: "", message: "is a folder, not a recipe file")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RecipeError(file: name, line: nil, field: "", message: "cannot read the recipe file: \(FileProblem.reason(error))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let valid = data.prefix { $0 < 0x80 }
            let line = valid.filter { $0 == 0x0A }.count + 1
            throw RecipeError(file: name, line: line, field: "",
                              message: "the recipe is not UTF-8 text (byte \(valid.count + 1) is not valid UTF-8); save it as UTF-8")
        }
        return try parse(text, file: url, overrides: overrides)
    }

    /// The largest layer width, channel count or class count a recipe may give (2^31 − 1):
    /// with it, no size arithmetic can overflow, and the memory estimate reports anything
    /// that would not fit.
    public static let maxSize = Int(Int32.max)
    /// The most epochs a recipe may ask for.
    public static let maxEpochs = 1_000_000
    /// The most classes a classification task may have.
    public static let maxClasses = 1_000_000

    /// Parses recipe text; `file` locates relative paths and names the file in errors.
    /// `overrides` replace fields before validation (``RecipeOverride``).
    public static func parse(_ text: String, file: URL, overrides: [RecipeOverride] = []) throws -> Recipe {
        let name = file.path
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw RecipeError(file: name, line: yamlLine(error), field: "", message: "not valid YAML/JSON: \(yamlProblem(error))")
        }
        guard let node else { throw RecipeError(file: name, line: nil, field: "", message: "the recipe is empty") }
        if !overrides.isEmpty { return try RecipeOverride.parse(text, node: node, file: file, overrides: overrides) }
        let root = RecipeField(node: node, path: "", file: name)
        let top = try root.mapping(allowed: ["seed", "data", "model", "optimizer", "schedule", "training", "output"])
        guard let dataField = top["data"] else { throw root.error("missing required section 'data'") }
        guard let modelField = top["model"] else { throw root.error("missing required section 'model'") }
        let (modelSpecField, syncField) = try modelField.splitting(key: "sync_batchnorm")
        var recipe = Recipe(data: try parseData(dataField), model: try parseModel(modelSpecField),
                            optimizer: try top["optimizer"].map(parseOptimizer) ?? OptimizerSpec(),
                            schedule: try top["schedule"].map(parseSchedule),
                            training: try top["training"].map(parseTraining) ?? TrainingSpec(),
                            output: try top["output"]?.string(), file: file, source: text)
        recipe.syncBatchNorm = try syncField?.bool() ?? false
        if let seed = top["seed"] {
            let v = try seed.int()
            guard v >= 0 else { throw seed.error("must not be negative, got \(v)") }
            recipe.seed = UInt64(v)
        }
        return recipe
    }

    private static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(error)".split(separator: "\n").first.map(String.init) ?? "parse error"
        }
    }

    static func parseData(_ field: RecipeField) throws -> DataSpec {
        let f = try field.mapping(allowed: ["train", "validation", "test", "label", "task", "standardize", "num_classes",
                                            "missing", "categorical"] + sequenceDataKeys)
        guard let train = f["train"] else { throw field.error("missing required key 'train'") }
        var spec = DataSpec(train: try train.string())
        if let v = f["validation"] {
            if let fraction = try? v.double() {
                guard fraction > 0 && fraction < 1 else { throw v.error("a validation fraction must be in (0, 1), got \(fraction)") }
                spec.validation = .fraction(fraction)
            } else {
                spec.validation = .file(try v.string())
            }
        }
        spec.test = try f["test"]?.string()
        spec.label = try f["label"]?.string() ?? "label"
        if let t = f["task"] { spec.task = DataSpec.Task(rawValue: try t.choice(["classification", "regression"]))! }
        spec.standardize = try f["standardize"]?.bool() ?? true
        spec.numClasses = try f["num_classes"]?.int(in: 2...maxClasses)
        if let m = f["missing"] { spec.missing = try parseMissing(m) }
        if let c = f["categorical"] {
            spec.categorical = try c.list().map { try $0.string() }
            for (i, name) in spec.categorical.enumerated() where name == spec.label {
                throw c.error("categorical[\(i)] is the label column '\(name)' (labels that are names are read as classes by themselves)")
            }
        }
        spec.sequence = try parseSequenceData(f, field: field)
        return spec
    }

    /// `missing: error | mean | median | most_frequent` or `missing: {constant: x}`.
    static func parseMissing(_ field: RecipeField) throws -> MissingValuePolicy {
        if let name = try? field.string() {
            guard let policy = MissingValuePolicy(name: name) else {
                throw field.error("unknown value '\(name)' (valid: \(MissingValuePolicy.names.joined(separator: ", ")), {constant: x})")
            }
            return policy
        }
        let f = try field.mapping(allowed: ["constant"])
        guard let c = f["constant"] else { throw field.error("expected one of \(MissingValuePolicy.names.joined(separator: ", ")) or {constant: x}") }
        let value = try c.double()
        guard value.isFinite else { throw c.error("the constant must be a finite number, got \(value)") }
        return .constant(value)
    }

    static func parseModel(_ field: RecipeField) throws -> ModelSpec {
        let (kind, value) = try field.singleEntry(allowed: ["mlp", "layers", "gpt"])
        if kind == "gpt" { return .layers([try parseGPT(value)]) }
        if kind == "mlp" {
            let f = try value.mapping(allowed: ["hidden", "activation", "batchnorm", "dropout", "init"])
            var spec = MLPSpec()
            if let h = f["hidden"] {
                let items = try h.list()
                spec.hidden = try items.enumerated().map { i, item in
                    guard let v = item.node.int else {
                        throw h.error("hidden[\(i)] must be a positive integer of at most \(maxSize), got '\(item.node.string ?? "?")'")
                    }
                    guard v > 0 else { throw h.error("hidden[\(i)] must be positive, got \(v)") }
                    guard v <= maxSize else { throw h.error("hidden[\(i)] must be at most \(maxSize), got \(v)") }
                    return v
                }
                spec.hiddenLine = h.line
            }
            spec.activation = try f["activation"]?.choice(["relu", "leaky_relu", "gelu", "tanh", "sigmoid", "silu"]) ?? "relu"
            spec.batchNorm = try f["batchnorm"]?.bool() ?? false
            if let d = f["dropout"] {
                spec.dropout = try d.double()
                guard spec.dropout >= 0 && spec.dropout < 1 else { throw d.error("dropout must be in [0, 1), got \(spec.dropout)") }
            }
            spec.initialization = try f["init"].map { InitializationScheme(name: try $0.choice(InitializationScheme.names))!.rawValue } ?? "default"
            return .mlp(spec)
        }
        let items = try value.list()
        guard !items.isEmpty else { throw value.error("the layer list is empty") }
        return .layers(try items.map(parseLayer))
    }

    static func parseLayer(_ item: RecipeField) throws -> LayerSpec {
        let (kind, options) = try item.singleEntry(allowed: layerOptions.keys.sorted())
        var spec = LayerSpec(kind: kind, path: item.path, line: item.line)
        if kind == "residual" {
            spec.layers = try parseResidualBranch(options)
            return spec
        }
        if kind == "reshape" {
            spec.shape = try options.intList(in: -1...maxSize)
            return spec
        }
        if options.isNull { return spec }
        for (key, v) in try options.mapping(allowed: layerOptions[kind] ?? []) {
            switch key {
            case _ where booleanLayerOptions.contains(key): spec.options[key] = try v.bool() ? 1 : 0
            case "out", "kernel", "stride", "dilation", "groups": spec.options[key] = Double(try v.int(in: 1...maxSize))
            case "padding": spec.options[key] = Double(try v.int(in: 0...maxSize))
            case "momentum": spec.options[key] = try v.double(in: 0...1)
            case "eps": spec.options[key] = try v.positiveDouble()
            case "p": spec.options[key] = try v.double(in: 0...1, open: true)
            default: spec.options[key] = try v.double()
            }
        }
        return spec
    }

    /// The optimizer options each optimizer takes (others are refused rather than ignored).
    public static let optimizerOptions: [String: [String]] = [
        "sgd": ["name", "lr", "weight_decay", "momentum", "nesterov", "dampening"],
        "adam": ["name", "lr", "weight_decay", "betas", "eps", "amsgrad"],
        "adamw": ["name", "lr", "weight_decay", "betas", "eps", "amsgrad"],
        "rmsprop": ["name", "lr", "weight_decay", "alpha", "eps", "momentum", "centered"],
        "adagrad": ["name", "lr", "weight_decay", "eps"],
    ]

    static func parseOptimizer(_ field: RecipeField) throws -> OptimizerSpec {
        let all = ["name", "lr", "weight_decay", "momentum", "nesterov", "betas", "eps", "alpha", "centered", "amsgrad", "dampening"]
        let f = try field.mapping(allowed: all)
        var spec = OptimizerSpec()
        spec.name = try f["name"]?.choice(["sgd", "adam", "adamw", "rmsprop", "adagrad"]) ?? "adamw"
        let valid = optimizerOptions[spec.name] ?? all
        for (key, value) in f.sorted(by: { $0.key < $1.key }) where !valid.contains(key) {
            throw value.error("not an option of optimizer '\(spec.name)' (valid: \(valid.dropFirst().joined(separator: ", ")))")
        }
        spec.learningRate = try f["lr"]?.positiveDouble() ?? (spec.name == "sgd" ? 0.01 : 1e-3)
        spec.weightDecay = try f["weight_decay"]?.nonNegativeDouble()
        spec.momentum = try f["momentum"]?.double(in: 0...1, open: true) ?? 0
        spec.nesterov = try f["nesterov"]?.bool() ?? false
        if let b = f["betas"] {
            let betas = try b.doubleList()
            guard betas.count == 2, betas.allSatisfy({ $0 >= 0 && $0 < 1 }) else { throw b.error("expected two numbers in [0, 1)") }
            spec.betas = (betas[0], betas[1])
        }
        spec.eps = try f["eps"]?.positiveDouble() ?? 1e-8
        spec.alpha = try f["alpha"]?.double(in: 0...1) ?? 0.99
        spec.centered = try f["centered"]?.bool() ?? false
        spec.amsgrad = try f["amsgrad"]?.bool() ?? false
        spec.dampening = try f["dampening"]?.double(in: 0...1) ?? 0
        if spec.nesterov, let n = f["nesterov"] {
            // PyTorch: "Nesterov momentum requires a momentum and zero dampening".
            guard spec.momentum > 0 else { throw n.error("Nesterov momentum needs optimizer.momentum > 0, got \(spec.momentum)") }
            guard spec.dampening == 0 else { throw n.error("Nesterov momentum needs optimizer.dampening 0, got \(spec.dampening)") }
        }
        return spec
    }

    static func parseSchedule(_ field: RecipeField) throws -> ScheduleSpec {
        try ScheduleSpec.parse(field)
    }

    static func parseTraining(_ field: RecipeField) throws -> TrainingSpec {
        let f = try field.mapping(allowed: ["epochs", "batch_size", "clip_norm", "clip_value", "accumulation_steps",
                                            "early_stopping", "shuffle", "drop_last", "checkpoint_every_steps", "precision",
                                            "tensorboard_every_steps"])
        var spec = TrainingSpec()
        spec.epochs = try f["epochs"]?.int(in: 1...maxEpochs) ?? 10
        spec.batchSize = try f["batch_size"]?.int(in: 1...maxSize) ?? 64
        spec.clipNorm = try f["clip_norm"]?.positiveDouble()
        spec.clipValue = try f["clip_value"]?.positiveDouble()
        spec.accumulationSteps = try f["accumulation_steps"]?.int(in: 1...1_000_000) ?? 1
        spec.shuffle = try f["shuffle"]?.bool() ?? true
        spec.dropLast = try f["drop_last"]?.bool() ?? false
        spec.checkpointEverySteps = try f["checkpoint_every_steps"]?.int(in: 1...maxSize)
        spec.tensorBoardEverySteps = try f["tensorboard_every_steps"]?.int(in: 0...maxSize) ?? 10
        spec.precision = try f["precision"]?.choice(["float32", "float16", "bfloat16"]) ?? "float32"
        if let e = f["early_stopping"] {
            let g = try e.mapping(allowed: ["patience", "min_delta", "monitor", "restore_best"])
            var es = EarlyStoppingSpec()
            es.patience = try g["patience"]?.int(in: 1...maxEpochs) ?? 5
            es.minDelta = try g["min_delta"]?.nonNegativeDouble() ?? 0
            es.monitor = try g["monitor"]?.string() ?? "val_loss"
            es.monitorLine = g["monitor"]?.line ?? e.line
            es.restoreBest = try g["restore_best"]?.bool() ?? true
            spec.earlyStopping = es
        }
        return spec
    }

    /// Resolves a path from the recipe against the recipe's folder.
    public func resolve(_ path: String) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
        return file.deletingLastPathComponent().appendingPathComponent(path)
    }
}
