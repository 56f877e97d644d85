import ConvergeCore

/// Gradient accumulation over `steps` micro-batches: the same update as one batch `steps` times
/// larger, in the memory of one micro-batch.
///
/// Scale each micro-batch's mean loss by ``lossScale`` (1/k) before `backward()` — gradients add
/// up in `.grad` — and step the optimizer only when ``shouldStep`` turns true:
///
/// ```swift
/// var accumulator = GradientAccumulator(steps: 4)
/// optimizer.zeroGrad()
/// for batch in loader {
///     let loss = lossFunction(model(batch.inputs), batch.targets)
///     accumulator.scaled(loss).backward()
///     accumulator.recordMicroBatch()
///     if accumulator.shouldStep {
///         optimizer.step()
///         optimizer.zeroGrad()
///     }
/// }
/// ```
///
/// With mean-reduced losses over equal micro-batches, the accumulated gradient is the gradient
/// of the mean loss over all `k` micro-batches, so SGD, Adam or any optimizer takes the
/// large-batch step (up to float rounding). A trailing partial window at the end of an epoch
/// (``hasPartialWindow``) was scaled by 1/k, not by 1/pending; step on it or drop it.
public struct GradientAccumulator: Equatable {
    /// Micro-batches per optimizer step (k ≥ 1).
    public let steps: Int
    /// Micro-batches recorded in the current window (equal to ``steps`` right after the k-th,
    /// until the next one is recorded).
    public private(set) var pendingMicroBatches = 0
    /// Micro-batches recorded in total.
    public private(set) var microBatchCount = 0

    /// Accumulates over `steps` micro-batches.
    public init(steps: Int) {
        precondition(steps >= 1, "GradientAccumulator: steps must be at least 1, got \(steps)")
        self.steps = steps
    }

    /// The factor each micro-batch's loss is multiplied by: 1/k.
    public var lossScale: Double { 1 / Double(steps) }

    /// `loss` multiplied by ``lossScale`` (the loss itself when k = 1).
    public func scaled(_ loss: Tensor) -> Tensor { steps == 1 ? loss : loss * Float(lossScale) }

    /// Records that one micro-batch's backward pass is done; returns ``shouldStep``.
    @discardableResult
    public mutating func recordMicroBatch() -> Bool {
        microBatchCount += 1
        pendingMicroBatches = pendingMicroBatches == steps ? 1 : pendingMicroBatches + 1
        return shouldStep
    }

    /// Whether k micro-batches have accumulated since the last step: step the optimizer now.
    public var shouldStep: Bool { pendingMicroBatches == steps }

    /// Whether some micro-batches have been recorded but fewer than k (a partial window, e.g. at
    /// the end of an epoch).
    public var hasPartialWindow: Bool { pendingMicroBatches > 0 && pendingMicroBatches < steps }

    /// Optimizer steps taken so far, counting the one ``shouldStep`` asks for.
    public var optimizerSteps: Int { microBatchCount / steps }

    /// Forgets the pending micro-batches (call with `optimizer.zeroGrad()` when dropping a partial window).
    public mutating func reset() { pendingMicroBatches = 0 }
}
