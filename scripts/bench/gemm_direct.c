/*
 * gemm_direct.c: times one library's GEMM called directly, so that `converge bench gemm` can be
 * compared with it. The product is N×N×N, row-major, no transposes, alpha 1, beta 0; the figure
 * is the best of RUNS timed runs after one warm-up run. The libraries are loaded with dlopen, so
 * no development headers are needed (Debian's libopenblas0 and libdnnl2 ship none).
 *
 *   cc -O2 -o gemm_direct gemm_direct.c -ldl
 *   ./gemm_direct openblas 2048 5                     # OpenBLAS's own core choice
 *   OPENBLAS_CORETYPE=Haswell ./gemm_direct openblas 2048 5
 *   ./gemm_direct onednn 2048 5                       # dnnl_sgemm
 *   ./gemm_direct onednn-bf16 2048 5                  # dnnl_gemm_bf16bf16f32
 *
 * Prints one line: `<library> <N>: <GFLOP/s> GFLOP/s (best of RUNS; details)`.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*cblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *,
                               int, float, float *, int);
typedef int (*dnnl_sgemm_fn)(char, char, int64_t, int64_t, int64_t, float, const float *, int64_t,
                             const float *, int64_t, float, float *, int64_t);
typedef int (*dnnl_bf16_fn)(char, char, int64_t, int64_t, int64_t, float, const uint16_t *, int64_t,
                            const uint16_t *, int64_t, float, float *, int64_t);
typedef struct { int major, minor, patch; const char *hash; unsigned cpu_runtime, gpu_runtime; } dnnl_version_t;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint16_t to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    u += 0x7FFF + ((u >> 16) & 1);
    return (uint16_t)(u >> 16);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s openblas|onednn|onednn-bf16 [N [RUNS]]\n", argv[0]);
        return 2;
    }
    const char *which = argv[1];
    int n = argc > 2 ? atoi(argv[2]) : 2048, runs = argc > 3 ? atoi(argv[3]) : 5;
    int openblas = strcmp(which, "openblas") == 0, bf16 = strcmp(which, "onednn-bf16") == 0;
    if (n <= 0 || runs <= 0 || !(openblas || bf16 || strcmp(which, "onednn") == 0)) {
        fprintf(stderr, "usage: %s openblas|onednn|onednn-bf16 [N [RUNS]]\n", argv[0]);
        return 2;
    }
    const char *path = openblas ? "libopenblas.so.0" : "libdnnl.so.2";
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "gemm_direct: %s\n", dlerror()); return 1; }
    cblas_sgemm_fn cblas = openblas ? (cblas_sgemm_fn)dlsym(lib, "cblas_sgemm") : NULL;
    dnnl_sgemm_fn sgemm = openblas ? NULL : (dnnl_sgemm_fn)dlsym(lib, "dnnl_sgemm");
    dnnl_bf16_fn bgemm = openblas ? NULL : (dnnl_bf16_fn)dlsym(lib, "dnnl_gemm_bf16bf16f32");
    if (openblas ? !cblas : (!sgemm || !bgemm)) { fprintf(stderr, "gemm_direct: %s lacks its GEMM\n", path); return 1; }
    size_t count = (size_t)n * n;
    float *a = malloc(count * 4), *b = malloc(count * 4), *c = calloc(count, 4);
    uint16_t *ha = malloc(count * 2), *hb = malloc(count * 2);
    if (!a || !b || !c || !ha || !hb) { fprintf(stderr, "gemm_direct: out of memory\n"); return 1; }
    srand(42);
    for (size_t i = 0; i < count; i++) {
        a[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        b[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        ha[i] = to_bf16(a[i]);
        hb[i] = to_bf16(b[i]);
    }
    double best = 1e30;
    for (int r = 0; r <= runs; r++) {
        double t0 = now();
        if (openblas) cblas(101, 111, 111, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        else if (bf16) bgemm('N', 'N', n, n, n, 1.0f, ha, n, hb, n, 0.0f, c, n);
        else sgemm('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double t = now() - t0;
        if (r > 0 && t < best) best = t;  /* run 0 is the warm-up */
    }
    char details[256];
    if (openblas) {
        char *(*core)(void) = (char *(*)(void))dlsym(lib, "openblas_get_corename");
        int (*threads)(void) = (int (*)(void))dlsym(lib, "openblas_get_num_threads");
        snprintf(details, sizeof details, "core %s, %d threads", core ? core() : "?", threads ? threads() : 0);
    } else {
        const dnnl_version_t *(*version)(void) = (const dnnl_version_t *(*)(void))dlsym(lib, "dnnl_version");
        const dnnl_version_t *v = version ? version() : NULL;
        snprintf(details, sizeof details, "oneDNN %d.%d.%d", v ? v->major : 0, v ? v->minor : 0, v ? v->patch : 0);
    }
    printf("%s%s%s %d: %.1f GFLOP/s (best of %d; %s)\n", which, openblas && getenv("OPENBLAS_CORETYPE") ? ":" : "",
           openblas && getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "", n,
           2.0 * n * (double)n * n / best * 1e-9, runs, details);
    return 0;
}
