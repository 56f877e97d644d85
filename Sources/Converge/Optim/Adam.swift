import ConvergeCore
import Foundation

/// Adam (Kingma & Ba, 2015) with bias correction, optional AMSGrad, and L2 weight decay coupled
/// to the gradient, following PyTorch's `torch.optim.Adam`:
///
/// ```text
/// t ← t + 1
/// g ← ∇ + λ·θ                        (L2: the decay term goes through the adaptive scaling)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// v̂ ← max(v̂, v)                       (AMSGrad; the denominator then uses v̂)
/// θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
///
/// ε is added after the bias-corrected square root, as PyTorch does (not inside it, and not to
/// the uncorrected √v), which matters early in training when `1 − β₂ᵗ` is small.
///
/// `weightDecay` here is L2 regularization, which is *not* AdamW: the λ·θ term is divided by
/// √v̂ like the rest of the gradient, so weights with large gradients are barely decayed. Use
/// ``AdamW`` for decoupled weight decay.
open class Adam: TypedOptimizer<AdamHyperparameters, AdamState> {
    /// Whether weight decay is decoupled (``AdamW``) rather than L2.
    public let decoupledWeightDecay: Bool

    /// Creates Adam over `parameters` (one group).
    public convenience init(_ parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, betas: betas, eps: eps,
                  weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// Creates Adam over parameter groups; the arguments are the hyperparameters of every group,
    /// except the learning rate and weight decay a group sets.
    public convenience init(_ groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) {
        self.init(groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, decoupledWeightDecay: false)
    }

    /// Creates Adam with coupled (L2) or decoupled (AdamW) weight decay.
    public init(_ groups: [ParameterGroup], learningRate: Double, betas: (Double, Double), eps: Double,
                weightDecay: Double, amsgrad: Bool, decoupledWeightDecay: Bool) {
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(groups, defaults: AdamHyperparameters(learningRate: learningRate, betas: betas, eps: eps,
                                                         weightDecay: weightDecay, amsgrad: amsgrad))
    }

    /// Whether ``step()`` and ``stepWithGradientNorm(clippingTo:)`` update all parameters in one
    /// multi-tensor pass (``MultiTensorPass``) shared by the cores. On by default; it applies when
    /// every parameter with a gradient is float32, and otherwise (or when this is off) the
    /// update runs tensor by tensor. Both give the same bits.
    public var usesMultiTensorStep = true

    /// Scratch of the multi-tensor step, kept between steps so a step allocates nothing per tensor.
    private let scratch = MultiTensorScratch()

    private final class MultiTensorScratch {
        var pass = MultiTensorPass()
        var sums = BlockNorms(p: 2)
        var parameters: [Tensor] = []
        var gradients: [Tensor] = []
        var kernels: [AdamUpdate] = []
        var norms: [Float] = []
    }

    public override func step() {
        if multiTensorStep(clippingTo: nil, measuringNorm: false) == nil { perTensorStep() }
    }

    @discardableResult
    public override func stepWithGradientNorm(clippingTo maxNorm: Double? = nil) -> Double {
        if let maxNorm { precondition(maxNorm >= 0, "clipGradNorm: maxNorm \(maxNorm) is negative") }
        if let norm = multiTensorStep(clippingTo: maxNorm, measuringNorm: true) { return norm }
        return super.stepWithGradientNorm(clippingTo: maxNorm)
    }

    /// The kernel that updates `p` with `gradient` under `h`, advancing `p`'s step count (the C
    /// kernel `AdamUpdate`; it also writes `p`'s bfloat16 copy when autocast keeps one).
    private func kernel(_ p: Tensor, _ gradient: Tensor, _ h: AdamHyperparameters) -> AdamUpdate {
        let lr = h.learningRate
        let (beta1, beta2) = h.betas
        let weightDecay = h.weightDecay
        let w1 = Float(1 - beta1)
        let state = state(for: p)
        state.step += 1
        let t = Double(state.step)
        // Scalars in double precision, then rounded, as PyTorch's Python code does.
        let correction1 = 1 - pow(beta1, t)
        let correction2 = 1 - pow(beta2, t)
        let v = state.expAvgSq.storage.pointer
        return AdamUpdate(theta: p.storage.pointer, grad: gradient.storage.pointer, m: state.expAvg.storage.pointer, v: v,
                          vMax: h.amsgrad ? state.allocatedMaxExpAvgSq(like: p).storage.pointer : v,
                          bfloat16Weights: BFloat16WeightCache.shared.bufferForUpdate(of: p.storage),
                          weightDecay: Float(weightDecay), decayFactor: Float(1 - lr * weightDecay), w1: w1,
                          beta2: Float(beta2), oneMinusBeta2: Float(1 - beta2), correction2Root: Float(pow(correction2, 0.5)),
                          eps: Float(h.eps), negativeStepSize: Float(-(lr / correction1)),
                          coupledDecay: weightDecay != 0 && !decoupledWeightDecay,
                          decoupledDecay: weightDecay != 0 && decoupledWeightDecay,
                          smallWeight: abs(w1) < 0.5, amsgrad: h.amsgrad)
    }

    /// The update tensor by tensor (the fallback of the multi-tensor step).
    private func perTensorStep() {
        for group in parameterGroups {
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                let k = kernel(p, gradient, group.hyperparameters)
                k.run(count: p.count)
                BFloat16WeightCache.shared.didUpdate(p.storage, wroteCopy: k.bfloat16Weights != nil)
            }
        }
    }

    /// The update of every parameter in one pass over blocks shared by the cores: first, with
    /// `maxNorm`, one pass measuring the global gradient norm (the clipping coefficient is then
    /// applied inside the update); without it and with `measuringNorm`, the norm is measured
    /// block by block inside the update pass. Returns the norm before clipping (0 when not
    /// measured), or nil, having done nothing, when the multi-tensor step does not apply.
    private func multiTensorStep(clippingTo maxNorm: Double?, measuringNorm: Bool) -> Double? {
        guard usesMultiTensorStep else { return nil }
        scratch.parameters.removeAll(keepingCapacity: true)
        scratch.gradients.removeAll(keepingCapacity: true)
        scratch.kernels.removeAll(keepingCapacity: true)
        for group in parameterGroups {
            for p in group.parameters {
                guard let gradient = p.grad else { continue }
                guard p.dtype == .float32, gradient.count == p.count else { return nil }
                scratch.parameters.append(p)
                scratch.gradients.append(gradient)
            }
        }
        if scratch.gradients.isEmpty { return 0 }
        scratch.pass.reset(counts: scratch.gradients.lazy.map(\.count))

        var total: Float = 0
        var scale: Float = 1
        if let maxNorm {
            blockwiseNorms(scratch.gradients, 2, pass: &scratch.pass, sums: &scratch.sums, into: &scratch.norms)
            total = totalNorm(scratch.norms, 2)
            scale = clipCoefficient(total: total, maxNorm: maxNorm)
        }
        // Kernels in parameter order (each advances its parameter's step count).
        var index = 0
        for group in parameterGroups {
            for p in group.parameters where p.grad != nil {
                var k = kernel(p, scratch.gradients[index], group.hyperparameters)
                if scale != 1 {   // x · 1 = x: only a real rescaling touches the gradient
                    k.gradientScale = scale
                    k.scalesGradient = true
                }
                scratch.kernels.append(k)
                index += 1
            }
        }
        let measureInPass = measuringNorm && maxNorm == nil
        if measureInPass { scratch.sums.reset(blockCount: scratch.pass.blocks.count) }
        let pass = scratch.pass
        scratch.sums.withStorage { storage in
            scratch.kernels.withUnsafeBufferPointer { kernels in
                pass.run { b, block in
                    let k = kernels[block.segment]
                    if measureInPass { BlockNorms.record(storage, b, k.grad, block, p: 2) }
                    k.run(from: block.start, to: block.end)
                }
            }
        }
        for (p, k) in zip(scratch.parameters, scratch.kernels) {
            BFloat16WeightCache.shared.didUpdate(p.storage, wroteCopy: k.bfloat16Weights != nil)
        }
        if measureInPass {
            scratch.norms.removeAll(keepingCapacity: true)
            var first = 0
            for (s, g) in scratch.gradients.enumerated() {
                var last = first
                while last < pass.blocks.count && pass.blocks[last].segment == s { last += 1 }
                scratch.norms.append(scratch.sums.norm(g.storage.pointer, count: g.count, blocks: first..<last))
                first = last
            }
            total = totalNorm(scratch.norms, 2)
        }
        scratch.parameters.removeAll(keepingCapacity: true)
        scratch.gradients.removeAll(keepingCapacity: true)
        scratch.kernels.removeAll(keepingCapacity: true)
        return Double(total)
    }
}
