import ConvergeCore

/// Mixed-precision training emulated on the CPU (seed §7.7): float32 master weights, matmul-heavy
/// layers computed from float16/bfloat16 copies with low-precision outputs, everything else
/// (losses, softmax, normalization, the optimizer) in float32, and dynamic loss scaling for
/// float16.
///
/// ```swift
/// let trainer = Trainer(model: model, optimizer: AdamW(model.parameters, learningRate: 1e-3),
///                       loss: .crossEntropy, callbacks: [MixedPrecision(dtype: .float16)])
/// ```
/// As a callback it installs itself as the trainer's ``Trainer/autocast`` policy and its
/// ``lossScaler`` as ``Trainer/lossScaler`` in `beforeFit` (and removes both in `afterFit`), and
/// saves the scaler state in checkpoints. ``forward(_:_:)`` can also be used on its own.
///
/// **bfloat16 is computed, not emulated,** where the hardware allows: during the forward pass
/// (and, through the graph, the backward pass) every matrix product — `Linear`, `Conv1d`,
/// `Conv2d`, `matmul`, recurrent layers — runs with `GEMMPrecision.bfloat16`: its
/// inputs rounded to bfloat16 and multiplied by oneDNN's `dnnl_gemm_bf16bf16f32`, accumulating in
/// float32, on a processor with AVX512-BF16 or AMX (PyTorch's CPU autocast list: `mm`, `addmm`,
/// `bmm`, `linear`, `conv*`, `matmul`). Elsewhere the rounding is the same and the arithmetic
/// float32, after one notice on stderr. float16 is emulated: values are rounded to float16, and
/// products run in float32.
///
/// **bfloat16 storage.** With ``dtype`` `.bfloat16`, each `Linear` computes from a copy of its weight
/// cast to bfloat16 storage once per forward pass (the backward products read the same copy), and
/// its output is held in bfloat16 storage (2 bytes per element; `Tensor.bfloat16Linear`). A fused
/// `BatchNorm → ReLU → Dropout` run in a ``Sequential`` reads that bfloat16 output and writes
/// bfloat16, so the activations between layers of an MLP stay bfloat16, as in PyTorch's CPU
/// autocast. Other ops that read a bfloat16 tensor see its float32 values (converted once).
/// Gradients flowing back through these layers are rounded to bfloat16 before each product; the
/// weight and bias gradients are rounded to bfloat16 values and reach the float32 masters.
///
/// **Rounding (float16, and Conv1d/Conv2d in bfloat16).** During a training forward pass each
/// `Conv1d` and `Conv2d` (and, for float16, `Linear`) uses a copy of its weight and bias rounded to
/// ``dtype`` (the float32 master weights are what the optimizer updates; the copies' gradients are
/// rounded to ``dtype`` on their way back, so float16 gradient overflow and underflow, and with
/// them the need for loss scaling, are reproduced), and its output is rounded to ``dtype``. Losses,
/// softmax, normalization statistics and the optimizer stay float32.
///
/// **What is not done.** float16 activations are float32 storage holding rounded values; conv
/// outputs are float32 storage holding bfloat16 values; embeddings are not autocast; validation
/// runs in float32.
public final class MixedPrecision: Callback, AutocastPolicy {
    /// The low-precision type: `.float16` or `.bfloat16`.
    public let dtype: DType
    /// The loss scaler (float16 by default; bfloat16 has float32's range and needs none).
    public let lossScaler: DynamicLossScaler?

    /// Creates the policy. float16 gets a ``DynamicLossScaler`` with PyTorch's defaults unless
    /// `lossScaler` is given; bfloat16 uses only the one given (normally none).
    public init(dtype: DType = .float16, lossScaler: DynamicLossScaler? = nil) {
        precondition(dtype != .float32, "MixedPrecision: dtype must be .float16 or .bfloat16")
        self.dtype = dtype
        self.lossScaler = lossScaler ?? (dtype == .float16 ? DynamicLossScaler() : nil)
    }

    /// Whether `module` runs in low precision under autocast (Linear, Conv1d, Conv2d).
    public static func isAutocast(_ module: Module) -> Bool {
        module is Linear || module is Conv1d || module is Conv2d
    }

    /// Runs `model(input)` under autocast: every autocast layer (see ``isAutocast(_:)``) computes
    /// from weight and bias copies rounded to ``dtype`` and its output is rounded to ``dtype``.
    /// The master weights are back in place (and unchanged) when this returns; gradients reach
    /// them through the copies.
    public func forward(_ model: Module, _ input: Tensor) -> Tensor {
        var restore: [() -> Void] = []
        defer { for undo in restore.reversed() { undo() } }
        let dtype = self.dtype
        for module in model.modules where Self.isAutocast(module) {
            switch module {
            case let layer as Linear where dtype == .bfloat16:
                // Real bfloat16: the weight is cast once for this forward pass (its products in the
                // backward pass read the same copy) and the layer's output is bfloat16 storage.
                restore.append(swapInCopies(layer, \.weight, \.bias, bfloat16Storage: true))
                continue
            case let layer as Linear: restore.append(swapInCopies(layer, \.weight, \.bias))
            case let layer as Conv1d: restore.append(swapInCopies(layer, \.weight, \.bias))
            case let layer as Conv2d: restore.append(swapInCopies(layer, \.weight, \.bias))
            default: continue
            }
            let hook = module.addForwardHook { _, _, output in output.roundInPlace(to: dtype) }
            restore.append { module.removeForwardHook(hook) }
        }
        if dtype == .bfloat16 { return Kernels.withGEMMPrecision(.bfloat16) { model(input) } }
        return model(input)
    }

    /// Replaces `layer`'s weight and bias by copies rounded to ``dtype`` and returns the closure
    /// that puts the masters back (with their `requiresGrad` flags: assigning a parameter sets it).
    /// With `bfloat16Storage` the weight copy is held in bfloat16 storage (``Tensor/castToBFloat16()``).
    private func swapInCopies<Layer: Module>(_ layer: Layer, _ weight: ReferenceWritableKeyPath<Layer, Tensor>,
                                             _ bias: ReferenceWritableKeyPath<Layer, Tensor?>,
                                             bfloat16Storage: Bool = false) -> () -> Void {
        let masterWeight = layer[keyPath: weight], masterBias = layer[keyPath: bias]
        let weightFlag = masterWeight.requiresGrad, biasFlag = masterBias?.requiresGrad ?? false
        let weightCopy = bfloat16Storage ? masterWeight.castToBFloat16() : masterWeight.rounded(to: dtype)
        let biasCopy = masterBias?.rounded(to: dtype)
        layer[keyPath: weight] = weightCopy
        layer[keyPath: bias] = biasCopy
        // A frozen master's copy has no graph; keep it out of the backward pass.
        weightCopy.requiresGrad = weightFlag
        biasCopy?.requiresGrad = biasFlag
        return {
            layer[keyPath: weight] = masterWeight
            layer[keyPath: bias] = masterBias
            masterWeight.requiresGrad = weightFlag
            masterBias?.requiresGrad = biasFlag
        }
    }

    // MARK: Callback

    /// Installs this policy as ``Trainer/autocast`` and ``lossScaler`` as ``Trainer/lossScaler``.
    public func beforeFit(_ trainer: Trainer) throws {
        trainer.autocast = self
        trainer.lossScaler = lossScaler
    }

    /// Removes what ``beforeFit(_:)`` installed (evaluation afterwards runs in float32).
    public func afterFit(_ trainer: Trainer) throws {
        if trainer.autocast === self { trainer.autocast = nil }
        if trainer.lossScaler === lossScaler { trainer.lossScaler = nil }
    }

    /// Records the loss scale and the steps skipped so far in the epoch's record
    /// (`loss_scale`, `skipped_steps`).
    public func afterBatch(_ trainer: Trainer) throws {
        guard let lossScaler, trainer.batchIndex == trainer.batchesPerEpoch - 1 else { return }
        trainer.extraEpochValues.append(("loss_scale", lossScaler.currentScale))
        trainer.extraEpochValues.append(("skipped_steps", Double(lossScaler.skippedSteps)))
    }

    /// Saved under `mixed_precision`.
    public var checkpointKey: String? { "mixed_precision" }

    /// The loss scaler's ``DynamicLossScaler/stateDict()`` (empty without a scaler).
    public func checkpointState(_ trainer: Trainer) -> [String: Double] { lossScaler?.stateDict() ?? [:] }

    /// Restores the scaler; an empty state (a checkpoint written without mixed precision) keeps
    /// the current one.
    public func restoreCheckpointState(_ state: [String: Double], trainer: Trainer) throws {
        guard let lossScaler, !state.isEmpty else { return }
        try lossScaler.loadStateDict(state)
    }
}
