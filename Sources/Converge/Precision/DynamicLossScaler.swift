import ConvergeCore

/// Dynamic loss scaling for float16 training, with the semantics of PyTorch's `GradScaler`.
///
/// Small gradients underflow to zero in float16 (below 2⁻²⁴ ≈ 6e-8). Multiplying the loss by a
/// large factor before `backward()` scales every gradient by the same factor, lifting them into
/// float16's range; the gradients are divided by it again before the optimizer step. When the
/// factor is too large some gradient overflows to Inf (or becomes NaN): that step is skipped and
/// the factor halved. After ``growthInterval`` consecutive finite steps it is doubled, so the scale
/// hovers just below the overflow threshold.
///
/// ```swift
/// let scaler = DynamicLossScaler()
/// optimizer.zeroGrad()
/// scaler.scale(loss(model(x), y)).backward()
/// scaler.step(optimizer)      // unscales, skips the step on Inf/NaN
/// scaler.update()
/// ```
/// The scale is kept in float32, like PyTorch's; growth stops where it would overflow.
public final class DynamicLossScaler: LossScaling {
    /// Multiplier applied to the scale after ``growthInterval`` consecutive finite steps.
    public let growthFactor: Double
    /// Multiplier applied to the scale after a step with Inf/NaN gradients.
    public let backoffFactor: Double
    /// Consecutive finite steps before the scale grows.
    public let growthInterval: Int
    /// When false, every method is a pass-through: no scaling, no skipping.
    public let isEnabled: Bool

    private var scaleValue: Float
    /// Consecutive finite steps since the last growth or backoff (PyTorch's `_growth_tracker`).
    public private(set) var growthTracker = 0
    /// Steps skipped so far because gradients were not finite.
    public private(set) var skippedSteps = 0
    /// The result of ``unscale(_:)`` in the current step (nil: not unscaled yet).
    private var foundInfThisStep: Bool?

    /// Creates a scaler with PyTorch's defaults: initial scale 2¹⁶, growth ×2 every 2000 finite
    /// steps, backoff ×0.5.
    public init(initialScale: Double = 65536, growthFactor: Double = 2, backoffFactor: Double = 0.5,
                growthInterval: Int = 2000, enabled: Bool = true) {
        precondition(initialScale > 0 && initialScale.isFinite, "DynamicLossScaler: initialScale must be positive and finite, got \(initialScale)")
        precondition(growthFactor > 1, "DynamicLossScaler: growthFactor must be greater than 1, got \(growthFactor)")
        precondition(backoffFactor > 0 && backoffFactor < 1, "DynamicLossScaler: backoffFactor must be in (0, 1), got \(backoffFactor)")
        precondition(growthInterval > 0, "DynamicLossScaler: growthInterval must be positive, got \(growthInterval)")
        self.scaleValue = Float(initialScale)
        self.growthFactor = growthFactor
        self.backoffFactor = backoffFactor
        self.growthInterval = growthInterval
        self.isEnabled = enabled
    }

    /// The current scale factor (1 when disabled).
    public var currentScale: Double { isEnabled ? Double(scaleValue) : 1 }

    /// `loss` multiplied by the current scale (differentiable); `loss` itself when disabled.
    public func scale(_ loss: Tensor) -> Tensor {
        isEnabled ? loss * scaleValue : loss
    }

    /// Divides the gradients of `parameters` by the scale in place and returns whether all of
    /// them were finite. Call at most once per step, after `backward()` and before anything that
    /// reads gradients (clipping). Parameters without a gradient are skipped.
    @discardableResult
    public func unscale(_ parameters: [Tensor]) -> Bool {
        guard isEnabled else { return true }
        precondition(foundInfThisStep == nil, "DynamicLossScaler.unscale: already called since the last update()")
        let inverse = Float(1 / Double(scaleValue))
        var finite = true
        for p in parameters {
            guard let grad = p.grad else { continue }
            let pointer = grad.storage.pointer
            for i in 0..<grad.count {
                let value = pointer[i]
                if !value.isFinite { finite = false }
                pointer[i] = value * inverse
            }
        }
        foundInfThisStep = !finite
        return finite
    }

    /// Unscales the optimizer's gradients (unless ``unscale(_:)`` already ran this step) and takes
    /// the optimizer step only if they are all finite. Returns whether the step was taken.
    @discardableResult
    public func step(_ optimizer: Optimizer) -> Bool {
        guard isEnabled else { withNoGrad { optimizer.step() }; return true }
        let finite = foundInfThisStep.map { !$0 } ?? unscale(optimizer.parameters)
        if finite { withNoGrad { optimizer.step() } }
        return finite
    }

    /// Updates the scale from the result of this step's ``unscale(_:)`` / ``step(_:)``.
    public func update() {
        guard isEnabled else { return }
        precondition(foundInfThisStep != nil, "DynamicLossScaler.update: no unscale(_:) or step(_:) since the last update()")
        update(foundInf: foundInfThisStep!)
    }

    /// Updates the scale: on Inf/NaN multiply it by ``backoffFactor`` and reset the tracker;
    /// otherwise count a finite step, multiplying the scale by ``growthFactor`` when the count
    /// reaches ``growthInterval`` (unless that would overflow float32) and resetting the count.
    public func update(foundInf: Bool) {
        foundInfThisStep = nil
        guard isEnabled else { return }
        if foundInf {
            scaleValue *= Float(backoffFactor)
            growthTracker = 0
            skippedSteps += 1
            return
        }
        let successful = growthTracker + 1
        if successful == growthInterval {
            let grown = scaleValue * Float(growthFactor)
            if grown.isFinite { scaleValue = grown }
            growthTracker = 0
        } else {
            growthTracker = successful
        }
    }

    /// The state to save: `scale`, `growth_tracker`, `growth_factor`, `backoff_factor`,
    /// `growth_interval` and `skipped_steps` (PyTorch's `state_dict` names, without underscores).
    public func stateDict() -> [String: Double] {
        ["scale": Double(scaleValue), "growth_tracker": Double(growthTracker), "growth_factor": growthFactor,
         "backoff_factor": backoffFactor, "growth_interval": Double(growthInterval), "skipped_steps": Double(skippedSteps)]
    }

    /// Restores the scale, growth tracker and skipped-step count saved by ``stateDict()``. The
    /// factors and interval are configuration and stay as this scaler was created.
    public func loadStateDict(_ state: [String: Double]) throws {
        guard let scale = state["scale"], scale > 0, scale.isFinite, Float(scale).isFinite else {
            throw PrecisionError.invalidScalerState(field: "scale")
        }
        guard let tracker = state["growth_tracker"], tracker >= 0, tracker == tracker.rounded() else {
            throw PrecisionError.invalidScalerState(field: "growth_tracker")
        }
        let skipped = state["skipped_steps"] ?? 0
        guard skipped >= 0, skipped == skipped.rounded() else { throw PrecisionError.invalidScalerState(field: "skipped_steps") }
        scaleValue = Float(scale)
        growthTracker = Int(tracker)
        skippedSteps = Int(skipped)
        foundInfThisStep = nil
    }
}
