// Batch normalization over (N, C) matrices fused with ReLU and dropout: the passes of
// `dropout(relu(batch_norm(x)))` forward and backward. Statistics in double precision; the
// tensors in float32 or as bfloat16 bit patterns (the bfloat16 autocast path).
#ifndef CV_BATCHNORM_H
#define CV_BATCHNORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// How a tensor's elements are stored.
typedef enum {
    /// 32-bit floats.
    CV_BN_FLOAT32 = 0,
    /// bfloat16 bit patterns (the high 16 bits of a float32).
    CV_BN_BFLOAT16 = 1,
} cv_bn_format;

/// Per-channel mean and biased variance, for channels [c0, c1), of the row-major (n, c) matrix
/// `x`, written to mean[j] and variance[j]. Shifted-data sums in double precision with the shift
/// k = x[0][j]: rows four at a time, sums += (d0 + d1) + (d2 + d3) and
/// squares += (d0·d0 + d1·d1) + (d2·d2 + d3·d3) with d = x − k, then the remaining rows one by
/// one; mean = k + sums/n, variance = max(squares/n − (sums/n)², 0). The same bits at every level.
void cv_bn_moments(const void *x, cv_bn_format format, size_t n, size_t c, size_t c0, size_t c1,
                   double *mean, double *variance);

/// Rows [r0, r1) of y = max(x·alpha + beta, 0)·m (`relu`; without it x·alpha + beta) with m
/// the dropout factor of each element: the factors of the dropout mask `key` (`cv_dropout.h`,
/// element index row·c + column) when `dropping`, else `scale`. `x` and `y` have the same
/// `format`; in bfloat16, x·alpha + beta is rounded to bfloat16 before the ReLU and the product
/// rounded again on store (PyTorch's two bfloat16 ops). A multiplication then an addition, never
/// fused, so the result is the unfused ops' to the bit.
void cv_bn_relu_dropout_forward(const void *x, void *y, cv_bn_format format, size_t c, size_t r0, size_t r1,
                                const float *alpha, const float *beta, int relu, int dropping,
                                uint64_t key, uint64_t threshold, float scale);

/// For channels [c0, c1): sums[j] = Σ g' and dots[j] = Σ g'·(x − mean[j]) over the n rows, with
/// g' = g·(scale where the forward output y is not zero, else 0), or g' = g when `y` is NULL.
/// Rows four at a time in float32, each group added into double-precision accumulators; the
/// remaining rows in double precision.
void cv_bn_relu_dropout_gradient_sums(const void *g, cv_bn_format g_format, const void *x, cv_bn_format x_format,
                                      const void *y, cv_bn_format y_format, size_t n, size_t c, size_t c0, size_t c1,
                                      const float *mean, float scale, double *sums, double *dots);

/// Rows [r0, r1) of dx = ((g' − shift) − (x − mean)·slope)·gain (per channel; g' as in
/// `cv_bn_relu_dropout_gradient_sums`), written in `dx_format`.
void cv_bn_relu_dropout_input_gradient(const void *g, cv_bn_format g_format, const void *x, cv_bn_format x_format,
                                       const void *y, cv_bn_format y_format, void *dx, cv_bn_format dx_format,
                                       size_t c, size_t r0, size_t r1, const float *mean, const float *shift,
                                       const float *slope, const float *gain, float scale);

#ifdef __cplusplus
}
#endif
#endif
