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

    /// Clips by global norm and/or by value.
    public init(maxNorm: Double? = nil, clipValue: Double? = nil) {
        precondition(maxNorm != nil || clipValue != nil, "GradientClipping: give maxNorm or clipValue")
        self.maxNorm = maxNorm
        self.clipValue = clipValue
    }

    public func afterBackward(_ trainer: Trainer) throws {
        let parameters = trainer.optimizer.parameters   // the optimizer's list: no reflection per step
        if let clipValue { clipGradValue(parameters, clipValue: clipValue) }
        if let maxNorm {
            let norm = clipGradNorm(parameters, maxNorm: maxNorm)
            if norm > maxNorm { clippedSteps += 1 }
            trainer.lastGradientNorm = norm
        }
    }
}
