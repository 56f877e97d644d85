#include "cv_convert.h"
#include "cv_bf16_internal.h"

#include <string.h>

static void f32_to_bf16_generic(const float *x, uint16_t *out, size_t count) {
    const uint32_t *bits = (const uint32_t *)x;
    for (size_t i = 0; i < count; i++) out[i] = cv_bf16_of_bits(bits[i]);
}

static void round_to_bf16_generic(float *x, size_t count) {
    uint32_t *bits = (uint32_t *)x;
    for (size_t i = 0; i < count; i++) bits[i] = (uint32_t)cv_bf16_of_bits(bits[i]) << 16;
}

static void bf16_to_f32_generic(const uint16_t *x, float *out, size_t count) {
    uint32_t *bits = (uint32_t *)out;
    for (size_t i = 0; i < count; i++) bits[i] = (uint32_t)x[i] << 16;
}

#if CV_HAVE_X86
CV_AVX512 static void f32_to_bf16_avx512(const float *x, uint16_t *out, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i bits = _mm512_loadu_si512((const void *)(x + i));
        _mm256_storeu_si256((__m256i *)(out + i), _mm512_cvtepi32_epi16(cv_bf16_round_lanes16(bits)));
    }
    if (i < count) {
        __mmask16 tail = (__mmask16)((1u << (count - i)) - 1u);
        __m512i bits = _mm512_maskz_loadu_epi32(tail, x + i);
        _mm256_mask_storeu_epi16(out + i, tail, _mm512_cvtepi32_epi16(cv_bf16_round_lanes16(bits)));
    }
}

CV_AVX512 static void round_to_bf16_avx512(float *x, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i bits = _mm512_loadu_si512((const void *)(x + i));
        _mm512_storeu_si512((void *)(x + i), _mm512_slli_epi32(cv_bf16_round_lanes16(bits), 16));
    }
    if (i < count) {
        __mmask16 tail = (__mmask16)((1u << (count - i)) - 1u);
        __m512i bits = _mm512_maskz_loadu_epi32(tail, x + i);
        _mm512_mask_storeu_epi32(x + i, tail, _mm512_slli_epi32(cv_bf16_round_lanes16(bits), 16));
    }
}

CV_AVX512 static void bf16_to_f32_avx512(const uint16_t *x, float *out, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m256i half = _mm256_loadu_si256((const __m256i *)(x + i));
        _mm512_storeu_si512((void *)(out + i), _mm512_castps_si512(cv_float16_of_bf16(half)));
    }
    if (i < count) {
        __mmask16 tail = (__mmask16)((1u << (count - i)) - 1u);
        __m256i half = _mm256_maskz_loadu_epi16(tail, x + i);
        _mm512_mask_storeu_epi32(out + i, tail, _mm512_castps_si512(cv_float16_of_bf16(half)));
    }
}
#endif

void cv_f32_to_bf16(const float *x, uint16_t *out, size_t count) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { f32_to_bf16_avx512(x, out, count); return; }
#endif
    f32_to_bf16_generic(x, out, count);
}

void cv_bf16_to_f32(const uint16_t *x, float *out, size_t count) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { bf16_to_f32_avx512(x, out, count); return; }
#endif
    bf16_to_f32_generic(x, out, count);
}

void cv_round_to_bf16(float *x, size_t count) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { round_to_bf16_avx512(x, count); return; }
#endif
    round_to_bf16_generic(x, count);
}
