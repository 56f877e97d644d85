import ConvergeCore
import Foundation

extension RecipeLint.Context {
    /// Initializer against activation, BatchNorm against the batch size.
    mutating func checkArchitecture() {
        if case .mlp(let mlp) = recipe.model {
            let bounded = mlp.activation == "tanh" || mlp.activation == "sigmoid"
            let family = mlp.initialization.hasPrefix("xavier") ? "xavier" : mlp.initialization
            if family == "normal-1.0" {
                add("init-activation", .error, field: "model.mlp.init",
                    "init normal-1.0 (N(0, 1) weights) multiplies the variance by the fan-in at every layer: \(bounded ? "\(mlp.activation) saturates (nearly every output at its ends)" : "the activations and gradients explode")",
                    fix: "use init: \(RecipeRepairs.matchedInitializer(for: mlp.activation)) with \(mlp.activation)")
            } else if family == "normal-0.01" && mlp.hidden.count >= 3 && !mlp.batchNorm {
                add("init-activation", .warning, field: "model.mlp.init",
                    "init normal-0.01 shrinks the signal at every one of the \(mlp.hidden.count) layers: the activations and gradients vanish",
                    fix: "use init: \(RecipeRepairs.matchedInitializer(for: mlp.activation)) with \(mlp.activation)")
            }
            switch (family, bounded) {
            case ("he", true):
                add("init-activation", .warning, field: "model.mlp.init",
                    "He initialization (gain √2, for ReLU) with \(mlp.activation): the pre-activations start twice as wide as \(mlp.activation) tolerates and saturate",
                    fix: "use init: xavier with \(mlp.activation)")
            case ("xavier", false) where ["relu", "leaky_relu"].contains(mlp.activation) && mlp.hidden.count >= 4 && !mlp.batchNorm:
                add("init-activation", .warning, field: "model.mlp.init",
                    "Xavier initialization with \(mlp.activation) in \(mlp.hidden.count) layers: ReLU halves the variance at every layer, so the signal shrinks by 2^\(mlp.hidden.count)",
                    fix: "use init: he with \(mlp.activation)")
            case ("default", true) where mlp.hidden.count >= 4 && !mlp.batchNorm:
                add("init-activation", .warning, field: "model.mlp.init",
                    "PyTorch's default initialization (variance 1/(3·fan_in)) with \(mlp.activation) in \(mlp.hidden.count) layers: the signal shrinks at every layer",
                    fix: "use init: xavier with \(mlp.activation), or add batchnorm: true")
            case ("default", false) where mlp.hidden.count >= 6 && !mlp.batchNorm:
                add("init-activation", .warning, field: "model.mlp.init",
                    "PyTorch's default initialization with \(mlp.activation) in \(mlp.hidden.count) layers: the default is too small for ReLU, so activations shrink layer by layer",
                    fix: "use init: he with \(mlp.activation), or add batchnorm: true")
            default: break
            }
        }
        if layers.contains(where: { $0.kind == "batchnorm" }) {
            let size = recipe.training.batchSize
            if size < 8 {
                add("batchnorm-batch", size < 2 ? .error : .warning, field: "training.batch_size",
                    "BatchNorm with batch_size \(size): the batch statistics are too noisy to normalize with (and differ from the running statistics used at evaluation)",
                    fix: "use batches of at least 16, or LayerNorm/GroupNorm, which do not depend on the batch")
            }
        }
    }

    /// The usual learning-rate range of an optimizer: outside (warn), far outside (error).
    static func learningRateRange(_ optimizer: String) -> (warn: ClosedRange<Double>, error: ClosedRange<Double>) {
        switch optimizer {
        case "sgd": return (1e-4...1, 1e-6...10)
        case "adagrad": return (1e-3...0.5, 1e-5...5)
        default: return (1e-5...3e-2, 1e-7...0.3)
        }
    }

    /// Steps per epoch and in the whole run.
    var runLength: (batchesPerEpoch: Int, steps: Int)? {
        let count: Int
        if let session { count = session.train.count } else if !features.isEmpty {
            if case .fraction(let v) = recipe.data.validation { count = features.count - Int((v * Double(features.count)).rounded(.up)) }
            else { count = features.count }
        } else { return nil }
        let size = recipe.training.batchSize
        let batches = Swift.max(1, recipe.training.dropLast ? count / size : (count + size - 1) / size)
        let steps = batches * recipe.training.epochs / Swift.max(1, recipe.training.accumulationSteps)
        return (batches, steps)
    }

    /// Learning rate, weight decay, schedule length.
    mutating func checkOptimization() {
        let spec = recipe.optimizer
        let f: (Double) -> String = DoctorFormat.number
        let maxLR = map.scalar(at: "schedule.max_lr").flatMap(Double.init)
        let peak = maxLR ?? map.scalar(at: "schedule.base_lr").flatMap(Double.init) ?? spec.learningRate
        let peakField = maxLR != nil ? "schedule.max_lr" : map.contains("schedule.base_lr") ? "schedule.base_lr" : "optimizer.lr"
        let range = Self.learningRateRange(spec.name)
        if !range.warn.contains(peak) {
            let far = !range.error.contains(peak)
            let side = peak > range.warn.upperBound ? "above" : "below"
            let target = peak > range.warn.upperBound ? range.warn.upperBound / 3 : range.warn.lowerBound * 10
            add("learning-rate", far ? .error : .warning, field: peakField,
                "learning rate \(f(peak)) is \(far ? "far " : "")\(side) the usual range \(f(range.warn.lowerBound))–\(f(range.warn.upperBound)) for \(spec.name)\(peak > range.warn.upperBound ? ": expect divergence or NaN" : ": expect very slow progress")",
                fix: "start near \(f(target)) and run converge lr-find on the recipe")
        }
        if spec.name == "sgd" && spec.momentum >= 1 {
            add("momentum", .error, field: "optimizer.momentum", "momentum \(f(spec.momentum)) ≥ 1 makes the updates grow without bound", fix: "use momentum 0.9")
        }

        // Weight decay on normalization and bias parameters (1-D tensors).
        if let session, let model = try? session.makeModel() {
            let optimizer = session.makeOptimizer(for: model)
            findings += RecipeLint.weightDecayFindings(optimizer, model: model, line: map.line(of: "optimizer.weight_decay"))
            // Capacity against the data, without any regularization.
            let parameters = model.parameters.reduce(0) { $0 + $1.count }
            let examples = Swift.max(1, session.train.count)
            let decay = spec.weightDecay ?? (spec.name == "adamw" ? 1e-2 : 0)
            let dropout = layers.contains { $0.kind == "dropout" }
            if Double(parameters) / Double(examples) > 500 && decay == 0 && !dropout && recipe.training.earlyStopping == nil {
                add("capacity", .warning, field: "model",
                    "\(parameters) parameters for \(examples) training examples (\(parameters / examples) per example) and no regularization (no dropout, weight decay or early stopping): the model can memorize the training set",
                    fix: "add dropout, weight decay and early stopping, or use a smaller model")
            }
        }

        // Schedule length against the run.
        guard let schedule = recipe.schedule, let run = runLength else { return }
        let perBatch = schedule.interval == .batch
        let length = perBatch ? run.steps : recipe.training.epochs
        let unit = perBatch ? "steps" : "epochs"
        func value(_ key: String) -> Double? { map.scalar(at: "schedule.\(key)").flatMap(Double.init) }
        func report(_ key: String, _ severity: LintFinding.Severity, _ message: String, fix: String) {
            add("schedule-length", severity, field: "schedule.\(key)", message, fix: fix)
        }
        let omit = "leave it out: the recipe fits it to the run's \(length) \(unit)"
        switch schedule.name {
        case "one-cycle":
            if let total = value("total_steps") {
                if Int(total) < length {
                    report("total_steps", .error, "one-cycle total_steps \(Int(total)) is shorter than the run (\(length) \(unit)): past the end the schedule has no rate (PyTorch raises)", fix: omit)
                } else if total > 2 * Double(length) {
                    report("total_steps", .warning, "one-cycle total_steps \(Int(total)) is more than twice the run (\(length) \(unit)): the rate never anneals", fix: omit)
                }
            }
        case "cosine", "warmup-cosine":
            if let tMax = value("t_max"), tMax < 0.9 * Double(length) {
                report("t_max", .warning, "cosine t_max \(Int(tMax)) is shorter than the run (\(length) \(unit)): after t_max the rate climbs back up", fix: omit)
            } else if let tMax = value("t_max"), tMax > 2 * Double(length) {
                report("t_max", .warning, "cosine t_max \(Int(tMax)) is more than twice the run (\(length) \(unit)): the rate never gets low", fix: omit)
            }
            if let warmup = value("warmup_steps"), warmup >= Double(length) {
                report("warmup_steps", .error, "warmup_steps \(Int(warmup)) is not shorter than the run (\(length) \(unit)): training ends during warmup", fix: "use about a tenth of the run (\(Swift.max(1, length / 10)))")
            }
        case "step":
            if let size = value("step_size"), size >= Double(length) {
                report("step_size", .warning, "step_size \(Int(size)) is not shorter than the run (\(length) \(unit)): the rate never decays", fix: "use about a third of the run (\(Swift.max(1, length / 3)))")
            }
        case "linear", "polynomial":
            if let total = value("total_iters"), total > 1.5 * Double(length) {
                report("total_iters", .warning, "total_iters \(Int(total)) is longer than the run (\(length) \(unit)): the decay stops part-way", fix: omit)
            }
        default: break
        }
    }
}

extension RecipeLint {
    /// Weight decay on normalization weights and biases (1-D parameters), which pulls them toward
    /// zero for no benefit: one warning naming the parameters, or nothing.
    /// Each parameter group's parameters and weight decay, for the optimizers Converge has.
    static func groupWeightDecays(_ optimizer: Optimizer) -> [([Tensor], Double)] {
        func groups<H, S>(_ o: TypedOptimizer<H, S>) -> [([Tensor], Double)] { o.parameterGroups.map { ($0.parameters, $0.hyperparameters.weightDecay) } }
        switch optimizer {
        case let o as SGD: return groups(o)
        case let o as Adam: return groups(o)
        case let o as RMSprop: return groups(o)
        case let o as Adagrad: return groups(o)
        default: return []
        }
    }

    public static func weightDecayFindings(_ optimizer: Optimizer, model: Module, line: Int? = nil) -> [LintFinding] {
        let names = Dictionary(model.namedParameters().map { (ObjectIdentifier($0.1), $0.0) }, uniquingKeysWith: { a, _ in a })
        var decayed: [String] = []
        for (parameters, decay) in groupWeightDecays(optimizer) where decay > 0 {
            for p in parameters where p.shape.count <= 1 { decayed.append(names[ObjectIdentifier(p)] ?? "a 1-D parameter") }
        }
        guard !decayed.isEmpty else { return [] }
        return [LintFinding(check: "weight-decay-norm-bias", severity: .warning, field: "optimizer.weight_decay", line: line,
                            message: "weight decay applies to \(decayed.count) bias/normalization parameter\(decayed.count == 1 ? "" : "s") (\(decayed.prefix(4).joined(separator: ", "))\(decayed.count > 4 ? ", …" : "")): decaying them only shrinks offsets and scales",
                            fix: "put 1-D parameters in a group with weight decay 0 (ParameterGroup.weightDecaySplit)")]
    }
}
