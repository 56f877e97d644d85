#include "cv_isa_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cv_isa_level detect(void) {
#if CV_HAVE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("fma"))
        return CV_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return CV_ISA_AVX2;
#endif
    return CV_ISA_GENERIC;
}

static cv_isa_level environment_cap(cv_isa_level level) {
    const char *value = getenv("CONVERGE_ISA");
    if (value == NULL) return level;
    cv_isa_level cap = level;
    if (strcmp(value, "generic") == 0) cap = CV_ISA_GENERIC;
    else if (strcmp(value, "avx2") == 0) cap = CV_ISA_AVX2;
    else if (strcmp(value, "avx512") == 0) cap = CV_ISA_AVX512;
    else if (value[0] != '\0')
        fprintf(stderr, "converge: CONVERGE_ISA=%s is not generic, avx2 or avx512; ignored\n", value);
    return cap < level ? cap : level;
}

// -1 until first use. A race between two first uses writes the same value twice.
static volatile int supported_level = -1;
static volatile int current_level = -1;

cv_isa_level cv_isa_supported(void) {
    int level = supported_level;
    if (level < 0) {
        level = (int)detect();
        supported_level = level;
    }
    return (cv_isa_level)level;
}

cv_isa_level cv_isa(void) {
    int level = current_level;
    if (level < 0) {
        level = (int)environment_cap(cv_isa_supported());
        current_level = level;
    }
    return (cv_isa_level)level;
}

cv_isa_level cv_set_isa_level(cv_isa_level level) {
    cv_isa_level supported = cv_isa_supported();
    current_level = (int)(level < supported ? level : supported);
    return (cv_isa_level)current_level;
}
