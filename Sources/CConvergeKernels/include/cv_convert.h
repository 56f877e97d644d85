// Conversions between float32 and the 16-bit bfloat16 format.
#ifndef CV_CONVERT_H
#define CV_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out[i] = bfloat16(x[i]): round to nearest, ties to even (PyTorch's `x.to(torch.bfloat16)`);
/// NaN stays a quiet NaN, denormals are kept.
void cv_f32_to_bf16(const float *x, uint16_t *out, size_t count);

/// out[i] = float(x[i]) for bfloat16 bit patterns (exact).
void cv_bf16_to_f32(const uint16_t *x, float *out, size_t count);

/// x[i] = float(bfloat16(x[i])): each value rounded to its nearest bfloat16, kept in float32.
void cv_round_to_bf16(float *x, size_t count);

#ifdef __cplusplus
}
#endif
#endif
