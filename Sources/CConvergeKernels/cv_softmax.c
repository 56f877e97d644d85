#include "cv_softmax.h"
#include "cv_vmath_internal.h"

static size_t visible_columns(size_t row, size_t columns, int causal) {
    if (!causal) return columns;
    return row + 1 < columns ? row + 1 : columns;
}

static void zero_tail(float *y, size_t from, size_t columns) {
    if (from < columns) memset(y + from, 0, (columns - from) * sizeof(float));
}

static void softmax_row_generic(const float *x, float *y, size_t n, cv_softmax_mode mode, int empty_zero) {
    float m = -INFINITY;
    for (size_t j = 0; j < n; j++) m = x[j] > m ? x[j] : m;
    if (m == -INFINITY) {
        float fill = empty_zero ? 0.0f : NAN;
        for (size_t j = 0; j < n; j++) y[j] = fill;
        return;
    }
    float s = 0;
    if (mode == CV_SOFTMAX) {
        for (size_t j = 0; j < n; j++) { float e = cv_expf_scalar(x[j] - m); y[j] = e; s += e; }
        float r = 1.0f / s;
        for (size_t j = 0; j < n; j++) y[j] *= r;
    } else {
        for (size_t j = 0; j < n; j++) s += cv_expf_scalar(x[j] - m);
        float l = logf(s);
        for (size_t j = 0; j < n; j++) y[j] = (x[j] - m) - l;
    }
}

static void softmax_backward_row_generic(const float *y, const float *g, const float *scale, float *gx, size_t n,
                                         cv_softmax_mode mode) {
    float dot = 0;
    if (mode == CV_SOFTMAX) {
        if (scale) {
            for (size_t j = 0; j < n; j++) { float h = g[j] * scale[j]; gx[j] = h; dot += y[j] * h; }
            for (size_t j = 0; j < n; j++) gx[j] = y[j] * (gx[j] - dot);
        } else {
            for (size_t j = 0; j < n; j++) dot += y[j] * g[j];
            for (size_t j = 0; j < n; j++) gx[j] = y[j] * (g[j] - dot);
        }
    } else {
        for (size_t j = 0; j < n; j++) dot += scale ? g[j] * scale[j] : g[j];
        for (size_t j = 0; j < n; j++) {
            float h = scale ? g[j] * scale[j] : g[j];
            gx[j] = h - cv_expf_scalar(y[j]) * dot;
        }
    }
}

#if CV_HAVE_X86
CV_AVX512 static void softmax_row_avx512(const float *x, float *y, size_t n, cv_softmax_mode mode, int empty_zero) {
    size_t full = n & ~(size_t)15;
    __mmask16 tail = cv_lanes16(n - full);
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    __m512 mv = ninf;
    // max(v, m) returns m when v is NaN: the maximum never becomes NaN, the sum below does.
    for (size_t j = 0; j < full; j += 16) mv = _mm512_max_ps(_mm512_loadu_ps(x + j), mv);
    if (tail) mv = _mm512_max_ps(_mm512_mask_loadu_ps(ninf, tail, x + full), mv);
    float m = _mm512_reduce_max_ps(mv);
    if (m == -INFINITY) {
        float fill = empty_zero ? 0.0f : NAN;
        for (size_t j = 0; j < n; j++) y[j] = fill;
        return;
    }
    __m512 vm = _mm512_set1_ps(m);
    __m512 sv = _mm512_setzero_ps();
    if (mode == CV_SOFTMAX) {
        for (size_t j = 0; j < full; j += 16) {
            __m512 e = cv_exp16(_mm512_sub_ps(_mm512_loadu_ps(x + j), vm));
            _mm512_storeu_ps(y + j, e);
            sv = _mm512_add_ps(sv, e);
        }
        if (tail) {
            __m512 e = cv_exp16(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, tail, x + full), vm));
            _mm512_mask_storeu_ps(y + full, tail, e);
            sv = _mm512_add_ps(sv, e);
        }
        __m512 r = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sv));
        for (size_t j = 0; j < full; j += 16) _mm512_storeu_ps(y + j, _mm512_mul_ps(_mm512_loadu_ps(y + j), r));
        if (tail) _mm512_mask_storeu_ps(y + full, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, y + full), r));
    } else {
        for (size_t j = 0; j < full; j += 16) sv = _mm512_add_ps(sv, cv_exp16(_mm512_sub_ps(_mm512_loadu_ps(x + j), vm)));
        if (tail) sv = _mm512_add_ps(sv, cv_exp16(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, tail, x + full), vm)));
        __m512 l = _mm512_set1_ps(logf(_mm512_reduce_add_ps(sv)));
        for (size_t j = 0; j < full; j += 16)
            _mm512_storeu_ps(y + j, _mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(x + j), vm), l));
        if (tail)
            _mm512_mask_storeu_ps(y + full, tail, _mm512_sub_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + full), vm), l));
    }
}

CV_AVX512 static void softmax_backward_row_avx512(const float *y, const float *g, const float *scale, float *gx, size_t n,
                                                  cv_softmax_mode mode) {
    size_t full = n & ~(size_t)15;
    __mmask16 tail = cv_lanes16(n - full);
    __m512 dv = _mm512_setzero_ps();
#define CV_GHAT(j, mask) (scale ? _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, g + (j)), _mm512_maskz_loadu_ps(mask, scale + (j))) \
                                : _mm512_maskz_loadu_ps(mask, g + (j)))
    if (mode == CV_SOFTMAX) {
        for (size_t j = 0; j < full; j += 16) dv = _mm512_fmadd_ps(_mm512_loadu_ps(y + j), CV_GHAT(j, 0xFFFF), dv);
        if (tail) dv = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, y + full), CV_GHAT(full, tail), dv);
        __m512 dot = _mm512_set1_ps(_mm512_reduce_add_ps(dv));
        for (size_t j = 0; j < full; j += 16)
            _mm512_storeu_ps(gx + j, _mm512_mul_ps(_mm512_loadu_ps(y + j), _mm512_sub_ps(CV_GHAT(j, 0xFFFF), dot)));
        if (tail)
            _mm512_mask_storeu_ps(gx + full, tail,
                                  _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, y + full), _mm512_sub_ps(CV_GHAT(full, tail), dot)));
    } else {
        for (size_t j = 0; j < full; j += 16) dv = _mm512_add_ps(dv, CV_GHAT(j, 0xFFFF));
        if (tail) dv = _mm512_add_ps(dv, CV_GHAT(full, tail));
        __m512 total = _mm512_set1_ps(_mm512_reduce_add_ps(dv));
        for (size_t j = 0; j < full; j += 16)
            _mm512_storeu_ps(gx + j, _mm512_fnmadd_ps(cv_exp16(_mm512_loadu_ps(y + j)), total, CV_GHAT(j, 0xFFFF)));
        if (tail)
            _mm512_mask_storeu_ps(gx + full, tail,
                                  _mm512_fnmadd_ps(cv_exp16(_mm512_maskz_loadu_ps(tail, y + full)), total, CV_GHAT(full, tail)));
    }
#undef CV_GHAT
}
#endif

void cv_softmax_forward(const float *x, float *y, size_t rows, size_t columns, cv_softmax_mode mode,
                        int causal, size_t first_row, int empty_rows_zero) {
#if CV_HAVE_X86
    int vector = cv_isa() >= CV_ISA_AVX512;
#endif
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * columns;
        float *yr = y + r * columns;
        size_t n = visible_columns(first_row + r, columns, causal);
#if CV_HAVE_X86
        if (vector) softmax_row_avx512(xr, yr, n, mode, empty_rows_zero); else
#endif
        softmax_row_generic(xr, yr, n, mode, empty_rows_zero);
        zero_tail(yr, n, columns);
    }
}

void cv_softmax_backward(const float *y, const float *g, const float *g_scale, float *gx, size_t rows,
                         size_t columns, cv_softmax_mode mode, int causal, size_t first_row) {
#if CV_HAVE_X86
    int vector = cv_isa() >= CV_ISA_AVX512;
#endif
    for (size_t r = 0; r < rows; r++) {
        size_t o = r * columns;
        size_t n = visible_columns(first_row + r, columns, causal);
        const float *sr = g_scale ? g_scale + o : NULL;
#if CV_HAVE_X86
        if (vector) softmax_backward_row_avx512(y + o, g + o, sr, gx + o, n, mode); else
#endif
        softmax_backward_row_generic(y + o, g + o, sr, gx + o, n, mode);
        zero_tail(gx + o, n, columns);
    }
}
