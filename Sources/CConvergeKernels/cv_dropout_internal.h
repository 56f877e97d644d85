// The dropout stream's hash, shared by the kernels that draw dropout masks (cv_dropout.c, and
// cv_batchnorm.c, which draws them inside its normalizing pass). See cv_dropout.h.
#ifndef CV_DROPOUT_INTERNAL_H
#define CV_DROPOUT_INTERNAL_H

#include <stdint.h>

#include "cv_isa_internal.h"

#define CV_GOLDEN_GAMMA 0x9E3779B97F4A7C15ull
#define CV_MIX1 0xBF58476D1CE4E5B9ull
#define CV_MIX2 0x94D049BB133111EBull

/// SplitMix64's finalizer.
static inline uint64_t cv_dropout_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * CV_MIX1;
    z = (z ^ (z >> 27)) * CV_MIX2;
    return z ^ (z >> 31);
}

#if CV_HAVE_X86
/// cv_dropout_mix64 in each 64-bit lane.
CV_AVX512 static inline __m512i cv_dropout_mix64_avx512(__m512i z) {
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), _mm512_set1_epi64((long long)CV_MIX1));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), _mm512_set1_epi64((long long)CV_MIX2));
    return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}

/// The counters of the eight pairs from pair `k`: key + (k + 1 + lane)·γ.
CV_AVX512 static inline __m512i cv_dropout_counters_avx512(uint64_t key, uint64_t k) {
    return _mm512_add_epi64(_mm512_set1_epi64((long long)(key + (k + 1) * CV_GOLDEN_GAMMA)),
                            _mm512_mullo_epi64(_mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7),
                                               _mm512_set1_epi64((long long)CV_GOLDEN_GAMMA)));
}

/// Which of the sixteen elements hashed from `counters` are kept (32-bit value ≤ `last`).
CV_AVX512 static inline __mmask16 cv_dropout_keep16_avx512(__m512i counters, __m512i last) {
    return _mm512_cmple_epu32_mask(cv_dropout_mix64_avx512(counters), last);
}
#endif

#endif
