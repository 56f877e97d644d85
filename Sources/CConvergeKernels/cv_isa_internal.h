// Shared by the kernel files: the target attribute of the AVX-512 versions.
#ifndef CV_ISA_INTERNAL_H
#define CV_ISA_INTERNAL_H

#include "cv_isa.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define CV_HAVE_X86 1
#include <immintrin.h>
/// Compiles one function for AVX-512 (F, BW, DQ, VL) with FMA, whatever the target's flags.
#define CV_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma,avx2,bmi2")))
/// Compiles one function for AVX2 with FMA.
#define CV_AVX2 __attribute__((target("avx2,fma,bmi2")))
#else
#define CV_HAVE_X86 0
#endif

#endif
