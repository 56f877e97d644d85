// The Adam / AdamW update over raw float32 buffers (one parameter, or one block of it), with the
// gradient-norm clip folded in and an optional bfloat16 copy of the updated weight.
#ifndef CV_ADAM_H
#define CV_ADAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One parameter's buffers and the step's scalars (computed by the caller in double precision
/// and rounded to float, as PyTorch's Python code does).
typedef struct {
    float *theta;          ///< the weights, updated in place
    float *grad;           ///< the gradient (rescaled in place when `scales_gradient`)
    float *m;              ///< first moment (exp_avg)
    float *v;              ///< second moment (exp_avg_sq)
    float *v_max;          ///< AMSGrad's running maximum of v (read only when `amsgrad`)
    uint16_t *theta_bf16;  ///< when not NULL, receives bfloat16(theta) after the update
    float weight_decay;    ///< λ for coupled (L2) decay
    float decay_factor;    ///< 1 − η·λ for decoupled (AdamW) decay
    float w1;              ///< 1 − β₁
    float beta2;
    float one_minus_beta2;
    float correction2_root; ///< √(1 − β₂ᵗ)
    float eps;
    float negative_step_size; ///< −η / (1 − β₁ᵗ)
    float gradient_scale;  ///< the clipping coefficient (used only when `scales_gradient`)
    int coupled_decay;
    int decoupled_decay;
    int small_weight;      ///< |1 − β₁| < 0.5: m ← m + w1·(g − m), else m ← g − (g − m)·(1 − w1)
    int amsgrad;
    int scales_gradient;
} cv_adam_args;

/// Updates elements [start, end) of one parameter:
///
///     g ← g·scale (stored back)            when scales_gradient
///     g ← g + λ·θ                          when coupled_decay
///     θ ← θ·(1 − η·λ)                      when decoupled_decay
///     m ← lerp(m, g, 1 − β₁)               (PyTorch's two forms, see small_weight)
///     v ← β₂·v + ((1 − β₂)·g)·g
///     v̂ ← max(v̂, v) (NaN propagates)      when amsgrad; the denominator then uses v̂
///     θ ← θ + (−η/(1 − β₁ᵗ)·m) / (√v / √(1 − β₂ᵗ) + ε)
///     θ16 ← bfloat16(θ)                    when theta_bf16 is not NULL
///
/// Every operation is one IEEE float32 operation in this order (no fused multiply-add), so the
/// vector and portable versions give the same bits, and the same bits as PyTorch's float32
/// `torch.optim.Adam` / `AdamW` (single-tensor) update.
void cv_adam_update(const cv_adam_args *args, size_t start, size_t end);

/// Per lane j in 0..<8, out[j] = Σ x[start + 8k + j]² over the whole groups of 8 in
/// [start, end), accumulated in double precision in index order (the tail is left to the caller).
void cv_lane_sums_of_squares(const float *x, size_t start, size_t end, double out[8]);

#ifdef __cplusplus
}
#endif
#endif
