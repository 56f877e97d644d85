// Elementwise passes of the bfloat16 Linear layer (see cv_linear_bf16.h): portable versions and
// AVX-512 versions that give the same bits.
#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "cv_linear_bf16.h"
#include "cv_bf16_internal.h"

#include <string.h>

// Swift's max(z, 0), which is `0 >= z ? 0 : z`: NaN stays NaN, −0 becomes +0.
static inline float lb_relu(float z) { return 0.0f >= z ? 0.0f : z; }

static void bias_activation_generic(const float *c, const float *bias, size_t row_start, size_t row_end,
                                    size_t columns, int relu, uint16_t *out) {
    for (size_t r = row_start; r < row_end; r++) {
        const float *row = c + r * columns;
        uint16_t *o = out + r * columns;
        for (size_t j = 0; j < columns; j++) {
            float z = bias ? row[j] + bias[j] : row[j];
            o[j] = cv_bf16_of_float(relu ? lb_relu(z) : z);
        }
    }
}

static void relu_backward_generic(const float *g32, const uint16_t *g16, const float *y32, const uint16_t *y16,
                                  uint16_t *out, size_t start, size_t end) {
    for (size_t i = start; i < end; i++) {
        float y = y16 ? cv_float_of_bf16(y16[i]) : y32[i];
        float g = g16 ? cv_float_of_bf16(g16[i]) : g32[i];
        out[i] = cv_bf16_of_float(y > 0.0f ? g : 0.0f);
    }
}

static void column_sums_generic(const uint16_t *x, size_t rows, size_t columns, size_t column_start,
                                size_t column_end, float *out) {
    for (size_t j = column_start; j < column_end; j++) out[j] = 0.0f;
    for (size_t i = 0; i < rows; i++) {
        const uint16_t *row = x + i * columns;
        for (size_t j = column_start; j < column_end; j++) out[j] = out[j] + cv_float_of_bf16(row[j]);
    }
}

#if CV_HAVE_X86
CV_AVX512 static void bias_activation_avx512(const float *c, const float *bias, size_t row_start, size_t row_end,
                                             size_t columns, int relu, uint16_t *out) {
    const __m512 zero = _mm512_setzero_ps();
    for (size_t r = row_start; r < row_end; r++) {
        const float *row = c + r * columns;
        uint16_t *o = out + r * columns;
        for (size_t j = 0; j < columns; j += 16) {
            size_t left = columns - j;
            __mmask16 k = cv_lanes16(left);
            __m512 z = _mm512_maskz_loadu_ps(k, row + j);
            if (bias) z = _mm512_add_ps(z, _mm512_maskz_loadu_ps(k, bias + j));
            // Swift's max(z, 0) = (0 >= z ? 0 : z); not max_ps, which keeps −0 or drops NaN.
            if (relu) z = _mm512_mask_mov_ps(z, _mm512_cmp_ps_mask(zero, z, _CMP_GE_OQ), zero);
            _mm256_mask_storeu_epi16(o + j, k, cv_bf16_of_float16(z));
        }
    }
}

CV_AVX512 static void relu_backward_avx512(const float *g32, const uint16_t *g16, const float *y32, const uint16_t *y16,
                                           uint16_t *out, size_t start, size_t end) {
    const __m512 zero = _mm512_setzero_ps();
    for (size_t i = start; i < end; i += 16) {
        size_t left = end - i;
        __mmask16 k = cv_lanes16(left);
        __m512 y = y16 ? cv_float16_of_bf16(_mm256_maskz_loadu_epi16(k, y16 + i)) : _mm512_maskz_loadu_ps(k, y32 + i);
        __m512 g = g16 ? cv_float16_of_bf16(_mm256_maskz_loadu_epi16(k, g16 + i)) : _mm512_maskz_loadu_ps(k, g32 + i);
        __mmask16 positive = _mm512_cmp_ps_mask(y, zero, _CMP_GT_OQ);
        _mm256_mask_storeu_epi16(out + i, k, cv_bf16_of_float16(_mm512_maskz_mov_ps(positive, g)));
    }
}

CV_AVX512 static void column_sums_avx512(const uint16_t *x, size_t rows, size_t columns, size_t column_start,
                                         size_t column_end, float *out) {
    for (size_t j = column_start; j < column_end; j += 64) {
        // Four vectors of 16 columns at a time stay in registers down the rows.
        size_t width = column_end - j < 64 ? column_end - j : 64;
        __m512 s[4];
        __mmask16 k[4];
        for (int v = 0; v < 4; v++) {
            size_t lo = (size_t)v * 16;
            size_t n = width > lo ? (width - lo >= 16 ? 16 : width - lo) : 0;
            k[v] = cv_lanes16(n);
            s[v] = _mm512_setzero_ps();
        }
        for (size_t i = 0; i < rows; i++) {
            const uint16_t *row = x + i * columns + j;
            for (int v = 0; v < 4; v++) {
                if (!k[v]) continue;
                s[v] = _mm512_add_ps(s[v], cv_float16_of_bf16(_mm256_maskz_loadu_epi16(k[v], row + v * 16)));
            }
        }
        for (int v = 0; v < 4; v++) if (k[v]) _mm512_mask_storeu_ps(out + j + v * 16, k[v], s[v]);
    }
}
#endif

void cv_bias_activation_to_bf16(const float *c, const float *bias, size_t row_start, size_t row_end,
                                size_t columns, int relu, uint16_t *out) {
    if (row_start >= row_end || columns == 0) return;
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { bias_activation_avx512(c, bias, row_start, row_end, columns, relu, out); return; }
#endif
    bias_activation_generic(c, bias, row_start, row_end, columns, relu, out);
}

void cv_relu_backward_to_bf16(const float *g32, const uint16_t *g16, const float *y32, const uint16_t *y16,
                              uint16_t *out, size_t start, size_t end) {
    if (start >= end) return;
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { relu_backward_avx512(g32, g16, y32, y16, out, start, end); return; }
#endif
    relu_backward_generic(g32, g16, y32, y16, out, start, end);
}

void cv_bf16_column_sums(const uint16_t *x, size_t rows, size_t columns, size_t column_start, size_t column_end,
                         float *out) {
    if (column_start >= column_end) return;
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { column_sums_avx512(x, rows, columns, column_start, column_end, out); return; }
#endif
    column_sums_generic(x, rows, columns, column_start, column_end, out);
}
