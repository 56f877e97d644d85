import Foundation

/// A change to a recipe that the doctor recommends and `converge doctor --repair` can try: the
/// catalogue of fixes (AutoTrainer's, plus the seed's playbook). Findings carry the remedies that
/// match their diagnosis (``DoctorFinding/remedies``); ``DoctorAdvice`` checks them against what
/// the recipe already does and resolves conflicts, so that each problem gets one recommendation.
public enum Remedy: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Set the (peak) learning rate to a value, typically the LR finder's suggestion.
    case learningRate(Double)
    /// Lower the learning rate (10× when no better value is known).
    case lowerLearningRate
    /// Raise the learning rate (10× when no better value is known).
    case raiseLearningRate
    /// Clip the global gradient norm at a value.
    case clipGradients(maxNorm: Double)
    /// Use the initializer that matches the activation (He for ReLU-like, Xavier for tanh/sigmoid).
    case matchedInitializer
    /// Add normalization layers (BatchNorm after each hidden Linear).
    case batchNorm
    /// Replace ReLU by LeakyReLU, whose units cannot die.
    case leakyReLU
    /// Switch the optimizer (`adam`, `adamw`).
    case optimizer(String)
    /// Add a learning-rate warmup.
    case warmup
    /// Standardize the inputs (zero mean, unit variance per feature).
    case standardizeInputs
    /// Shuffle the training data every epoch.
    case shuffle

    /// The kind of change, for grouping (one recommendation per kind).
    public var kind: String {
        switch self {
        case .learningRate, .lowerLearningRate, .raiseLearningRate: return "learning-rate"
        case .clipGradients: return "clipping"
        case .matchedInitializer: return "initializer"
        case .batchNorm: return "normalization"
        case .leakyReLU: return "activation"
        case .optimizer: return "optimizer"
        case .warmup: return "warmup"
        case .standardizeInputs: return "standardization"
        case .shuffle: return "shuffle"
        }
    }

    /// The advice in words, without knowing the recipe.
    public var description: String {
        switch self {
        case .learningRate(let rate): return "set the learning rate to \(String(format: "%.3g", rate))"
        case .lowerLearningRate: return "reduce the learning rate"
        case .raiseLearningRate: return "increase the learning rate by 10×"
        case .clipGradients(let norm): return "add gradient clipping (clip_norm: \(DoctorFormat.number(norm)))"
        case .matchedInitializer: return "use He initialization with ReLU (Xavier with tanh/sigmoid)"
        case .batchNorm: return "add normalization (BatchNorm/LayerNorm)"
        case .leakyReLU: return "use LeakyReLU instead of ReLU"
        case .optimizer(let name): return "switch the optimizer to \(name == "adamw" ? "AdamW" : name == "adam" ? "Adam" : name)"
        case .warmup: return "add learning-rate warmup"
        case .standardizeInputs: return "standardize the inputs (data.standardize: true)"
        case .shuffle: return "shuffle the training data (training.shuffle: true)"
        }
    }

    /// Which way a learning-rate remedy moves a recipe whose peak rate is `peak` (−1 lower, +1
    /// higher, 0 none or not a learning-rate remedy).
    public func learningRateDirection(peak: Double) -> Int {
        switch self {
        case .lowerLearningRate: return -1
        case .raiseLearningRate: return 1
        case .learningRate(let rate): return rate < peak * 0.95 ? -1 : rate > peak * 1.05 ? 1 : 0
        default: return 0
        }
    }
}
