// The Adam / AdamW update (see cv_adam.h): a portable version and an AVX-512 version that
// give the same bits. No contraction to fused multiply-add: each product and sum is rounded
// on its own, as in PyTorch's float32 update.
#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "cv_adam.h"
#include "cv_bf16_internal.h"

#include <math.h>
#include <string.h>

static void adam_generic(const cv_adam_args *a, size_t start, size_t end) {
    const float one_minus_w1 = 1.0f - a->w1;
    for (size_t i = start; i < end; i++) {
        float x = a->theta[i];
        float g = a->grad[i];
        if (a->scales_gradient) {
            g = g * a->gradient_scale;
            a->grad[i] = g;
        }
        if (a->coupled_decay) g = g + x * a->weight_decay;
        if (a->decoupled_decay) x = x * a->decay_factor;
        float m_old = a->m[i];
        float m_new = a->small_weight ? m_old + a->w1 * (g - m_old) : g - (g - m_old) * one_minus_w1;
        a->m[i] = m_new;
        float v_new = a->v[i] * a->beta2 + (a->one_minus_beta2 * g) * g;
        a->v[i] = v_new;
        float second = v_new;
        if (a->amsgrad) {
            float old = a->v_max[i];
            second = (v_new > old || isnan(v_new)) ? v_new : old;
            a->v_max[i] = second;
        }
        float denominator = sqrtf(second) / a->correction2_root + a->eps;
        float updated = x + (a->negative_step_size * m_new) / denominator;
        a->theta[i] = updated;
        if (a->theta_bf16) a->theta_bf16[i] = cv_bf16_of_float(updated);
    }
}

static void lane_sums_generic(const float *x, size_t start, size_t end, double out[8]) {
    double sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = start;
    for (; i + 8 <= end; i += 8) {
        for (int j = 0; j < 8; j++) {
            double v = (double)x[i + j];
            sums[j] = sums[j] + v * v;
        }
    }
    for (int j = 0; j < 8; j++) out[j] = sums[j];
}

#if CV_HAVE_X86
// One masked vector step of 16 lanes at element i (mask selects the lanes that exist).
CV_AVX512 static inline void adam_step16(const cv_adam_args *a, size_t i, __mmask16 k) {
    __m512 x = _mm512_maskz_loadu_ps(k, a->theta + i);
    __m512 g = _mm512_maskz_loadu_ps(k, a->grad + i);
    if (a->scales_gradient) {
        g = _mm512_mul_ps(g, _mm512_set1_ps(a->gradient_scale));
        _mm512_mask_storeu_ps(a->grad + i, k, g);
    }
    if (a->coupled_decay) g = _mm512_add_ps(g, _mm512_mul_ps(x, _mm512_set1_ps(a->weight_decay)));
    if (a->decoupled_decay) x = _mm512_mul_ps(x, _mm512_set1_ps(a->decay_factor));
    __m512 m_old = _mm512_maskz_loadu_ps(k, a->m + i);
    __m512 diff = _mm512_sub_ps(g, m_old);
    __m512 m_new = a->small_weight
        ? _mm512_add_ps(m_old, _mm512_mul_ps(_mm512_set1_ps(a->w1), diff))
        : _mm512_sub_ps(g, _mm512_mul_ps(diff, _mm512_set1_ps(1.0f - a->w1)));
    _mm512_mask_storeu_ps(a->m + i, k, m_new);
    __m512 v_new = _mm512_add_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(k, a->v + i), _mm512_set1_ps(a->beta2)),
                                 _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(a->one_minus_beta2), g), g));
    _mm512_mask_storeu_ps(a->v + i, k, v_new);
    __m512 second = v_new;
    if (a->amsgrad) {
        __m512 old = _mm512_maskz_loadu_ps(k, a->v_max + i);
        __mmask16 take = _mm512_cmp_ps_mask(v_new, old, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v_new, v_new, _CMP_UNORD_Q);
        second = _mm512_mask_blend_ps(take, old, v_new);
        _mm512_mask_storeu_ps(a->v_max + i, k, second);
    }
    __m512 denominator = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(second), _mm512_set1_ps(a->correction2_root)),
                                       _mm512_set1_ps(a->eps));
    __m512 updated = _mm512_add_ps(x, _mm512_div_ps(_mm512_mul_ps(_mm512_set1_ps(a->negative_step_size), m_new), denominator));
    _mm512_mask_storeu_ps(a->theta + i, k, updated);
    if (a->theta_bf16) _mm256_mask_storeu_epi16(a->theta_bf16 + i, k, cv_bf16_of_float16(updated));
}

CV_AVX512 static void adam_avx512(const cv_adam_args *a, size_t start, size_t end) {
    size_t i = start;
    for (; i + 16 <= end; i += 16) adam_step16(a, i, (__mmask16)0xFFFF);
    if (i < end) adam_step16(a, i, cv_lanes16(end - i));
}

CV_AVX512 static void lane_sums_avx512(const float *x, size_t start, size_t end, double out[8]) {
    __m512d sums = _mm512_setzero_pd();
    size_t i = start;
    for (; i + 8 <= end; i += 8) {
        __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));
        sums = _mm512_add_pd(sums, _mm512_mul_pd(v, v));
    }
    _mm512_storeu_pd(out, sums);
}
#endif

void cv_adam_update(const cv_adam_args *args, size_t start, size_t end) {
    if (start >= end) return;
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { adam_avx512(args, start, end); return; }
#endif
    adam_generic(args, start, end);
}

void cv_lane_sums_of_squares(const float *x, size_t start, size_t end, double out[8]) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { lane_sums_avx512(x, start, end, out); return; }
#endif
    lane_sums_generic(x, start, end, out);
}
