#include "cv_vmath.h"
#include "cv_vmath_internal.h"

static void exp_generic(const float *x, float *y, size_t count) {
    for (size_t i = 0; i < count; i++) y[i] = cv_expf_scalar(x[i]);
}

static void erf_generic(const float *x, float *y, size_t count) {
    for (size_t i = 0; i < count; i++) y[i] = cv_erff_scalar(x[i]);
}

#if CV_HAVE_X86
CV_AVX512 static void exp_avx512(const float *x, float *y, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(y + i, cv_exp16(_mm512_loadu_ps(x + i)));
    if (i < count) {
        __mmask16 m = cv_lanes16(count - i);
        _mm512_mask_storeu_ps(y + i, m, cv_exp16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

CV_AVX512 static void erf_avx512(const float *x, float *y, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(y + i, cv_erf16(_mm512_loadu_ps(x + i)));
    if (i < count) {
        __mmask16 m = cv_lanes16(count - i);
        _mm512_mask_storeu_ps(y + i, m, cv_erf16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}
#endif

void cv_exp(const float *x, float *y, size_t count) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { exp_avx512(x, y, count); return; }
#endif
    exp_generic(x, y, count);
}

void cv_erf(const float *x, float *y, size_t count) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { erf_avx512(x, y, count); return; }
#endif
    erf_generic(x, y, count);
}
