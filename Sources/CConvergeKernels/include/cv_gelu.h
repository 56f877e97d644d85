// The exact (erf) GELU of PyTorch, forward and backward.
#ifndef CV_GELU_H
#define CV_GELU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// y[i] = x·0.5·(1 + erf(x·(1/√2))) with x = x[i], PyTorch's `gelu(approximate='none')` formula
/// (erf within 2.04 ulp, see cv_vmath.h). `y` may be `x`.
void cv_gelu_forward(const float *x, float *y, size_t count);

/// gx[i] = g[i]·(Φ(x) + x·φ(x)) with Φ(x) = 0.5·(1 + erf(x/√2)) and φ(x) = e^(−x²/2)/√(2π),
/// PyTorch's GELU backward formula. `gx` may be `g` or `x`.
void cv_gelu_backward(const float *g, const float *x, float *gx, size_t count);

/// The epilogue of an autocast linear layer with GELU, over a `rows × columns` block: z = c + bias
/// (`bias` of length `columns`, or NULL), pre[i] = z when `pre` is not NULL (kept for the
/// backward pass), and out[i] = bfloat16(gelu(z)) rounded to nearest, ties to even (NaN stays a
/// quiet NaN), as cv_f32_to_bf16 rounds. `c` is left as it is (`pre` may be `c`).
void cv_bias_gelu_to_bf16(const float *c, const float *bias, size_t rows, size_t columns, float *pre, uint16_t *out);

/// out[i] = bfloat16(g[i]·(Φ(x) + x·φ(x))) for x = x[i]: the GELU backward of
/// cv_gelu_backward rounded to bfloat16 as cv_f32_to_bf16 rounds, in one pass.
void cv_gelu_backward_to_bf16(const float *g, const float *x, uint16_t *out, size_t count);

#ifdef __cplusplus
}
#endif
#endif
