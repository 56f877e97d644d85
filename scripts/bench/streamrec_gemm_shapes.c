/*
 * streamrec_gemm_shapes.c: the matrix products of one StreamRec training step (128-256-128-64-1,
 * batch B: forward x·Wᵀ, backward dY·W and dYᵀ·X per layer, the first layer without dX) timed
 * with oneDNN's dnnl_sgemm (float32) and dnnl_gemm_bf16bf16f32 (bfloat16 inputs, float32
 * accumulation) called directly: the GEMM time a float32 and a bfloat16 step cannot go below.
 * Each figure is the best of 30 runs after 3 warm-up runs.
 *
 *   cc -O2 -o /tmp/streamrec_gemm_shapes scripts/bench/streamrec_gemm_shapes.c -ldl
 *   OMP_WAIT_POLICY=PASSIVE /tmp/streamrec_gemm_shapes 1024
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int (*dnnl_sgemm_fn)(char, char, int64_t, int64_t, int64_t, float, const float *, int64_t,
                             const float *, int64_t, float, float *, int64_t);
typedef int (*dnnl_bf16_fn)(char, char, int64_t, int64_t, int64_t, float, const uint16_t *, int64_t,
                            const uint16_t *, int64_t, float, float *, int64_t);

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    int batch = argc > 1 ? atoi(argv[1]) : 1024;
    if (batch < 1) { fprintf(stderr, "usage: %s [BATCH]\n", argv[0]); return 2; }
    void *lib = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "streamrec_gemm_shapes: %s\n", dlerror()); return 1; }
    dnnl_sgemm_fn sgemm = (dnnl_sgemm_fn)dlsym(lib, "dnnl_sgemm");
    dnnl_bf16_fn bgemm = (dnnl_bf16_fn)dlsym(lib, "dnnl_gemm_bf16bf16f32");
    if (!sgemm || !bgemm) { fprintf(stderr, "streamrec_gemm_shapes: libdnnl.so.2 lacks its GEMMs\n"); return 1; }
    size_t count = (size_t)batch * 512;
    float *a = malloc(count * 4), *b = malloc(count * 4), *c = malloc(count * 4);
    uint16_t *ha = malloc(count * 2), *hb = malloc(count * 2);
    if (!a || !b || !c || !ha || !hb) { fprintf(stderr, "streamrec_gemm_shapes: out of memory\n"); return 1; }
    for (size_t i = 0; i < count; i++) { a[i] = b[i] = (float)(rand() % 100) / 100.0f; ha[i] = hb[i] = 0x3F00; }
    int widths[5] = {128, 256, 128, 64, 1};
    double total[2] = {0, 0};
    for (int layer = 0; layer < 4; layer++) {
        int in = widths[layer], out = widths[layer + 1];
        struct { char ta, tb; int m, n, k; } shapes[3] = {
            {'N', 'T', batch, out, in}, {'N', 'N', batch, in, out}, {'T', 'N', out, in, batch}};
        for (int s = 0; s < 3; s++) {
            if (layer == 0 && s == 1) continue;   /* the input needs no gradient */
            int m = shapes[s].m, n = shapes[s].n, k = shapes[s].k;
            char ta = shapes[s].ta, tb = shapes[s].tb;
            int lda = ta == 'N' ? k : m, ldb = tb == 'N' ? n : k;
            double best[2] = {1e30, 1e30};
            for (int which = 0; which < 2; which++) {
                for (int r = 0; r < 33; r++) {
                    double t0 = now();
                    if (which == 0) sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, n);
                    else bgemm(ta, tb, m, n, k, 1, ha, lda, hb, ldb, 0, c, n);
                    double t = now() - t0;
                    if (r >= 3 && t < best[which]) best[which] = t;
                }
                total[which] += best[which];
            }
            printf("%5dx%4dx%4d %c%c  sgemm %8.1f us (%4.0f GFLOP/s)  bf16 %8.1f us (%4.0f GFLOP/s)\n", m, n, k, ta, tb,
                   best[0] * 1e6, 2.0 * m * n * k / best[0] / 1e9, best[1] * 1e6, 2.0 * m * n * k / best[1] / 1e9);
        }
    }
    printf("batch %d, all products of a step: sgemm %.0f us, bf16 %.0f us (%.2fx)\n", batch, total[0] * 1e6,
           total[1] * 1e6, total[0] / total[1]);
    return 0;
}
