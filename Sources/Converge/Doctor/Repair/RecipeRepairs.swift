import Foundation

/// How each ``Remedy`` reads and what it changes in a recipe: advice in the recipe's terms, and
/// the edit the repair makes (``RecipeEditor``), marked with a comment.
public enum RecipeRepairs {
    /// The initializer that suits an activation: `he` for ReLU-like, `xavier` for tanh and sigmoid.
    public static func matchedInitializer(for activation: String) -> String {
        activation == "tanh" || activation == "sigmoid" ? "xavier" : "he"
    }

    /// The indices of a layer list's hidden linear and conv layers: every one but the last
    /// weighted layer (the output), each followed by another layer (where BatchNorm goes).
    static func hiddenWeightedLayers(_ layers: [Recipe.LayerSpec]) -> [Int] {
        let weighted: Set<String> = ["linear", "conv1d", "conv2d"]
        guard let output = layers.lastIndex(where: { weighted.contains($0.kind) }) else { return [] }
        return layers.indices.filter { weighted.contains(layers[$0].kind) && $0 < output && $0 + 1 < layers.count && !layers[$0 + 1].kind.hasSuffix("norm") }
    }

    /// The remedy in the recipe's terms (fields and values).
    public static func advice(_ remedy: Remedy, recipe: Recipe) -> String {
        switch remedy {
        case .clipGradients(let norm):
            if let c = recipe.training.clipNorm { return "tighten gradient clipping from \(DoctorFormat.number(c)) to \(DoctorFormat.number(norm)) (training.clip_norm)" }
            return "add gradient clipping: training.clip_norm: \(DoctorFormat.number(norm))"
        case .matchedInitializer:
            if case .mlp(let m) = recipe.model {
                return "use model.mlp.init: \(matchedInitializer(for: m.activation)) with \(m.activation) (the recipe has \(m.initialization))"
            }
            return remedy.description
        case .batchNorm:
            switch recipe.model {
            case .mlp: return "add BatchNorm after each hidden layer: model.mlp.batchnorm: true"
            case .layers(let layers):
                let names = hiddenWeightedLayers(layers).map { "model.layers[\($0)]" }
                return names.isEmpty ? remedy.description : "add a {batchnorm: {}} layer after " + names.joined(separator: ", ")
            }
        case .leakyReLU:
            if case .mlp = recipe.model { return "use model.mlp.activation: leaky_relu (units cannot die)" }
            return "replace the relu layers by leaky_relu"
        case .optimizer(let name):
            return "switch optimizer.name from \(recipe.optimizer.name) to \(name)"
        case .warmup:
            return recipe.schedule == nil ? "add a warmup: schedule: { name: warmup-cosine }" : "use a schedule that warms up (warmup-cosine or one-cycle)"
        default:
            return remedy.description
        }
    }

    /// Makes the remedy's change in `editor` (whose text is `recipe`'s); returns what changed,
    /// or nil when the remedy cannot apply to this recipe.
    public static func apply(_ remedy: Remedy, to recipe: Recipe, editor: inout RecipeEditor) throws -> String? {
        let map = RecipeSourceMap(source: editor.source)
        func was(_ path: String) -> String { map.scalar(at: path).map { "was \($0)" } ?? "added" }
        func set(_ path: String, _ value: String, _ why: String) throws -> String {
            let note = "doctor: \(was(path)); \(why)"
            try editor.set(path, to: value, comment: note)
            return "\(path): \(value) (\(was(path)))"
        }
        let rate = { (x: Double) in String(format: "%.3g", x) }
        switch remedy {
        case .learningRate(let x):
            return try set(DoctorAdvice.learningRateField(of: recipe), rate(x), "learning rate")
        case .lowerLearningRate:
            return try set(DoctorAdvice.learningRateField(of: recipe), rate(DoctorAdvice.peakLearningRate(of: recipe) / 10), "learning rate ÷10")
        case .raiseLearningRate:
            return try set(DoctorAdvice.learningRateField(of: recipe), rate(DoctorAdvice.peakLearningRate(of: recipe) * 10), "learning rate ×10")
        case .clipGradients(let norm):
            return try set("training.clip_norm", DoctorFormat.number(norm), "gradient clipping")
        case .matchedInitializer:
            guard case .mlp(let m) = recipe.model else { return nil }
            return try set("model.mlp.init", matchedInitializer(for: m.activation), "initializer matched to \(m.activation)")
        case .batchNorm:
            switch recipe.model {
            case .mlp:
                return try set("model.mlp.batchnorm", "true", "BatchNorm")
            case .layers(let layers):
                let hidden = hiddenWeightedLayers(layers)
                guard !hidden.isEmpty else { return nil }
                // From the end, so the earlier items keep their indices; the comment once.
                for (n, index) in hidden.reversed().enumerated() {
                    try editor.insertItem("{batchnorm: {}}", before: "model.layers[\(index + 1)]",
                                          comment: n == hidden.count - 1 ? "doctor: added BatchNorm after each hidden linear/conv layer" : "")
                }
                return "\(hidden.count) batchnorm layer\(hidden.count == 1 ? "" : "s") added after the hidden linear/conv layers"
            }
        case .leakyReLU:
            switch recipe.model {
            case .mlp(let m):
                guard m.activation == "relu" else { return nil }
                return try set("model.mlp.activation", "leaky_relu", "LeakyReLU for dead units")
            case .layers(let layers):
                let relus = layers.filter { $0.kind == "relu" }
                guard !relus.isEmpty else { return nil }
                for layer in relus { try editor.renameKey("\(layer.path).relu", to: "leaky_relu", comment: "doctor: was relu; LeakyReLU for dead units") }
                return "\(relus.count) relu layer\(relus.count == 1 ? "" : "s") → leaky_relu"
            }
        case .optimizer(let name):
            var change = try set("optimizer.name", name, "\(name) for oscillation")
            let peak = DoctorAdvice.peakLearningRate(of: recipe)
            if recipe.optimizer.name == "sgd" && peak > 3e-2 {
                change += "; " + (try set(DoctorAdvice.learningRateField(of: recipe), "0.003", "a rate that suits \(name)"))
            }
            return change
        case .warmup:
            if recipe.schedule == nil { return try set("schedule.name", "warmup-cosine", "warmup") }
            if recipe.schedule?.name == "cosine" { return try set("schedule.name", "warmup-cosine", "warmup") }
            return nil
        case .standardizeInputs:
            return try set("data.standardize", "true", "input standardization")
        case .shuffle:
            return try set("training.shuffle", "true", "shuffled batches")
        }
    }
}
