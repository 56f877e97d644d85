// BatchNorm + ReLU + Dropout over (N, C) matrices: the moments, the normalizing pass and the two
// backward passes, portable C and AVX-512 with the same bits (the same operations in the same
// order, no fused multiply-adds; statistics in double precision).
#include "cv_batchnorm.h"
#include "cv_dropout.h"
#include "cv_bf16_internal.h"
#include "cv_dropout_internal.h"

#include <string.h>

#pragma STDC FP_CONTRACT OFF

/// Channels per block of the per-channel accumulators (kept on the stack, in L1).
#define CV_BN_BLOCK 256
/// Columns of dropout factors drawn at a time in the forward pass.
#define CV_BN_FACTORS 1024
/// Inlined into each specialization, so that the storage formats are constants there.
#define CV_BN_INLINE inline __attribute__((always_inline))



static inline float load1(const void *p, cv_bn_format f, size_t i) {
    if (f == CV_BN_BFLOAT16) return cv_float_of_bits((uint32_t)((const uint16_t *)p)[i] << 16);
    return ((const float *)p)[i];
}

static inline void store1(void *p, cv_bn_format f, size_t i, float v) {
    if (f == CV_BN_BFLOAT16) ((uint16_t *)p)[i] = cv_bf16_of_bits(cv_bits_of_float(v));
    else ((float *)p)[i] = v;
}

/// Whether the forward output at i is not zero (the gradient passes ReLU and dropout there).
static inline int passes(const void *y, cv_bn_format f, size_t i) {
    if (f == CV_BN_BFLOAT16) return (((const uint16_t *)y)[i] & 0x7FFFu) != 0;
    return ((const float *)y)[i] != 0.0f;
}

static inline float relu1(float v) { return 0.0f >= v ? 0.0f : v; }   // Swift.max(v, 0): NaN stays NaN
static inline double clamp0(double v) { return 0.0 >= v ? 0.0 : v; }

// MARK: moments

/// The rows from `r` to `n` left over after the blocked sums, then each channel's mean and biased
/// variance from the shifted sums (`k` the shift, `s` and `q` the sums, `m` the row count).
static inline void moments_finish(const void *x, cv_bn_format f, size_t c, size_t b0, size_t w, size_t r, size_t n,
                                  const double *k, double *s, double *q, double m, double *mean, double *variance) {
    for (; r < n; r++) {
        for (size_t j = 0; j < w; j++) {
            double d = (double)load1(x, f, r * c + b0 + j) - k[j];
            s[j] += d; q[j] += d * d;
        }
    }
    for (size_t j = 0; j < w; j++) {
        double centered = s[j] / m;
        mean[b0 + j] = k[j] + centered;
        variance[b0 + j] = clamp0(q[j] / m - centered * centered);
    }
}

static void moments_generic(const void *x, cv_bn_format f, size_t n, size_t c, size_t c0, size_t c1,
                            double *mean, double *variance) {
    double k[CV_BN_BLOCK], s[CV_BN_BLOCK], q[CV_BN_BLOCK];
    const double m = (double)n;
    for (size_t b0 = c0; b0 < c1; b0 += CV_BN_BLOCK) {
        size_t w = c1 - b0 < CV_BN_BLOCK ? c1 - b0 : CV_BN_BLOCK;
        for (size_t j = 0; j < w; j++) { k[j] = (double)load1(x, f, b0 + j); s[j] = 0; q[j] = 0; }
        size_t r = 0;
        for (; r + 4 <= n; r += 4) {
            size_t o0 = r * c + b0, o1 = o0 + c, o2 = o1 + c, o3 = o2 + c;
            for (size_t j = 0; j < w; j++) {
                double d0 = (double)load1(x, f, o0 + j) - k[j], d1 = (double)load1(x, f, o1 + j) - k[j];
                double d2 = (double)load1(x, f, o2 + j) - k[j], d3 = (double)load1(x, f, o3 + j) - k[j];
                s[j] += (d0 + d1) + (d2 + d3);
                q[j] += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3);
            }
        }
        moments_finish(x, f, c, b0, w, r, n, k, s, q, m, mean, variance);
    }
}

// MARK: forward

static void forward_generic(const void *x, void *y, cv_bn_format f, size_t c, size_t r0, size_t r1,
                            const float *alpha, const float *beta, int relu, int dropping,
                            uint64_t key, uint64_t threshold, float scale) {
    float factors[CV_BN_FACTORS];
    for (size_t row = r0; row < r1; row++) {
        size_t offset = row * c;
        for (size_t col0 = 0; col0 < c; col0 += CV_BN_FACTORS) {
            size_t w = c - col0 < CV_BN_FACTORS ? c - col0 : CV_BN_FACTORS;
            if (dropping) cv_dropout_mask_f32(factors, w, key, offset + col0, threshold, scale);
            for (size_t j = 0; j < w; j++) {
                size_t i = offset + col0 + j;
                float v = load1(x, f, i) * alpha[col0 + j];
                v = v + beta[col0 + j];
                if (f == CV_BN_BFLOAT16) v = cv_float_of_bits((uint32_t)cv_bf16_of_bits(cv_bits_of_float(v)) << 16);
                if (relu) v = relu1(v);
                store1(y, f, i, v * (dropping ? factors[j] : scale));
            }
        }
    }
}

// MARK: backward

static void gradient_sums_generic(const void *g, cv_bn_format gf, const void *x, cv_bn_format xf,
                                  const void *y, cv_bn_format yf, size_t n, size_t c, size_t c0, size_t c1,
                                  const float *mean, float scale, double *sums, double *dots) {
    for (size_t j = c0; j < c1; j++) { sums[j] = 0; dots[j] = 0; }
#define GP(i) (y ? load1(g, gf, (i)) * (passes(y, yf, (i)) ? scale : 0.0f) : load1(g, gf, (i)))
    size_t r = 0;
    for (; r + 4 <= n; r += 4) {
        size_t o0 = r * c, o1 = o0 + c, o2 = o1 + c, o3 = o2 + c;
        for (size_t j = c0; j < c1; j++) {
            float mu = mean[j];
            float a0 = GP(o0 + j), a1 = GP(o1 + j), a2 = GP(o2 + j), a3 = GP(o3 + j);
            float e0 = load1(x, xf, o0 + j) - mu, e1 = load1(x, xf, o1 + j) - mu;
            float e2 = load1(x, xf, o2 + j) - mu, e3 = load1(x, xf, o3 + j) - mu;
            sums[j] += (double)((a0 + a1) + (a2 + a3));
            dots[j] += (double)((a0 * e0 + a1 * e1) + (a2 * e2 + a3 * e3));
        }
    }
    for (; r < n; r++) {
        size_t o = r * c;
        for (size_t j = c0; j < c1; j++) {
            double a = (double)GP(o + j);
            sums[j] += a;
            dots[j] += a * ((double)load1(x, xf, o + j) - (double)mean[j]);
        }
    }
#undef GP
}

static void input_gradient_generic(const void *g, cv_bn_format gf, const void *x, cv_bn_format xf,
                                   const void *y, cv_bn_format yf, void *dx, cv_bn_format df,
                                   size_t c, size_t r0, size_t r1, const float *mean, const float *shift,
                                   const float *slope, const float *gain, float scale) {
    for (size_t row = r0; row < r1; row++) {
        size_t o = row * c;
        for (size_t j = 0; j < c; j++) {
            float gv = load1(g, gf, o + j);
            float a = y ? gv * (passes(y, yf, o + j) ? scale : 0.0f) : gv;
            float v = ((a - shift[j]) - (load1(x, xf, o + j) - mean[j]) * slope[j]) * gain[j];
            store1(dx, df, o + j, v);
        }
    }
}

#if CV_HAVE_X86
// MARK: AVX-512

CV_AVX512 static CV_BN_INLINE __m512 load16(const void *p, cv_bn_format f, size_t i, __mmask16 m) {
    if (f == CV_BN_BFLOAT16) {
        __m256i h = _mm256_maskz_loadu_epi16(m, (const uint16_t *)p + i);
        return cv_float16_of_bf16(h);
    }
    return _mm512_maskz_loadu_ps(m, (const float *)p + i);
}

CV_AVX512 static CV_BN_INLINE void store16(void *p, cv_bn_format f, size_t i, __m512 v, __mmask16 m) {
    if (f == CV_BN_BFLOAT16) {
        // Packed in a register, then stored: a masked narrowing store to memory (vpmovdw m256{k})
        // is several times slower on some processors (AMD Zen 4).
        __m256i packed = _mm512_cvtepi32_epi16(cv_bf16_round_lanes16(_mm512_castps_si512(v)));
        if (m == (__mmask16)0xFFFF) _mm256_storeu_si256((__m256i *)((uint16_t *)p + i), packed);
        else _mm256_mask_storeu_epi16((uint16_t *)p + i, m, packed);
    } else {
        _mm512_mask_storeu_ps((float *)p + i, m, v);
    }
}

/// Lanes where the forward output is not zero (a float NaN counts as not zero).
CV_AVX512 static CV_BN_INLINE __mmask16 passes16(const void *y, cv_bn_format f, size_t i, __mmask16 m) {
    if (f == CV_BN_BFLOAT16) {
        __m256i h = _mm256_maskz_loadu_epi16(m, (const uint16_t *)y + i);
        return _mm256_test_epi16_mask(h, _mm256_set1_epi16(0x7FFF));
    }
    return _mm512_mask_cmp_ps_mask(m, _mm512_maskz_loadu_ps(m, (const float *)y + i), _mm512_setzero_ps(), _CMP_NEQ_UQ);
}

/// Swift.max(v, 0) lane-wise: 0 where 0 >= v, else v (NaN stays NaN).
CV_AVX512 static CV_BN_INLINE __m512 relu16(__m512 v) {
    return _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LE_OQ), _mm512_setzero_ps());
}

/// Eight values of a row as doubles (f32 or bf16), masked.
CV_AVX512 static CV_BN_INLINE __m512d load8d(const void *p, cv_bn_format f, size_t i, __mmask8 m) {
    if (f == CV_BN_BFLOAT16) {
        __m128i h = _mm_maskz_loadu_epi16(m, (const uint16_t *)p + i);
        return _mm512_cvtps_pd(_mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)));
    }
    return _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, (const float *)p + i));
}

CV_AVX512 static void moments_avx512(const void *x, cv_bn_format f, size_t n, size_t c, size_t c0, size_t c1,
                                     double *mean, double *variance) {
    double k[CV_BN_BLOCK], s[CV_BN_BLOCK], q[CV_BN_BLOCK];
    const double m = (double)n;
    for (size_t b0 = c0; b0 < c1; b0 += CV_BN_BLOCK) {
        size_t w = c1 - b0 < CV_BN_BLOCK ? c1 - b0 : CV_BN_BLOCK;
        for (size_t j = 0; j < w; j++) { k[j] = (double)load1(x, f, b0 + j); s[j] = 0; q[j] = 0; }
        size_t r = 0;
        for (; r + 4 <= n; r += 4) {
            size_t o0 = r * c + b0, o1 = o0 + c, o2 = o1 + c, o3 = o2 + c;
            for (size_t j = 0; j < w; j += 8) {
                __mmask8 mk = w - j >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (w - j)) - 1u);
                __m512d kv = _mm512_maskz_loadu_pd(mk, k + j);
                __m512d d0 = _mm512_sub_pd(load8d(x, f, o0 + j, mk), kv), d1 = _mm512_sub_pd(load8d(x, f, o1 + j, mk), kv);
                __m512d d2 = _mm512_sub_pd(load8d(x, f, o2 + j, mk), kv), d3 = _mm512_sub_pd(load8d(x, f, o3 + j, mk), kv);
                __m512d sv = _mm512_add_pd(_mm512_add_pd(d0, d1), _mm512_add_pd(d2, d3));
                __m512d qv = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(d0, d0), _mm512_mul_pd(d1, d1)),
                                           _mm512_add_pd(_mm512_mul_pd(d2, d2), _mm512_mul_pd(d3, d3)));
                _mm512_mask_storeu_pd(s + j, mk, _mm512_add_pd(_mm512_maskz_loadu_pd(mk, s + j), sv));
                _mm512_mask_storeu_pd(q + j, mk, _mm512_add_pd(_mm512_maskz_loadu_pd(mk, q + j), qv));
            }
        }
        moments_finish(x, f, c, b0, w, r, n, k, s, q, m, mean, variance);
    }
}

CV_AVX512 static CV_BN_INLINE void forward_avx512(const void *x, void *y, cv_bn_format f, size_t c, size_t r0, size_t r1,
                                                  const float *alpha, const float *beta, int relu, int dropping,
                                                  uint64_t key, uint64_t threshold, float scale) {
    float factors[CV_BN_FACTORS];
    const __m512 s = _mm512_set1_ps(scale);
    const __m512i last = _mm512_set1_epi32((int)(threshold > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)(threshold - 1)));
    const __m512i step = _mm512_set1_epi64((long long)(8 * CV_GOLDEN_GAMMA));
    for (size_t row = r0; row < r1; row++) {
        size_t offset = row * c;
        if (dropping && threshold > 0 && offset % 2 == 0) {
            // The row's mask drawn in registers: sixteen elements per step from an even index.
            __m512i z = cv_dropout_counters_avx512(key, offset >> 1);
            for (size_t j = 0; j < c; j += 16) {
                __mmask16 m = cv_lanes16(c - j);
                __m512 v = _mm512_mul_ps(load16(x, f, offset + j, m), _mm512_maskz_loadu_ps(m, alpha + j));
                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, beta + j));
                if (f == CV_BN_BFLOAT16) v = _mm512_castsi512_ps(_mm512_slli_epi32(cv_bf16_round_lanes16(_mm512_castps_si512(v)), 16));
                if (relu) v = relu16(v);
                v = _mm512_mul_ps(v, _mm512_maskz_mov_ps(cv_dropout_keep16_avx512(z, last), s));
                store16(y, f, offset + j, v, m);
                z = _mm512_add_epi64(z, step);
            }
            continue;
        }
        for (size_t col0 = 0; col0 < c; col0 += CV_BN_FACTORS) {
            size_t w = c - col0 < CV_BN_FACTORS ? c - col0 : CV_BN_FACTORS;
            if (dropping) cv_dropout_mask_f32(factors, w, key, offset + col0, threshold, scale);
            for (size_t j = 0; j < w; j += 16) {
                __mmask16 m = cv_lanes16(w - j);
                size_t i = offset + col0 + j;
                __m512 v = _mm512_mul_ps(load16(x, f, i, m), _mm512_maskz_loadu_ps(m, alpha + col0 + j));
                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, beta + col0 + j));
                if (f == CV_BN_BFLOAT16) v = _mm512_castsi512_ps(_mm512_slli_epi32(cv_bf16_round_lanes16(_mm512_castps_si512(v)), 16));
                if (relu) v = relu16(v);
                v = _mm512_mul_ps(v, dropping ? _mm512_maskz_loadu_ps(m, factors + j) : s);
                store16(y, f, i, v, m);
            }
        }
    }
}

CV_AVX512 static void forward_avx512_f32(const void *x, void *y, size_t c, size_t r0, size_t r1, const float *alpha,
                                         const float *beta, int relu, int dropping, uint64_t key, uint64_t threshold,
                                         float scale) {
    forward_avx512(x, y, CV_BN_FLOAT32, c, r0, r1, alpha, beta, relu, dropping, key, threshold, scale);
}

CV_AVX512 static void forward_avx512_bf16(const void *x, void *y, size_t c, size_t r0, size_t r1, const float *alpha,
                                          const float *beta, int relu, int dropping, uint64_t key, uint64_t threshold,
                                          float scale) {
    forward_avx512(x, y, CV_BN_BFLOAT16, c, r0, r1, alpha, beta, relu, dropping, key, threshold, scale);
}

/// g' for 16 lanes: g·(scale where y passes, else 0), or g without y.
CV_AVX512 static CV_BN_INLINE __m512 masked16(const void *g, cv_bn_format gf, const void *y, cv_bn_format yf,
                                        size_t i, __mmask16 m, __m512 s) {
    __m512 gv = load16(g, gf, i, m);
    if (!y) return gv;
    return _mm512_mul_ps(gv, _mm512_maskz_mov_ps(passes16(y, yf, i, m), s));
}

CV_AVX512 static CV_BN_INLINE void gradient_sums_avx512(const void *g, cv_bn_format gf, const void *x, cv_bn_format xf,
                                           const void *y, cv_bn_format yf, size_t n, size_t c, size_t c0, size_t c1,
                                           const float *mean, float scale, double *sums, double *dots) {
    const __m512 s = _mm512_set1_ps(scale);
    for (size_t j = c0; j < c1; j++) { sums[j] = 0; dots[j] = 0; }
    size_t r = 0;
    for (; r + 4 <= n; r += 4) {
        size_t o0 = r * c, o1 = o0 + c, o2 = o1 + c, o3 = o2 + c;
        for (size_t j = c0; j < c1; j += 16) {
            __mmask16 m = cv_lanes16(c1 - j);
            __m512 mu = _mm512_maskz_loadu_ps(m, mean + j);
            __m512 a0 = masked16(g, gf, y, yf, o0 + j, m, s), a1 = masked16(g, gf, y, yf, o1 + j, m, s);
            __m512 a2 = masked16(g, gf, y, yf, o2 + j, m, s), a3 = masked16(g, gf, y, yf, o3 + j, m, s);
            __m512 e0 = _mm512_sub_ps(load16(x, xf, o0 + j, m), mu), e1 = _mm512_sub_ps(load16(x, xf, o1 + j, m), mu);
            __m512 e2 = _mm512_sub_ps(load16(x, xf, o2 + j, m), mu), e3 = _mm512_sub_ps(load16(x, xf, o3 + j, m), mu);
            __m512 sv = _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3));
            __m512 dv = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(a0, e0), _mm512_mul_ps(a1, e1)),
                                      _mm512_add_ps(_mm512_mul_ps(a2, e2), _mm512_mul_ps(a3, e3)));
            __mmask8 lo = (__mmask8)(m & 0xFF), hi = (__mmask8)(m >> 8);
            _mm512_mask_storeu_pd(sums + j, lo, _mm512_add_pd(_mm512_maskz_loadu_pd(lo, sums + j),
                                                             _mm512_cvtps_pd(_mm512_castps512_ps256(sv))));
            _mm512_mask_storeu_pd(dots + j, lo, _mm512_add_pd(_mm512_maskz_loadu_pd(lo, dots + j),
                                                             _mm512_cvtps_pd(_mm512_castps512_ps256(dv))));
            if (hi) {
                __m256 sh = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(sv), 1));
                __m256 dh = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(dv), 1));
                _mm512_mask_storeu_pd(sums + j + 8, hi, _mm512_add_pd(_mm512_maskz_loadu_pd(hi, sums + j + 8), _mm512_cvtps_pd(sh)));
                _mm512_mask_storeu_pd(dots + j + 8, hi, _mm512_add_pd(_mm512_maskz_loadu_pd(hi, dots + j + 8), _mm512_cvtps_pd(dh)));
            }
        }
    }
    for (; r < n; r++) {
        size_t o = r * c;
        for (size_t j = c0; j < c1; j++) {
            float gv = load1(g, gf, o + j);
            double a = (double)(y ? gv * (passes(y, yf, o + j) ? scale : 0.0f) : gv);
            sums[j] += a;
            dots[j] += a * ((double)load1(x, xf, o + j) - (double)mean[j]);
        }
    }
}

CV_AVX512 static CV_BN_INLINE void input_gradient_avx512(const void *g, cv_bn_format gf, const void *x, cv_bn_format xf,
                                            const void *y, cv_bn_format yf, void *dx, cv_bn_format df,
                                            size_t c, size_t r0, size_t r1, const float *mean, const float *shift,
                                            const float *slope, const float *gain, float scale) {
    const __m512 s = _mm512_set1_ps(scale);
    for (size_t row = r0; row < r1; row++) {
        size_t o = row * c;
        for (size_t j = 0; j < c; j += 16) {
            __mmask16 m = cv_lanes16(c - j);
            __m512 a = masked16(g, gf, y, yf, o + j, m, s);
            __m512 e = _mm512_sub_ps(load16(x, xf, o + j, m), _mm512_maskz_loadu_ps(m, mean + j));
            __m512 v = _mm512_sub_ps(_mm512_sub_ps(a, _mm512_maskz_loadu_ps(m, shift + j)),
                                     _mm512_mul_ps(e, _mm512_maskz_loadu_ps(m, slope + j)));
            store16(dx, df, o + j, _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, gain + j)), m);
        }
    }
}
/// The gradient passes of the float32 path and of the bfloat16 path (activations in bfloat16, the
/// gradient in bfloat16 or float32) with the formats constant; other mixes take the general versions.
CV_AVX512 static void gradient_sums_avx512_same(const void *g, int g_float32, const void *x, const void *y, cv_bn_format f, size_t n,
                                                size_t c, size_t c0, size_t c1, const float *mean, float scale,
                                                double *sums, double *dots) {
    if (f == CV_BN_BFLOAT16 && g_float32)
        gradient_sums_avx512(g, CV_BN_FLOAT32, x, CV_BN_BFLOAT16, y, CV_BN_BFLOAT16, n, c, c0, c1, mean, scale, sums, dots);
    else if (f == CV_BN_BFLOAT16)
        gradient_sums_avx512(g, CV_BN_BFLOAT16, x, CV_BN_BFLOAT16, y, CV_BN_BFLOAT16, n, c, c0, c1, mean, scale, sums, dots);
    else gradient_sums_avx512(g, CV_BN_FLOAT32, x, CV_BN_FLOAT32, y, CV_BN_FLOAT32, n, c, c0, c1, mean, scale, sums, dots);
}

CV_AVX512 static void gradient_sums_avx512_mixed(const void *g, cv_bn_format gf, const void *x, cv_bn_format xf,
                                                 const void *y, cv_bn_format yf, size_t n, size_t c, size_t c0, size_t c1,
                                                 const float *mean, float scale, double *sums, double *dots) {
    gradient_sums_avx512(g, gf, x, xf, y, yf, n, c, c0, c1, mean, scale, sums, dots);
}

CV_AVX512 static void input_gradient_avx512_same(const void *g, int g_float32, const void *x, const void *y, void *dx, cv_bn_format f,
                                                 size_t c, size_t r0, size_t r1, const float *mean, const float *shift,
                                                 const float *slope, const float *gain, float scale) {
    if (f == CV_BN_BFLOAT16 && g_float32)
        input_gradient_avx512(g, CV_BN_FLOAT32, x, CV_BN_BFLOAT16, y, CV_BN_BFLOAT16, dx, CV_BN_BFLOAT16, c, r0, r1, mean,
                              shift, slope, gain, scale);
    else if (f == CV_BN_BFLOAT16)
        input_gradient_avx512(g, CV_BN_BFLOAT16, x, CV_BN_BFLOAT16, y, CV_BN_BFLOAT16, dx, CV_BN_BFLOAT16, c, r0, r1, mean,
                              shift, slope, gain, scale);
    else
        input_gradient_avx512(g, CV_BN_FLOAT32, x, CV_BN_FLOAT32, y, CV_BN_FLOAT32, dx, CV_BN_FLOAT32, c, r0, r1, mean,
                              shift, slope, gain, scale);
}

CV_AVX512 static void input_gradient_avx512_mixed(const void *g, cv_bn_format gf, const void *x, cv_bn_format xf,
                                                  const void *y, cv_bn_format yf, void *dx, cv_bn_format df,
                                                  size_t c, size_t r0, size_t r1, const float *mean, const float *shift,
                                                  const float *slope, const float *gain, float scale) {
    input_gradient_avx512(g, gf, x, xf, y, yf, dx, df, c, r0, r1, mean, shift, slope, gain, scale);
}
#endif

// MARK: entry points

void cv_bn_moments(const void *x, cv_bn_format format, size_t n, size_t c, size_t c0, size_t c1,
                   double *mean, double *variance) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { moments_avx512(x, format, n, c, c0, c1, mean, variance); return; }
#endif
    moments_generic(x, format, n, c, c0, c1, mean, variance);
}

void cv_bn_relu_dropout_forward(const void *x, void *y, cv_bn_format format, size_t c, size_t r0, size_t r1,
                                const float *alpha, const float *beta, int relu, int dropping,
                                uint64_t key, uint64_t threshold, float scale) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) {
        if (format == CV_BN_BFLOAT16) forward_avx512_bf16(x, y, c, r0, r1, alpha, beta, relu, dropping, key, threshold, scale);
        else forward_avx512_f32(x, y, c, r0, r1, alpha, beta, relu, dropping, key, threshold, scale);
        return;
    }
#endif
    forward_generic(x, y, format, c, r0, r1, alpha, beta, relu, dropping, key, threshold, scale);
}

void cv_bn_relu_dropout_gradient_sums(const void *g, cv_bn_format g_format, const void *x, cv_bn_format x_format,
                                      const void *y, cv_bn_format y_format, size_t n, size_t c, size_t c0, size_t c1,
                                      const float *mean, float scale, double *sums, double *dots) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) {
        if (y && x_format == y_format && (g_format == x_format || g_format == CV_BN_FLOAT32))
            gradient_sums_avx512_same(g, g_format == CV_BN_FLOAT32, x, y, x_format, n, c, c0, c1, mean, scale, sums, dots);
        else
            gradient_sums_avx512_mixed(g, g_format, x, x_format, y, y_format, n, c, c0, c1, mean, scale, sums, dots);
        return;
    }
#endif
    gradient_sums_generic(g, g_format, x, x_format, y, y_format, n, c, c0, c1, mean, scale, sums, dots);
}

void cv_bn_relu_dropout_input_gradient(const void *g, cv_bn_format g_format, const void *x, cv_bn_format x_format,
                                       const void *y, cv_bn_format y_format, void *dx, cv_bn_format dx_format,
                                       size_t c, size_t r0, size_t r1, const float *mean, const float *shift,
                                       const float *slope, const float *gain, float scale) {
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) {
        if (y && x_format == y_format && y_format == dx_format && (g_format == x_format || g_format == CV_BN_FLOAT32))
            input_gradient_avx512_same(g, g_format == CV_BN_FLOAT32, x, y, dx, x_format, c, r0, r1, mean, shift, slope,
                                       gain, scale);
        else
            input_gradient_avx512_mixed(g, g_format, x, x_format, y, y_format, dx, dx_format, c, r0, r1, mean, shift,
                                        slope, gain, scale);
        return;
    }
#endif
    input_gradient_generic(g, g_format, x, x_format, y, y_format, dx, dx_format, c, r0, r1, mean, shift, slope,
                           gain, scale);
}
