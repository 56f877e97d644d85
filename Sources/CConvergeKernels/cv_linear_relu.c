// The float32 ReLU passes of a fused Linear + ReLU layer (see cv_linear_relu.h): portable
// versions and AVX-512 versions that give the same bits.
#include "cv_linear_relu.h"
#include "cv_bf16_internal.h"

static void relu_generic(float *x, size_t start, size_t end) {
    for (size_t i = start; i < end; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

static void relu_backward_generic(const float *g, const float *y, float *out, size_t start, size_t end) {
    for (size_t i = start; i < end; i++) out[i] = y[i] > 0.0f ? g[i] : 0.0f;
}

#if CV_HAVE_X86
CV_AVX512 static void relu_avx512(float *x, size_t start, size_t end) {
    const __m512 zero = _mm512_setzero_ps();
    for (size_t i = start; i < end; i += 16) {
        size_t left = end - i;
        __mmask16 k = cv_lanes16(left);
        __m512 v = _mm512_maskz_loadu_ps(k, x + i);
        __mmask16 positive = _mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ);
        _mm512_mask_storeu_ps(x + i, k, _mm512_maskz_mov_ps(positive, v));
    }
}

CV_AVX512 static void relu_backward_avx512(const float *g, const float *y, float *out, size_t start, size_t end) {
    const __m512 zero = _mm512_setzero_ps();
    for (size_t i = start; i < end; i += 16) {
        size_t left = end - i;
        __mmask16 k = cv_lanes16(left);
        __mmask16 positive = _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(k, y + i), zero, _CMP_GT_OQ);
        _mm512_mask_storeu_ps(out + i, k, _mm512_maskz_loadu_ps(positive & k, g + i));
    }
}
#endif

void cv_relu_f32(float *x, size_t start, size_t end) {
    if (start >= end) return;
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { relu_avx512(x, start, end); return; }
#endif
    relu_generic(x, start, end);
}

void cv_relu_backward_f32(const float *g, const float *y, float *out, size_t start, size_t end) {
    if (start >= end) return;
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { relu_backward_avx512(g, y, out, start, end); return; }
#endif
    relu_backward_generic(g, y, out, start, end);
}
