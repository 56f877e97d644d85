// exp and erf over float32 arrays: the vector functions the GELU and softmax kernels use,
// exposed for tests and for elementwise ops.
#ifndef CV_VMATH_H
#define CV_VMATH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// y[i] = e^x[i], at most 1 ulp from the correctly rounded value (2 ulp in the portable
/// version); 0 below about -103.97, +inf above about 88.72, NaN stays NaN. `y` may be `x`.
void cv_exp(const float *x, float *y, size_t count);

/// y[i] = erf(x[i]), at most 1 ulp from the correctly rounded value; erf(±inf) = ±1,
/// erf(−0) = −0, NaN stays NaN. `y` may be `x`.
void cv_erf(const float *x, float *y, size_t count);

#ifdef __cplusplus
}
#endif
#endif
