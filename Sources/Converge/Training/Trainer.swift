import ConvergeCore
import Foundation

/// The training loop: epochs of mini-batches with callbacks, validation, metrics and history.
///
/// ```swift
/// let trainer = Trainer(model: model, optimizer: AdamW(model.parameters, learningRate: 1e-3),
///                       loss: Loss.binaryCrossEntropyWithLogits,
///                       callbacks: [GradientClipping(maxNorm: 1), EarlyStopping(patience: 5)])
/// let history = try trainer.fit(train: trainLoader, validation: valLoader, epochs: 30)
/// ```
/// Training batches run with ``Module/train()``, validation with ``Module/eval()`` inside
/// `withNoGrad(_:)`; both are switched automatically.
public final class Trainer {
    /// The model being trained.
    public let model: Module
    /// The optimizer updating the model's parameters.
    public let optimizer: Optimizer
    /// The loss: `(output, target) -> scalar`.
    public let loss: (Tensor, Tensor) -> Tensor
    /// Callbacks, run in order for every event.
    public var callbacks: [Callback]
    /// Validation metrics (besides the loss), computed over every validation batch of an epoch.
    public var metrics: [Metric]
    /// How to read the model's outputs for ``metrics``.
    public var outputKind: ModelOutputKind
    /// Micro-batches whose gradients are accumulated before each optimizer step (1 = none).
    /// The loss of each micro-batch is scaled by 1/k so k micro-batches give the update of one
    /// batch k times larger.
    public var accumulationSteps: Int
    /// Loss scaling (``MixedPrecision`` sets a ``DynamicLossScaler`` for float16; nil: none). When set, the loss
    /// is scaled before `backward()`, gradients are unscaled before the `afterBackward` callbacks
    /// (so clipping sees true gradients), and a step whose gradients hold Inf/NaN is skipped: no
    /// `afterBackward` / `afterStep` callbacks run for it and ``globalStep`` does not advance.
    public var lossScaler: (any LossScaling)?
    /// The autocast policy for training forward passes (set by ``MixedPrecision``; nil: float32).
    public var autocast: (any AutocastPolicy)?
    /// Data-parallel training hooks (``DataParallelSynchronizer``); nil: one process.
    public var synchronizer: TrainingSynchronizer?

    // MARK: State (read by callbacks)

    /// The current epoch, 0-based.
    public internal(set) var epoch = 0
    /// The epochs ``fit(train:validation:epochs:)`` was asked to run.
    public internal(set) var totalEpochs = 0
    /// Index of the current batch within the epoch.
    public internal(set) var batchIndex = 0
    /// Batches per epoch of the current training data.
    public internal(set) var batchesPerEpoch = 0
    /// Optimizer steps taken so far.
    public internal(set) var globalStep = 0
    /// The loss of the last training batch (unscaled).
    public internal(set) var lastLoss: Float = .nan
    /// The global gradient norm of the last step (set by clipping, or measured by the trainer).
    public var lastGradientNorm: Double?
    /// Whether the last optimizer step was skipped because ``lossScaler`` found Inf/NaN gradients.
    public internal(set) var lastStepSkipped = false
    /// The last batch's inputs and targets.
    public internal(set) var lastBatch: (inputs: Tensor, targets: Tensor)?
    /// Per-epoch records so far.
    public internal(set) var history = History()
    /// Set by a callback to end training after the current batch.
    public var shouldStop = false
    /// Values a callback wants recorded in the current epoch's record (e.g. `grad_norm_clipped`).
    public var extraEpochValues: [(String, Double)] = []
    /// Norm clipping a ``GradientClipping`` callback left to the optimizer's step
    /// (``Optimizer/stepWithGradientNorm(clippingTo:)``), when no callback after it reads gradients.
    var deferredMaxGradientNorm: Double?

    // Epoch accumulators (saved in mid-epoch checkpoints).
    var lossSum = 0.0
    var sampleCount = 0
    var gradNormSum = 0.0
    var gradNormCount = 0
    var microBatch = 0
    var epochStart = Date()
    var resumeBatch = 0

    /// Creates a trainer.
    public init(model: Module, optimizer: Optimizer, loss: @escaping (Tensor, Tensor) -> Tensor,
                callbacks: [Callback] = [], metrics: [Metric] = [], outputKind: ModelOutputKind = .regression,
                accumulationSteps: Int = 1) {
        precondition(accumulationSteps >= 1, "Trainer: accumulationSteps must be at least 1, got \(accumulationSteps)")
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
        self.callbacks = callbacks
        self.metrics = metrics
        self.outputKind = outputKind
        self.accumulationSteps = accumulationSteps
    }

    /// Creates a trainer with a named ``Loss`` (mean reduction).
    public convenience init(model: Module, optimizer: Optimizer, loss: Loss, callbacks: [Callback] = [],
                            metrics: [Metric] = [], outputKind: ModelOutputKind = .regression, accumulationSteps: Int = 1) {
        self.init(model: model, optimizer: optimizer, loss: { loss($0, $1) }, callbacks: callbacks, metrics: metrics,
                  outputKind: outputKind, accumulationSteps: accumulationSteps)
    }

    /// Trains until `epochs` epochs have run (counting epochs already run before a resume) or a
    /// callback stops training.
    @discardableResult
    public func fit(train: BatchProvider, validation: BatchProvider? = nil, epochs: Int) throws -> History {
        totalEpochs = epochs
        batchesPerEpoch = train.batchesPerEpoch
        shouldStop = false
        _ = model.namedParameters()   // assigns module paths (anomaly reports, hooks)
        for c in callbacks { try c.beforeFit(self) }
        while epoch < epochs && !shouldStop {
            try runEpoch(train: train, validation: validation)
            if shouldStop { break }
        }
        for c in callbacks { try c.afterFit(self) }
        return history
    }

    private func runEpoch(train: BatchProvider, validation: BatchProvider?) throws {
        let start = resumeBatch
        resumeBatch = 0
        if start == 0 {
            lossSum = 0; sampleCount = 0; gradNormSum = 0; gradNormCount = 0; microBatch = 0
            epochStart = Date()
        }
        extraEpochValues = start == 0 ? [] : extraEpochValues
        model.train()
        for c in callbacks { try c.beforeEpoch(self) }
        let lastIndex = train.batchesPerEpoch - 1
        var stoppedEarly = false
        try train.forEachBatch(epoch: epoch, startingAt: start) { index, inputs, targets in
            if stoppedEarly { return }
            batchIndex = index
            lastBatch = (inputs, targets)
            for c in callbacks { try c.beforeBatch(self) }
            try trainBatch(inputs: inputs, targets: targets, isLastOfEpoch: index == lastIndex)
            for c in callbacks { try c.afterBatch(self) }
            if shouldStop { stoppedEarly = true }
        }
        if stoppedEarly && batchIndex < lastIndex { return }
        try finishEpoch(validation: validation)
    }

    private func trainBatch(inputs: Tensor, targets: Tensor, isLastOfEpoch: Bool) throws {
        if microBatch == 0 { optimizer.zeroGrad() }
        try synchronizer?.beforeForward(self, synchronizing: microBatch + 1 == accumulationSteps || isLastOfEpoch)
        let output = autocast?.forward(model, inputs) ?? model(inputs)
        let value = loss(output, targets)
        precondition(value.count == 1, "Trainer: the loss must be a scalar, got shape \(value.shape)")
        let objective = accumulationSteps > 1 ? value * (1 / Float(accumulationSteps)) : value
        (lossScaler?.scale(objective) ?? objective).backward()
        lastLoss = value.item()
        let n = inputs.shape.first ?? 1
        lossSum += Double(lastLoss) * Double(n)
        sampleCount += n
        microBatch += 1
        guard microBatch == accumulationSteps || isLastOfEpoch else { return }
        lastGradientNorm = nil
        try synchronizer?.synchronizeGradients(self)
        if let lossScaler, !lossScaler.unscale(optimizer.parameters) {
            lossScaler.update(foundInf: true)   // skip the step: no callbacks see Inf/NaN gradients
            lastStepSkipped = true
            microBatch = 0
            return
        }
        lastStepSkipped = false
        for c in callbacks { try c.afterBackward(self) }
        let norm: Double
        if let measured = lastGradientNorm {
            norm = measured
            withNoGrad { optimizer.step() }
        } else {
            // The optimizer measures the norm (and clips, when GradientClipping deferred it) in its
            // update pass: AdamW's multi-tensor step reads the gradients once or twice, not three times.
            let maxNorm = deferredMaxGradientNorm
            deferredMaxGradientNorm = nil
            norm = withNoGrad { optimizer.stepWithGradientNorm(clippingTo: maxNorm) }
        }
        lastGradientNorm = norm
        gradNormSum += norm
        gradNormCount += 1
        lossScaler?.update(foundInf: false)
        globalStep += 1
        microBatch = 0
        FaultPoint.reach("trainer.step-taken")
        for c in callbacks { try c.afterStep(self) }
    }

    private func finishEpoch(validation: BatchProvider?) throws {
        var record = HistoryRecord(epoch: epoch + 1)
        record["train_loss"] = sampleCount > 0 ? lossSum / Double(sampleCount) : .nan
        if let validation {
            let result = evaluate(validation)
            for (k, v) in result { record[k == "loss" ? "val_loss" : "val_" + k] = v }
        }
        record["lr"] = optimizer.learningRate
        record["grad_norm"] = gradNormCount > 0 ? gradNormSum / Double(gradNormCount) : .nan
        for (k, v) in extraEpochValues { record[k] = v }
        record["time_s"] = Date().timeIntervalSince(epochStart)
        history.append(record)
        lossSum = 0; sampleCount = 0; gradNormSum = 0; gradNormCount = 0
        epoch += 1
        batchIndex = 0
        for c in callbacks { try c.afterEpoch(self) }
    }

    /// Runs the model in eval mode without gradients over `data` and returns the mean loss
    /// (`loss`) and every metric, in order. Restores training mode afterwards if it was on.
    public func evaluate(_ data: BatchProvider) -> [(String, Double)] {
        if let synchronizer, let result = synchronizer.evaluate(self, data) { return result }
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        var accumulator = MetricAccumulator(outputs: outputKind, metrics: [.loss] + metrics.filter { $0 != .loss })
        withNoGrad {
            data.forEachBatch(epoch: 0, startingAt: 0) { _, x, y in
                let out = model(x)
                accumulator.update(outputs: out, targets: y, loss: Double(loss(out, y).item()))
            }
        }
        return accumulator.results()
    }
}
