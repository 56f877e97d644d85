#include "cv_gelu.h"
#include "cv_vmath_internal.h"

#define GELU_ALPHA 0.70710678118654752f   /* 1/√2 */
#define GELU_BETA 0.39894228040143268f    /* 1/√(2π) */

static inline float gelu_scalar(float v) { return v * 0.5f * (1.0f + cv_erff_scalar(v * GELU_ALPHA)); }

static void bias_gelu_bf16_generic(const float *c, const float *bias, size_t rows, size_t columns, float *pre, uint16_t *out) {
    for (size_t r = 0; r < rows; r++) {
        for (size_t j = 0; j < columns; j++) {
            size_t i = r * columns + j;
            float z = bias ? c[i] + bias[j] : c[i];
            if (pre) pre[i] = z;
            out[i] = cv_bf16_of_float(gelu_scalar(z));
        }
    }
}

// Blocks of GELU_BLOCK elements: erf (table lookups, scalar) first, then a loop of plain
// arithmetic for exp and the product that the compiler vectorizes.
#define GELU_BLOCK 256

static void gelu_backward_block_generic(const float *g, const float *x, float *gx, size_t n) {
    float cdf[GELU_BLOCK];
    for (size_t j = 0; j < n; j++) cdf[j] = 0.5f * (1.0f + cv_erff_scalar(x[j] * GELU_ALPHA));
    for (size_t j = 0; j < n; j++) {
        float v = x[j];
        float pdf = GELU_BETA * cv_expf_scalar(v * v * -0.5f);
        gx[j] = g[j] * (cdf[j] + v * pdf);
    }
}

static void gelu_backward_bf16_generic(const float *g, const float *x, uint16_t *out, size_t count) {
    float gx[GELU_BLOCK];
    for (size_t i = 0; i < count; i += GELU_BLOCK) {
        size_t n = count - i < GELU_BLOCK ? count - i : GELU_BLOCK;
        gelu_backward_block_generic(g + i, x + i, gx, n);
        for (size_t j = 0; j < n; j++) out[i + j] = cv_bf16_of_float(gx[j]);
    }
}

static void gelu_forward_generic(const float *x, float *y, size_t count) {
    for (size_t i = 0; i < count; i++) {
        y[i] = gelu_scalar(x[i]);
    }
}

static void gelu_backward_generic(const float *g, const float *x, float *gx, size_t count) {
    for (size_t i = 0; i < count; i += GELU_BLOCK) {
        size_t n = count - i < GELU_BLOCK ? count - i : GELU_BLOCK;
        gelu_backward_block_generic(g + i, x + i, gx + i, n);
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

CV_AVX512 static void bias_gelu_bf16_avx512(const float *c, const float *bias, size_t rows, size_t columns, float *pre,
                                            uint16_t *out) {
    size_t full = columns & ~(size_t)15;
    __mmask16 tail = cv_lanes16(columns - full);
    for (size_t r = 0; r < rows; r++) {
        const float *cr = c + r * columns;
        float *pr = pre ? pre + r * columns : NULL;
        uint16_t *orow = out + r * columns;
        for (size_t j = 0; j < full; j += 16) {
            __m512 z = _mm512_loadu_ps(cr + j);
            if (bias) z = _mm512_add_ps(z, _mm512_loadu_ps(bias + j));
            if (pr) _mm512_storeu_ps(pr + j, z);
            _mm256_storeu_si256((__m256i *)(orow + j), cv_bf16_of_float16(gelu16(z)));
        }
        if (tail) {
            __m512 z = _mm512_maskz_loadu_ps(tail, cr + full);
            if (bias) z = _mm512_add_ps(z, _mm512_maskz_loadu_ps(tail, bias + full));
            if (pr) _mm512_mask_storeu_ps(pr + full, tail, z);
            _mm256_mask_storeu_epi16(orow + full, tail, cv_bf16_of_float16(gelu16(z)));
        }
    }
}

CV_AVX512 static void gelu_backward_bf16_avx512(const float *g, const float *x, uint16_t *out, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16)
        _mm256_storeu_si256((__m256i *)(out + i), cv_bf16_of_float16(gelu_grad16(_mm512_loadu_ps(g + i), _mm512_loadu_ps(x + i))));
    if (i < count) {
        __mmask16 m = cv_lanes16(count - i);
        __m512 v = gelu_grad16(_mm512_maskz_loadu_ps(m, g + i), _mm512_maskz_loadu_ps(m, x + i));
        _mm256_mask_storeu_epi16(out + i, m, cv_bf16_of_float16(v));
    }
}

CV_AVX512 static void gelu_forward_avx512(const float *x, float *y, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(y + i, gelu16(_mm512_loadu_ps(x + i)));
    if (i < count) {
        __mmask16 m = cv_lanes16(count - i);
        _mm512_mask_storeu_ps(y + i, m, gelu16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

CV_AVX512 static void gelu_backward_avx512(const float *g, const float *x, float *gx, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16)
        _mm512_storeu_ps(gx + i, gelu_grad16(_mm512_loadu_ps(g + i), _mm512_loadu_ps(x + i)));
    if (i < count) {
        __mmask16 m = cv_lanes16(count - i);
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

void cv_bias_gelu_to_bf16(const float *c, const float *bias, size_t rows, size_t columns, float *pre, uint16_t *out) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { bias_gelu_bf16_avx512(c, bias, rows, columns, pre, out); return; }
#endif
    bias_gelu_bf16_generic(c, bias, rows, columns, pre, out);
}

void cv_gelu_backward_to_bf16(const float *g, const float *x, uint16_t *out, size_t count) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { gelu_backward_bf16_avx512(g, x, out, count); return; }
#endif
    gelu_backward_bf16_generic(g, x, out, count);
}
