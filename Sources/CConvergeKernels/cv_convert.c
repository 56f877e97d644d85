#include "cv_convert.h"
#include "cv_isa_internal.h"

#include <string.h>

static inline uint16_t bf16_bits(uint32_t bits) {
    uint32_t rounded = bits + 0x7FFFu + ((bits >> 16) & 1u);
    int is_nan = (bits & 0x7FFFFFFFu) > 0x7F800000u;
    return (uint16_t)((is_nan ? (bits | 0x00400000u) : rounded) >> 16);
}

static void f32_to_bf16_generic(const float *x, uint16_t *out, size_t count) {
    const uint32_t *bits = (const uint32_t *)x;
    for (size_t i = 0; i < count; i++) out[i] = bf16_bits(bits[i]);
}

static void round_to_bf16_generic(float *x, size_t count) {
    uint32_t *bits = (uint32_t *)x;
    for (size_t i = 0; i < count; i++) bits[i] = (uint32_t)bf16_bits(bits[i]) << 16;
}

static void bf16_to_f32_generic(const uint16_t *x, float *out, size_t count) {
    uint32_t *bits = (uint32_t *)out;
    for (size_t i = 0; i < count; i++) bits[i] = (uint32_t)x[i] << 16;
}

#if CV_HAVE_X86
// The same rounding as bf16_bits, 16 lanes at a time: bit-identical to the portable version.
CV_AVX512 static inline __m512i round_bits16(__m512i bits) {
    const __m512i bias = _mm512_set1_epi32(0x7FFF);
    const __m512i one = _mm512_set1_epi32(1);
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(bits, 16), one);
    __m512i rounded = _mm512_add_epi32(_mm512_add_epi32(bits, bias), lsb);
    __m512i magnitude = _mm512_and_si512(bits, _mm512_set1_epi32(0x7FFFFFFF));
    __mmask16 nan = _mm512_cmpgt_epu32_mask(magnitude, _mm512_set1_epi32(0x7F800000));
    __m512i quiet = _mm512_or_si512(bits, _mm512_set1_epi32(0x00400000));
    return _mm512_srli_epi32(_mm512_mask_blend_epi32(nan, rounded, quiet), 16);
}

CV_AVX512 static void f32_to_bf16_avx512(const float *x, uint16_t *out, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i bits = _mm512_loadu_si512((const void *)(x + i));
        _mm256_storeu_si256((__m256i *)(out + i), _mm512_cvtepi32_epi16(round_bits16(bits)));
    }
    if (i < count) {
        __mmask16 tail = (__mmask16)((1u << (count - i)) - 1u);
        __m512i bits = _mm512_maskz_loadu_epi32(tail, x + i);
        _mm256_mask_storeu_epi16(out + i, tail, _mm512_cvtepi32_epi16(round_bits16(bits)));
    }
}

CV_AVX512 static void round_to_bf16_avx512(float *x, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i bits = _mm512_loadu_si512((const void *)(x + i));
        _mm512_storeu_si512((void *)(x + i), _mm512_slli_epi32(round_bits16(bits), 16));
    }
    if (i < count) {
        __mmask16 tail = (__mmask16)((1u << (count - i)) - 1u);
        __m512i bits = _mm512_maskz_loadu_epi32(tail, x + i);
        _mm512_mask_storeu_epi32(x + i, tail, _mm512_slli_epi32(round_bits16(bits), 16));
    }
}

CV_AVX512 static void bf16_to_f32_avx512(const uint16_t *x, float *out, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m256i half = _mm256_loadu_si256((const __m256i *)(x + i));
        _mm512_storeu_si512((void *)(out + i), _mm512_slli_epi32(_mm512_cvtepu16_epi32(half), 16));
    }
    if (i < count) {
        __mmask16 tail = (__mmask16)((1u << (count - i)) - 1u);
        __m256i half = _mm256_maskz_loadu_epi16(tail, x + i);
        _mm512_mask_storeu_epi32(out + i, tail, _mm512_slli_epi32(_mm512_cvtepu16_epi32(half), 16));
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
