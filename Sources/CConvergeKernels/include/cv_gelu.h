// The exact (erf) GELU of PyTorch, forward and backward.
#ifndef CV_GELU_H
#define CV_GELU_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// y[i] = x·0.5·(1 + erf(x·(1/√2))) with x = x[i], PyTorch's `gelu(approximate='none')` formula
/// (erf within 2 ulp, see cv_vmath.h). `y` may be `x`.
void cv_gelu_forward(const float *x, float *y, size_t count);

/// gx[i] = g[i]·(Φ(x) + x·φ(x)) with Φ(x) = 0.5·(1 + erf(x/√2)) and φ(x) = e^(−x²/2)/√(2π),
/// PyTorch's GELU backward formula. `gx` may be `g` or `x`.
void cv_gelu_backward(const float *g, const float *x, float *gx, size_t count);

#ifdef __cplusplus
}
#endif
#endif
