// Dropout masks: a counter-based stream (SplitMix64 outputs at consecutive counters), portable C
// and AVX-512 (eight 64-bit hashes, sixteen elements, per step). Both give the same bits.
#include "cv_dropout.h"
#include "cv_dropout_internal.h"

#pragma STDC FP_CONTRACT OFF

static inline uint64_t mix64(uint64_t z) { return cv_dropout_mix64(z); }

uint64_t cv_dropout_pair_bits(uint64_t key, uint64_t k) { return mix64(key + (k + 1) * CV_GOLDEN_GAMMA); }

/// The 32-bit value of element i.
static inline uint32_t element_bits(uint64_t key, uint64_t i) {
    uint64_t bits = cv_dropout_pair_bits(key, i >> 1);
    return (i & 1) ? (uint32_t)(bits >> 32) : (uint32_t)bits;
}

// The kernels below take `last`, the largest kept 32-bit value (threshold − 1), and are only
// called with 0 < threshold; a threshold of 2³² or more becomes last = 0xFFFFFFFF (all kept).

static void mask_generic(float *mask, const float *x, size_t count, uint64_t key, uint64_t first, uint32_t last,
                         float scale) {
    size_t j = 0;
    if (count > 0 && (first & 1)) {
        float m = element_bits(key, first) <= last ? scale : 0.0f;
        mask[0] = x ? x[0] * m : m;
        j = 1;
    }
    uint64_t z = key + (((first + j) >> 1) + 1) * CV_GOLDEN_GAMMA;
    for (; j + 2 <= count; j += 2, z += CV_GOLDEN_GAMMA) {
        uint64_t bits = mix64(z);
        float m0 = (uint32_t)bits <= last ? scale : 0.0f;
        float m1 = (uint32_t)(bits >> 32) <= last ? scale : 0.0f;
        if (x) { mask[j] = x[j] * m0; mask[j + 1] = x[j + 1] * m1; } else { mask[j] = m0; mask[j + 1] = m1; }
    }
    if (j < count) {
        float m = (uint32_t)mix64(z) <= last ? scale : 0.0f;
        mask[j] = x ? x[j] * m : m;
    }
}

#if CV_HAVE_X86
/// Sixteen elements (eight pairs) at a time from an even element index; x == NULL writes the mask.
CV_AVX512 static void mask_avx512(float *out, const float *x, size_t count, uint64_t key, uint64_t first,
                                  uint32_t last, float scale) {
    size_t j = 0;
    if (count > 0 && (first & 1)) {
        float m = element_bits(key, first) <= last ? scale : 0.0f;
        out[0] = x ? x[0] * m : m;
        j = 1;
    }
    __m512i z = cv_dropout_counters_avx512(key, (first + j) >> 1);
    const __m512i step = _mm512_set1_epi64((long long)(8 * CV_GOLDEN_GAMMA));
    const __m512i limit = _mm512_set1_epi32((int)last);
    const __m512 s = _mm512_set1_ps(scale);
    for (; j + 16 <= count; j += 16) {
        __mmask16 keep = cv_dropout_keep16_avx512(z, limit);
        __m512 m = _mm512_maskz_mov_ps(keep, s);
        if (x) m = _mm512_mul_ps(_mm512_loadu_ps(x + j), m);
        _mm512_storeu_ps(out + j, m);
        z = _mm512_add_epi64(z, step);
    }
    if (j < count) {
        __mmask16 tail = (__mmask16)((1u << (count - j)) - 1u);
        __mmask16 keep = cv_dropout_keep16_avx512(z, limit);
        __m512 m = _mm512_maskz_mov_ps(keep, s);
        if (x) m = _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, x + j), m);
        _mm512_mask_storeu_ps(out + j, tail, m);
    }
}
#endif

static void run(float *out, const float *x, size_t count, uint64_t key, uint64_t first, uint64_t threshold,
                float scale) {
    if (threshold == 0) {   // nothing kept
        for (size_t j = 0; j < count; j++) out[j] = x ? x[j] * 0.0f : 0.0f;
        return;
    }
    uint32_t last = threshold > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)(threshold - 1);
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { mask_avx512(out, x, count, key, first, last, scale); return; }
#endif
    mask_generic(out, x, count, key, first, last, scale);
}

void cv_dropout_mask_f32(float *mask, size_t count, uint64_t key, uint64_t first, uint64_t threshold, float scale) {
    run(mask, NULL, count, key, first, threshold, scale);
}

void cv_dropout_apply_f32(const float *x, float *y, size_t count, uint64_t key, uint64_t first,
                          uint64_t threshold, float scale) {
    run(y, x, count, key, first, threshold, scale);
}
