#include "cv_layernorm.h"
#include "cv_vmath_internal.h"

static void layernorm_forward_generic(const float *x, float *y, const float *w, const float *b, float *mean, float *rstd,
                            size_t rows, size_t d, float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * d;
        float *yr = y + r * d;
        float s = 0;
        for (size_t k = 0; k < d; k++) s += xr[k];
        float m = s / (float)d;
        float v = 0;
        for (size_t k = 0; k < d; k++) { float c = xr[k] - m; v += c * c; }
        float inv = 1.0f / sqrtf(v / (float)d + eps);
        mean[r] = m;
        rstd[r] = inv;
        for (size_t k = 0; k < d; k++) {
            float h = (xr[k] - m) * inv;
            if (w) h = h * w[k];
            if (b) h = h + b[k];
            yr[k] = h;
        }
    }
}

static void layernorm_backward_generic(const float *g, const float *x, const float *mean, const float *rstd, const float *w,
                             float *gx, float *gw, float *gb, size_t rows, size_t d) {
    for (size_t r = 0; r < rows; r++) {
        const float *gr = g + r * d, *xr = x + r * d;
        float m = mean[r], inv = rstd[r];
        if (gw) for (size_t k = 0; k < d; k++) gw[k] += gr[k] * ((xr[k] - m) * inv);
        if (gb) for (size_t k = 0; k < d; k++) gb[k] += gr[k];
        if (!gx) continue;
        float a = 0, bsum = 0;
        for (size_t k = 0; k < d; k++) {
            float gh = w ? gr[k] * w[k] : gr[k];
            a += gh;
            bsum += gh * ((xr[k] - m) * inv);
        }
        float meanG = a / (float)d, meanGX = bsum / (float)d;
        float *dst = gx + r * d;
        for (size_t k = 0; k < d; k++) {
            float gh = w ? gr[k] * w[k] : gr[k];
            dst[k] = inv * (gh - meanG - (xr[k] - m) * inv * meanGX);
        }
    }
}

#if CV_HAVE_X86
#define CV_LOAD(p, j, mask) _mm512_maskz_loadu_ps(mask, (p) + (j))

CV_AVX512 static void layernorm_forward_avx512(const float *x, float *y, const float *w, const float *b, float *mean, float *rstd,
                                     size_t rows, size_t d, float eps) {
    size_t full = d & ~(size_t)15;
    __mmask16 tail = cv_lanes16(d - full);
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * d;
        float *yr = y + r * d;
        __m512 sv = _mm512_setzero_ps();
        for (size_t k = 0; k < full; k += 16) sv = _mm512_add_ps(sv, _mm512_loadu_ps(xr + k));
        if (tail) sv = _mm512_add_ps(sv, CV_LOAD(xr, full, tail));
        float m = _mm512_reduce_add_ps(sv) / (float)d;
        __m512 vm = _mm512_set1_ps(m);
        __m512 vv = _mm512_setzero_ps();
        for (size_t k = 0; k < full; k += 16) {
            __m512 c = _mm512_sub_ps(_mm512_loadu_ps(xr + k), vm);
            vv = _mm512_fmadd_ps(c, c, vv);
        }
        if (tail) {
            __m512 c = _mm512_maskz_sub_ps(tail, CV_LOAD(xr, full, tail), vm);
            vv = _mm512_fmadd_ps(c, c, vv);
        }
        float inv = 1.0f / sqrtf(_mm512_reduce_add_ps(vv) / (float)d + eps);
        mean[r] = m;
        rstd[r] = inv;
        __m512 vi = _mm512_set1_ps(inv);
        for (size_t k = 0; k < d; k += 16) {
            __mmask16 mk = k < full ? (__mmask16)0xFFFF : tail;
            __m512 h = _mm512_mul_ps(_mm512_sub_ps(CV_LOAD(xr, k, mk), vm), vi);
            if (w) h = _mm512_mul_ps(h, CV_LOAD(w, k, mk));
            if (b) h = _mm512_add_ps(h, CV_LOAD(b, k, mk));
            _mm512_mask_storeu_ps(yr + k, mk, h);
        }
    }
}

CV_AVX512 static void layernorm_backward_avx512(const float *g, const float *x, const float *mean, const float *rstd, const float *w,
                                      float *gx, float *gw, float *gb, size_t rows, size_t d) {
    size_t full = d & ~(size_t)15;
    __mmask16 tail = cv_lanes16(d - full);
    for (size_t r = 0; r < rows; r++) {
        const float *gr = g + r * d, *xr = x + r * d;
        __m512 vm = _mm512_set1_ps(mean[r]), vi = _mm512_set1_ps(rstd[r]);
        __m512 av = _mm512_setzero_ps(), bv = _mm512_setzero_ps();
        for (size_t k = 0; k < d; k += 16) {
            __mmask16 mk = k < full ? (__mmask16)0xFFFF : tail;
            __m512 gk = CV_LOAD(gr, k, mk);
            __m512 xh = _mm512_mul_ps(_mm512_sub_ps(CV_LOAD(xr, k, mk), vm), vi);
            if (gw) _mm512_mask_storeu_ps(gw + k, mk, _mm512_fmadd_ps(gk, xh, CV_LOAD(gw, k, mk)));
            if (gb) _mm512_mask_storeu_ps(gb + k, mk, _mm512_add_ps(gk, CV_LOAD(gb, k, mk)));
            if (gx) {
                __m512 gh = w ? _mm512_mul_ps(gk, CV_LOAD(w, k, mk)) : gk;
                av = _mm512_add_ps(av, gh);
                bv = _mm512_fmadd_ps(gh, xh, bv);
            }
        }
        if (!gx) continue;
        __m512 meanG = _mm512_set1_ps(_mm512_reduce_add_ps(av) / (float)d);
        __m512 meanGX = _mm512_set1_ps(_mm512_reduce_add_ps(bv) / (float)d);
        float *dst = gx + r * d;
        for (size_t k = 0; k < d; k += 16) {
            __mmask16 mk = k < full ? (__mmask16)0xFFFF : tail;
            __m512 gk = CV_LOAD(gr, k, mk);
            __m512 gh = w ? _mm512_mul_ps(gk, CV_LOAD(w, k, mk)) : gk;
            __m512 xh = _mm512_mul_ps(_mm512_sub_ps(CV_LOAD(xr, k, mk), vm), vi);
            __m512 v = _mm512_fnmadd_ps(xh, meanGX, _mm512_sub_ps(gh, meanG));
            _mm512_mask_storeu_ps(dst + k, mk, _mm512_mul_ps(vi, v));
        }
    }
}
#undef CV_LOAD
#endif

void cv_layernorm_forward(const float *x, float *y, const float *w, const float *b, float *mean, float *rstd,
                          size_t rows, size_t d, float eps) {
    if (d == 0) return;
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { layernorm_forward_avx512(x, y, w, b, mean, rstd, rows, d, eps); return; }
#endif
    layernorm_forward_generic(x, y, w, b, mean, rstd, rows, d, eps);
}

void cv_layernorm_backward(const float *g, const float *x, const float *mean, const float *rstd, const float *w,
                           float *gx, float *gw, float *gb, size_t rows, size_t d) {
    if (d == 0) return;
#if CV_HAVE_X86
    if (cv_isa() >= CV_ISA_AVX512) { layernorm_backward_avx512(g, x, mean, rstd, w, gx, gw, gb, rows, d); return; }
#endif
    layernorm_backward_generic(g, x, mean, rstd, w, gx, gw, gb, rows, d);
}
