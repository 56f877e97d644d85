// Softmax and log-softmax over the rows of a row-major matrix, forward and backward, with the
// causal triangle of attention.
#ifndef CV_SOFTMAX_H
#define CV_SOFTMAX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What a row pass computes.
typedef enum {
    /// y = e^(x − max) / Σ e^(x − max)
    CV_SOFTMAX = 0,
    /// y = (x − max) − log Σ e^(x − max)
    CV_LOG_SOFTMAX = 1,
} cv_softmax_mode;

/// Softmax (or log-softmax) of each of `rows` rows of `columns` floats, stably (the row maximum
/// is subtracted first; exp within 1 ulp, see cv_vmath.h). With `causal` nonzero, row r uses
/// only its first min(columns, first_row + r + 1) entries and the rest of the row is set to 0
/// (a key after its query; `first_row` is the index of the first row passed, so that a matrix
/// can be split into row blocks). A row whose used entries are all −∞ gives zeros when `empty_rows_zero` is
/// nonzero (attention's convention), NaN otherwise (PyTorch's softmax); NaN in a row makes the
/// row NaN. `y` may be `x`.
void cv_softmax_forward(const float *x, float *y, size_t rows, size_t columns, cv_softmax_mode mode,
                        int causal, size_t first_row, int empty_rows_zero);

/// The input gradient of `cv_softmax_forward` from its output `y` and the output gradient `g`:
/// softmax gx = y·(ĝ − Σ ĝ·y), log-softmax gx = ĝ − e^y·Σ ĝ, where ĝ = g·g_scale elementwise
/// (`g_scale` NULL: ĝ = g; attention passes its dropout mask). With `causal`, as in the forward
/// pass, the unused entries of each row get 0. `gx` may be `g`.
void cv_softmax_backward(const float *y, const float *g, const float *g_scale, float *gx, size_t rows,
                         size_t columns, cv_softmax_mode mode, int causal, size_t first_row);

#ifdef __cplusplus
}
#endif
#endif
