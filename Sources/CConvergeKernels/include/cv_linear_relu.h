// The float32 ReLU passes of a fused Linear + ReLU layer: the activation applied in place to the
// GEMM's output, and its backward.
#ifndef CV_LINEAR_RELU_H
#define CV_LINEAR_RELU_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// x[i] = x[i] > 0 ? x[i] : 0 over [start, end) (NaN and −0 become +0).
void cv_relu_f32(float *x, size_t start, size_t end);

/// out[i] = y[i] > 0 ? g[i] : 0 over [start, end): ReLU's backward read off its output y.
/// `out` may be `g`.
void cv_relu_backward_f32(const float *g, const float *y, float *out, size_t start, size_t end);

#ifdef __cplusplus
}
#endif
#endif
