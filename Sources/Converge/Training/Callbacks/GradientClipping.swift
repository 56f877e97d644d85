import ConvergeCore

/// Clips gradients after backward and before each optimizer step: by global norm
/// (`clip_grad_norm_`) or by value (`clip_grad_value_`). Records the norm before clipping as
/// the step's gradient norm.
public final class GradientClipping: Callback {
    /// The largest global L2 norm allowed (nil: no norm clipping).
    public let maxNorm: Double?
    /// The largest absolute gradient element allowed (nil: no value clipping).
    public let clipValue: Double?
    /// How many steps had their norm clipped.
    public private(set) var clippedSteps = 0
    /// Whether this step's norm clipping was left to the optimizer's step.
    private var deferred = false

    /// Clips by global norm and/or by value.
    public init(maxNorm: Double? = nil, clipValue: Double? = nil) {
        precondition(maxNorm != nil || clipValue != nil, "GradientClipping: give maxNorm or clipValue")
        self.maxNorm = maxNorm
        self.clipValue = clipValue
    }

    public func afterBackward(_ trainer: Trainer) throws {
        let parameters = trainer.optimizer.parameters   // the optimizer's list: no reflection per step
        if let clipValue { clipGradValue(parameters, clipValue: clipValue) }
        deferred = false
        if let maxNorm {
            if trainer.callbacks.last === self {
                // No callback reads the gradients before the step: the optimizer clips them in
                // its update pass (same bits, one pass over the gradients fewer).
                trainer.deferredMaxGradientNorm = maxNorm
                deferred = true
                return
            }
            let norm = clipGradNorm(parameters, maxNorm: maxNorm)
            if norm > maxNorm { clippedSteps += 1 }
            trainer.lastGradientNorm = norm
        }
    }

    public func afterStep(_ trainer: Trainer) throws {
        if deferred, let maxNorm, let norm = trainer.lastGradientNorm, norm > maxNorm { clippedSteps += 1 }
        deferred = false
    }
}
