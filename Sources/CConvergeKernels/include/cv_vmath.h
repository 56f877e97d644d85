// exp and erf over float32 arrays: the vector functions the GELU and softmax kernels use,
// exposed for tests and for elementwise ops.
#ifndef CV_VMATH_H
#define CV_VMATH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// y[i] = e^x[i], within 1.01 ulp of the exact value (measured over every float in range); 0
/// below about -103.97, +inf above about 88.72, NaN stays NaN. `y` may be `x`.
void cv_exp(const float *x, float *y, size_t count);

/// y[i] = erf(x[i]), within 2.04 ulp of the exact value (measured over every float in
/// [-4.5, 4.5]; ±1 beyond ±4); erf(±inf) = ±1, erf(−0) = −0, NaN stays NaN. `y` may be `x`.
void cv_erf(const float *x, float *y, size_t count);

#ifdef __cplusplus
}
#endif
#endif
