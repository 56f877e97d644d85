/*
 * transformer_gemm_bound.c: the GEMM-only bound on `converge bench transformer`.
 *
 * Times every matrix product of one training step of the bench's GPT (4 pre-LN blocks,
 * d_model 256, 4 heads, feed-forward 1024, context 128, batch 16, vocabulary 256, tied output),
 * forward and backward, at the step's exact shapes and transposes, with one library called
 * directly: oneDNN's dnnl_gemm_bf16bf16f32 (operands already bfloat16, float32 accumulation),
 * oneDNN's dnnl_sgemm, or OpenBLAS's cblas_sgemm. Each shape is timed as the best of RUNS runs
 * (after a warm-up) of its per-step call count; the sum is the time one step spends in GEMMs
 * when nothing else costs anything, and 2048 tokens over that sum is the most tokens/s the
 * library's GEMMs allow. Attention products are counted in full (no causal skipping), one call
 * per (batch, head) as a batched GEMM would make them.
 *
 *   cc -O2 -o /tmp/tgb scripts/bench/transformer_gemm_bound.c -ldl
 *   OMP_NUM_THREADS=2 /tmp/tgb onednn-bf16 [RUNS]      # also: onednn, openblas
 *
 * Prints one line per shape and a total: `<library> step GEMMs: <ms> ms, <GFLOP/s>, bound <tokens/s>`.
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

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct { const char *what; int ta, tb, m, n, k, calls; } shape_t;

#define T 2048 /* tokens per step: batch 16 x context 128 */
#define L 4    /* blocks */
#define BH 64  /* batch x heads */

static const shape_t shapes[] = {
    /* forward (x · Wᵀ) */
    {"fwd in_proj", 0, 1, T, 768, 256, L},
    {"fwd out_proj", 0, 1, T, 256, 256, L},
    {"fwd linear1", 0, 1, T, 1024, 256, L},
    {"fwd linear2", 0, 1, T, 256, 1024, L},
    {"fwd head", 0, 1, T, 256, 256, 1},
    {"fwd Q·Kᵀ", 0, 1, 128, 128, 64, L * BH},
    {"fwd P·V", 0, 0, 128, 64, 128, L * BH},
    /* backward: dX = dY · W, dW = dYᵀ · X */
    {"bwd in_proj dX", 0, 0, T, 256, 768, L},
    {"bwd in_proj dW", 1, 0, 768, 256, T, L},
    {"bwd out_proj dX", 0, 0, T, 256, 256, L},
    {"bwd out_proj dW", 1, 0, 256, 256, T, L},
    {"bwd linear1 dX", 0, 0, T, 256, 1024, L},
    {"bwd linear1 dW", 1, 0, 1024, 256, T, L},
    {"bwd linear2 dX", 0, 0, T, 1024, 256, L},
    {"bwd linear2 dW", 1, 0, 256, 1024, T, L},
    {"bwd head dX", 0, 0, T, 256, 256, 1},
    {"bwd head dW", 1, 0, 256, 256, T, 1},
    {"bwd dV = Pᵀ·dO", 1, 0, 128, 64, 128, L * BH},
    {"bwd dP = dO·Vᵀ", 0, 1, 128, 128, 64, L * BH},
    {"bwd dQ = dS·K", 0, 0, 128, 64, 128, L * BH},
    {"bwd dK = dSᵀ·Q", 1, 0, 128, 64, 128, L * BH},
};

int main(int argc, char **argv) {
    const char *which = argc > 1 ? argv[1] : "onednn-bf16";
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    int openblas = strcmp(which, "openblas") == 0, bf16 = strcmp(which, "onednn-bf16") == 0;
    if (runs <= 0 || !(openblas || bf16 || strcmp(which, "onednn") == 0)) {
        fprintf(stderr, "usage: %s onednn-bf16|onednn|openblas [RUNS]\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(openblas ? "libopenblas.so.0" : "libdnnl.so.2", RTLD_NOW);
    if (!lib) { fprintf(stderr, "%s: %s\n", which, dlerror()); return 1; }
    cblas_sgemm_fn cblas = openblas ? (cblas_sgemm_fn)dlsym(lib, "cblas_sgemm") : NULL;
    dnnl_sgemm_fn sgemm = openblas ? NULL : (dnnl_sgemm_fn)dlsym(lib, "dnnl_sgemm");
    dnnl_bf16_fn bgemm = openblas ? NULL : (dnnl_bf16_fn)dlsym(lib, "dnnl_gemm_bf16bf16f32");
    size_t big = (size_t)T * 1024;
    float *a = malloc(big * 4), *b = malloc(big * 4), *c = malloc(big * 4);
    uint16_t *ha = malloc(big * 2), *hb = malloc(big * 2);
    for (size_t i = 0; i < big; i++) {
        a[i] = (float)((i * 7 + 3) % 17) / 17.0f - 0.5f;
        b[i] = (float)((i * 5 + 1) % 13) / 13.0f - 0.5f;
        ha[i] = 0x3f80; hb[i] = 0xbf00;
    }
    double total = 0, flops = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const shape_t *p = &shapes[s];
        int lda = p->ta ? p->m : p->k, ldb = p->tb ? p->k : p->n, ldc = p->n;
        double best = 1e30;
        for (int r = 0; r <= runs; r++) {
            double t0 = now();
            for (int i = 0; i < p->calls; i++) {
                if (cblas) cblas(101, p->ta ? 112 : 111, p->tb ? 112 : 111, p->m, p->n, p->k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
                else if (bf16) bgemm(p->ta ? 'T' : 'N', p->tb ? 'T' : 'N', p->m, p->n, p->k, 1.0f, ha, lda, hb, ldb, 0.0f, c, ldc);
                else sgemm(p->ta ? 'T' : 'N', p->tb ? 'T' : 'N', p->m, p->n, p->k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
            }
            double t = now() - t0;
            if (r > 0 && t < best) best = t;
        }
        double f = 2.0 * p->m * p->n * p->k * p->calls;
        printf("  %-18s %c%c %5d x %5d x %5d  x%-4d %8.3f ms  %7.1f GFLOP/s\n", p->what, p->ta ? 'T' : 'N',
               p->tb ? 'T' : 'N', p->m, p->n, p->k, p->calls, best * 1e3, f / best * 1e-9);
        total += best;
        flops += f;
    }
    printf("%s step GEMMs: %.2f ms, %.2f GFLOP, %.1f GFLOP/s, bound %.0f tokens/s\n", which, total * 1e3,
           flops * 1e-9, flops / total * 1e-9, T / total);
    return 0;
}
