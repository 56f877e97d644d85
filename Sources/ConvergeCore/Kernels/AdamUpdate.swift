internal import CConvergeKernels

/// One Adam / AdamW update over one parameter's raw float32 buffers, run by the C kernel
/// `cv_adam_update` (AVX-512 where the processor has it, portable C elsewhere; both give the same
/// bits, and the same bits as PyTorch's float32 single-tensor update):
///
/// ```text
/// g ← g·gradientScale (stored back)      when scalesGradient (clip_grad_norm_ folded in)
/// g ← g + λ·θ                            when coupledDecay (Adam's L2)
/// θ ← θ·decayFactor                      when decoupledDecay (AdamW: 1 − η·λ)
/// m ← lerp(m, g, w1)                     (PyTorch's two forms of lerp_, chosen by smallWeight)
/// v ← β₂·v + ((1 − β₂)·g)·g
/// v̂ ← max(v̂, v)                          when amsgrad (the denominator then uses v̂)
/// θ ← θ + (negativeStepSize·m) / (√v / correction2Root + ε)
/// θ₁₆ ← bfloat16(θ)                      when bfloat16Weights is set
/// ```
///
/// The scalars are computed by the caller (in double precision, then rounded, as PyTorch's Python
/// code does). Blocks of one parameter may be updated by different threads at once.
public struct AdamUpdate {
    /// The weights, updated in place.
    public var theta: UnsafeMutablePointer<Float>
    /// The gradient (rescaled in place when ``scalesGradient``).
    public var grad: UnsafeMutablePointer<Float>
    /// The first moment.
    public var m: UnsafeMutablePointer<Float>
    /// The second moment.
    public var v: UnsafeMutablePointer<Float>
    /// AMSGrad's running maximum of the second moment (read and written only with ``amsgrad``).
    public var vMax: UnsafeMutablePointer<Float>
    /// When set, receives the bfloat16 pattern of each updated weight (a bfloat16 weight copy
    /// written in the same pass).
    public var bfloat16Weights: UnsafeMutablePointer<UInt16>?
    /// λ of coupled (L2) decay.
    public var weightDecay: Float
    /// `1 − η·λ` of decoupled decay.
    public var decayFactor: Float
    /// `1 − β₁`.
    public var w1: Float
    /// β₂.
    public var beta2: Float
    /// `1 − β₂`.
    public var oneMinusBeta2: Float
    /// `√(1 − β₂ᵗ)`.
    public var correction2Root: Float
    /// ε.
    public var eps: Float
    /// `−η / (1 − β₁ᵗ)`.
    public var negativeStepSize: Float
    /// The clipping coefficient (used only with ``scalesGradient``).
    public var gradientScale: Float = 1
    /// Adam's L2 decay (λ·θ added to the gradient).
    public var coupledDecay: Bool
    /// AdamW's decoupled decay (θ scaled by ``decayFactor``).
    public var decoupledDecay: Bool
    /// `|w1| < 0.5`: `m + w1·(g − m)`; otherwise `g − (g − m)·(1 − w1)` (PyTorch's `lerp_`).
    public var smallWeight: Bool
    /// AMSGrad.
    public var amsgrad: Bool
    /// Whether the gradient is multiplied by ``gradientScale`` (and stored) before the update.
    public var scalesGradient = false

    /// Creates the update; see the type's description for each value.
    public init(theta: UnsafeMutablePointer<Float>, grad: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                v: UnsafeMutablePointer<Float>, vMax: UnsafeMutablePointer<Float>, bfloat16Weights: UnsafeMutablePointer<UInt16>? = nil,
                weightDecay: Float, decayFactor: Float, w1: Float, beta2: Float, oneMinusBeta2: Float,
                correction2Root: Float, eps: Float, negativeStepSize: Float,
                coupledDecay: Bool, decoupledDecay: Bool, smallWeight: Bool, amsgrad: Bool) {
        self.theta = theta
        self.grad = grad
        self.m = m
        self.v = v
        self.vMax = vMax
        self.bfloat16Weights = bfloat16Weights
        self.weightDecay = weightDecay
        self.decayFactor = decayFactor
        self.w1 = w1
        self.beta2 = beta2
        self.oneMinusBeta2 = oneMinusBeta2
        self.correction2Root = correction2Root
        self.eps = eps
        self.negativeStepSize = negativeStepSize
        self.coupledDecay = coupledDecay
        self.decoupledDecay = decoupledDecay
        self.smallWeight = smallWeight
        self.amsgrad = amsgrad
    }

    /// Updates elements `start ..< end` on the calling thread.
    @inline(__always)
    public func run(from start: Int, to end: Int) {
        guard start < end else { return }
        var args = cv_adam_args(theta: theta, grad: grad, m: m, v: v, v_max: vMax, theta_bf16: bfloat16Weights,
                                weight_decay: weightDecay, decay_factor: decayFactor, w1: w1, beta2: beta2,
                                one_minus_beta2: oneMinusBeta2, correction2_root: correction2Root, eps: eps,
                                negative_step_size: negativeStepSize, gradient_scale: gradientScale,
                                coupled_decay: coupledDecay ? 1 : 0, decoupled_decay: decoupledDecay ? 1 : 0,
                                small_weight: smallWeight ? 1 : 0, amsgrad: amsgrad ? 1 : 0,
                                scales_gradient: scalesGradient ? 1 : 0)
        cv_adam_update(&args, start, end)
    }

    /// Updates all `count` elements on the calling thread.
    @inline(__always)
    public func run(count: Int) { run(from: 0, to: count) }
}

extension Kernels {
    /// Per lane `j` of 8, the double-precision sum of `x[start + 8k + j]²` over the whole groups
    /// of 8 in `start ..< end`, in index order (the tail after the last whole group is not
    /// included). The block sums of the multi-tensor gradient norm.
    @inline(__always)
    public static func laneSumsOfSquares(_ x: UnsafePointer<Float>, from start: Int, to end: Int) -> SIMD8<Double> {
        var out = SIMD8<Double>(repeating: 0)
        guard start < end else { return out }
        withUnsafeMutableBytes(of: &out) { raw in
            cv_lane_sums_of_squares(x, start, end, raw.baseAddress!.assumingMemoryBound(to: Double.self))
        }
        return out
    }
}
