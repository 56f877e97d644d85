#include "cv_gelu.h"
#include "cv_vmath_internal.h"

#define GELU_ALPHA 0.70710678118654752f   /* 1/√2 */
#define GELU_BETA 0.39894228040143268f    /* 1/√(2π) */

static void gelu_forward_generic(const float *x, float *y, size_t count) {
    for (size_t i = 0; i < count; i++) {
        float v = x[i];
        y[i] = v * 0.5f * (1.0f + cv_erff_scalar(v * GELU_ALPHA));
    }
}

static void gelu_backward_generic(const float *g, const float *x, float *gx, size_t count) {
    for (size_t i = 0; i < count; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + cv_erff_scalar(v * GELU_ALPHA));
        float pdf = GELU_BETA * cv_expf_scalar(v * v * -0.5f);
        gx[i] = g[i] * (cdf + v * pdf);
    }
}

#if CV_HAVE_X86
CV_AVX512 static inline __m512 gelu16(__m512 x) {
    __m512 e = cv_erf16(_mm512_mul_ps(x, _mm512_set1_ps(GELU_ALPHA)));
    return _mm512_mul_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.5f)), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

CV_AVX512 static inline __m512 gelu_grad16(__m512 g, __m512 x) {
    __m512 cdf = _mm512_mul_ps(_mm512_set1_ps(0.5f),
                               _mm512_add_ps(_mm512_set1_ps(1.0f), cv_erf16(_mm512_mul_ps(x, _mm512_set1_ps(GELU_ALPHA)))));
    __m512 pdf = _mm512_mul_ps(_mm512_set1_ps(GELU_BETA),
                               cv_exp16(_mm512_mul_ps(_mm512_mul_ps(x, x), _mm512_set1_ps(-0.5f))));
    return _mm512_mul_ps(g, _mm512_fmadd_ps(x, pdf, cdf));
}

CV_AVX512 static void gelu_forward_avx512(const float *x, float *y, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(y + i, gelu16(_mm512_loadu_ps(x + i)));
    if (i < count) {
        __mmask16 m = cv_tail16(count - i);
        _mm512_mask_storeu_ps(y + i, m, gelu16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

CV_AVX512 static void gelu_backward_avx512(const float *g, const float *x, float *gx, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16)
        _mm512_storeu_ps(gx + i, gelu_grad16(_mm512_loadu_ps(g + i), _mm512_loadu_ps(x + i)));
    if (i < count) {
        __mmask16 m = cv_tail16(count - i);
        _mm512_mask_storeu_ps(gx + i, m, gelu_grad16(_mm512_maskz_loadu_ps(m, g + i), _mm512_maskz_loadu_ps(m, x + i)));
    }
}
#endif

void cv_gelu_forward(const float *x, float *y, size_t count) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { gelu_forward_avx512(x, y, count); return; }
#endif
    gelu_forward_generic(x, y, count);
}

void cv_gelu_backward(const float *g, const float *x, float *gx, size_t count) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { gelu_backward_avx512(g, x, gx, count); return; }
#endif
    gelu_backward_generic(g, x, gx, count);
}
