// Shared by the kernel files: float32 <-> bfloat16 for one value and for 16 lanes, with the one
// rounding rule every kernel uses (nearest, ties to even; NaN kept as a quiet NaN; denormals kept),
// so that the portable and AVX-512 versions of every kernel give the same bits.
#ifndef CV_BF16_INTERNAL_H
#define CV_BF16_INTERNAL_H

#include "cv_isa_internal.h"

#include <stdint.h>
#include <string.h>

/// The bits of a float32.
static inline uint32_t cv_bits_of_float(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/// The float32 with these bits.
static inline float cv_float_of_bits(uint32_t bits) {
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/// The bfloat16 nearest to the float32 with these bits.
static inline uint16_t cv_bf16_of_bits(uint32_t bits) {
    uint32_t rounded = bits + 0x7FFFu + ((bits >> 16) & 1u);
    int is_nan = (bits & 0x7FFFFFFFu) > 0x7F800000u;
    return (uint16_t)((is_nan ? (bits | 0x00400000u) : rounded) >> 16);
}

/// The bfloat16 nearest to `value`.
static inline uint16_t cv_bf16_of_float(float value) { return cv_bf16_of_bits(cv_bits_of_float(value)); }

/// The float32 value of a bfloat16 (exact).
static inline float cv_float_of_bf16(uint16_t bits) { return cv_float_of_bits((uint32_t)bits << 16); }

#if CV_HAVE_X86
/// `cv_bf16_of_bits` in each 32-bit lane; the bfloat16 sits in the low 16 bits of its lane.
CV_AVX512 static inline __m512i cv_bf16_round_lanes16(__m512i bits) {
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
    __m512i rounded = _mm512_add_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(0x7FFF)), lsb);
    __m512i magnitude = _mm512_and_si512(bits, _mm512_set1_epi32(0x7FFFFFFF));
    __mmask16 nan = _mm512_cmpgt_epu32_mask(magnitude, _mm512_set1_epi32(0x7F800000));
    __m512i quiet = _mm512_or_si512(bits, _mm512_set1_epi32(0x00400000));
    return _mm512_srli_epi32(_mm512_mask_blend_epi32(nan, rounded, quiet), 16);
}

/// The 16 bfloat16 values nearest to 16 float32 lanes, packed.
CV_AVX512 static inline __m256i cv_bf16_of_float16(__m512 value) {
    return _mm512_cvtepi32_epi16(cv_bf16_round_lanes16(_mm512_castps_si512(value)));
}

/// The float32 values of 16 packed bfloat16 (exact).
CV_AVX512 static inline __m512 cv_float16_of_bf16(__m256i bits) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(bits), 16));
}

/// The mask of the first `count` of 16 lanes (all 16 when `count` >= 16).
CV_AVX512 static inline __mmask16 cv_lanes16(size_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}
#endif

#endif
