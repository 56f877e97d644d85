import Foundation

/// The loss-curve patterns of the seed's debugging playbook (§7.8.1), each with its likely
/// causes and the fixes the playbook lists.
public enum LossCurvePattern: String, CaseIterable, Sendable {
    /// Pattern 1: the loss does not decrease (flat from the start).
    case flat
    /// Pattern 2: the loss decreases, then explodes (to a value far above its best, or to Inf/NaN);
    /// also a loss that rises above its starting value and never comes back.
    case diverging
    /// Pattern 3: the training loss decreases while the validation loss rises.
    case overfitting
    /// Pattern 4: both losses plateau at a high value.
    case underfitting
    /// Pattern 5: the loss oscillates without converging.
    case oscillating
    /// Pattern 6: the training loss is near zero, the validation loss reasonable.
    case memorizing
    /// None of the above: the loss falls and settles, validation follows.
    case healthy
    /// Too few epochs to judge.
    case inconclusive

    /// A short title.
    public var title: String {
        switch self {
        case .flat: return "loss flat from the start"
        case .diverging: return "loss diverges (explodes far above its best or the start, or to Inf/NaN)"
        case .overfitting: return "training loss falls while validation loss rises (overfitting)"
        case .underfitting: return "both losses plateau high (underfitting)"
        case .oscillating: return "loss oscillates without converging"
        case .memorizing: return "training loss near zero, validation loss reasonable (moderate overfitting)"
        case .healthy: return "loss falls and settles"
        case .inconclusive: return "too few epochs to judge the curve"
        }
    }

    /// The likely causes.
    public var causes: [String] {
        switch self {
        case .flat: return ["the learning rate is too low: the steps are too small to make progress",
                            "a data loading bug: labels shuffled or constant"]
        case .diverging: return ["the learning rate is too high: the optimizer overshoots a cliff in the loss landscape",
                                 "numerical overflow (NaN in activations or gradients)"]
        case .overfitting: return ["the model memorizes the training data",
                                   "if the gap appears immediately, the model may be too large for the dataset"]
        case .underfitting: return ["the model lacks capacity", "the optimization is stuck"]
        case .oscillating: return ["the learning rate is too high for the current phase", "the batch size is too small"]
        case .memorizing: return ["moderate overfitting, but the model has learned useful features"]
        case .healthy, .inconclusive: return []
        }
    }

    /// The fixes from the remedy catalogue, most likely first (the repair tries them).
    public var remedies: [Remedy] {
        switch self {
        case .flat: return [.raiseLearningRate]
        case .diverging: return [.lowerLearningRate, .clipGradients(maxNorm: 1)]
        case .underfitting: return [.raiseLearningRate, .optimizer("adam")]
        case .oscillating: return [.lowerLearningRate, .optimizer("adamw"), .warmup]
        case .overfitting, .memorizing, .healthy, .inconclusive: return []
        }
    }

    /// The fixes beyond ``remedies`` (data, capacity, regularization).
    public var otherFixes: [String] {
        let listed = Set(remedies.map(\.description))
        return fixes.filter { fix in !listed.contains(fix) && !fix.contains("learning rate by") && fix != "reduce the learning rate"
            && fix != "add gradient clipping" && fix != "increase the learning rate" && !fix.hasPrefix("try a different optimizer")
            && fix != "add learning-rate warmup" }
    }

    /// The fixes, most likely first.
    public var fixes: [String] {
        switch self {
        case .flat: return ["increase the learning rate by 10×", "use the learning-rate finder (converge lr-find)",
                            "check that the labels are correct and match the inputs"]
        case .diverging: return ["reduce the learning rate", "add gradient clipping",
                                 "check for NaN in activations and gradients (anomaly mode)"]
        case .overfitting: return ["increase dropout", "increase weight decay", "add data augmentation", "reduce the model size",
                                   "use early stopping"]
        case .underfitting: return ["increase the model size", "increase the learning rate",
                                    "try a different optimizer (SGD → Adam)", "check for dead neurons (ReLU collapse)"]
        case .oscillating: return ["reduce the learning rate", "increase the batch size", "add learning-rate warmup"]
        case .memorizing: return ["early stopping selects the model at the validation minimum",
                                  "consider whether more regularization would help"]
        case .healthy, .inconclusive: return []
        }
    }

    /// How serious the pattern is in a doctor report.
    public var status: DoctorFinding.Status {
        switch self {
        case .flat, .diverging: return .fail
        case .overfitting, .underfitting, .oscillating, .memorizing: return .warn
        case .healthy, .inconclusive: return .ok
        }
    }
}
