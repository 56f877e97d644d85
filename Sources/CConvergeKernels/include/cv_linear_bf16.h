// The elementwise passes around a bfloat16 Linear layer's GEMMs (autocast): the forward
// epilogue (bias, ReLU, rounding to bfloat16 in one pass), the ReLU backward fused with the
// rounding of the gradient, and the bias gradient's column sums over bfloat16 values.
#ifndef CV_LINEAR_BF16_H
#define CV_LINEAR_BF16_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out[r·columns + j] = bfloat16(z) with z = c[r·columns + j] + bias[j] (bias may be NULL:
/// z = c), and z replaced by max(z, 0) when `relu` (Swift's `max(z, 0)`: NaN stays NaN, −0 becomes
/// +0), for rows [row_start, row_end). bfloat16 rounding: nearest, ties to even, NaN quieted.
void cv_bias_activation_to_bf16(const float *c, const float *bias, size_t row_start, size_t row_end,
                                size_t columns, int relu, uint16_t *out);

/// out[i] = bfloat16(y[i] > 0 ? g[i] : 0) over [start, end): the ReLU backward with the
/// gradient rounded to bfloat16 for the products that follow. Exactly one of g32 / g16 (the
/// upstream gradient, float32 or bfloat16) and one of y32 / y16 (the layer's output) is non-NULL.
void cv_relu_backward_to_bf16(const float *g32, const uint16_t *g16, const float *y32, const uint16_t *y16,
                              uint16_t *out, size_t start, size_t end);

/// out[j] = Σᵢ x[i·columns + j] over rows i in order, in float32, starting from 0, for columns
/// [column_start, column_end) of a rows × columns block of bfloat16 patterns.
void cv_bf16_column_sums(const uint16_t *x, size_t rows, size_t columns, size_t column_start, size_t column_end,
                         float *out);

#ifdef __cplusplus
}
#endif
#endif
