// Instruction-set levels of the vector kernels in this target, and the choice among them.
//
// Every kernel here has a portable C version, and on x86-64 an AVX-512 version compiled with
// per-function `__attribute__((target(...)))`, so the package needs no compiler flags. The level
// is chosen once per process from what the processor reports (CPUID, with the OS's XSAVE
// state), and tests can lower it to run the portable versions on any machine.
#ifndef CV_ISA_H
#define CV_ISA_H

#ifdef __cplusplus
extern "C" {
#endif

/// The vector code a kernel may use.
typedef enum {
    /// Portable C (the compiler's default vectorization).
    CV_ISA_GENERIC = 0,
    /// AVX2 with FMA.
    CV_ISA_AVX2 = 1,
    /// AVX-512 F, BW, DQ and VL (Skylake-X level).
    CV_ISA_AVX512 = 2,
} cv_isa_level;

/// The level the kernels use now: the processor's best, unless `cv_set_isa_level` lowered it
/// or the environment variable `CONVERGE_ISA` (`generic`, `avx2`, `avx512`) caps it.
cv_isa_level cv_isa(void);

/// The best level this processor and operating system support.
cv_isa_level cv_isa_supported(void);

/// Caps the level the kernels use (never above `cv_isa_supported()`); returns the level now in use.
cv_isa_level cv_set_isa_level(cv_isa_level level);

#ifdef __cplusplus
}
#endif
#endif
