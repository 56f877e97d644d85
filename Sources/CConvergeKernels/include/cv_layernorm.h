// Layer normalization over the last dimension of a row-major matrix, forward and backward,
// with float32 statistics.
#ifndef CV_LAYERNORM_H
#define CV_LAYERNORM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// For each of `rows` rows of `d` floats: mean μ, biased variance σ² (two passes, float32),
/// rstd = 1/√(σ² + eps), and y = (x − μ)·rstd·w + b (`w`, `b` of length `d`, either NULL to
/// leave it out). Writes μ and rstd per row into `mean` and `rstd`. `y` may be `x`.
void cv_layernorm_forward(const float *x, float *y, const float *w, const float *b, float *mean, float *rstd,
                          size_t rows, size_t d, float eps);

/// The backward pass of `cv_layernorm_forward` for output gradient `g`, with x̂ = (x − μ)·rstd
/// and ĝ = g·w (g without `w`): gx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) when `gx` is not NULL,
/// and the weight and bias gradients over these rows *added* into `gw` (Σ g·x̂) and `gb` (Σ g)
/// when not NULL.
void cv_layernorm_backward(const float *g, const float *x, const float *mean, const float *rstd, const float *w,
                           float *gx, float *gw, float *gb, size_t rows, size_t d);

#ifdef __cplusplus
}
#endif
#endif
