/*
 * openblas_gemm.c: measures cblas_sgemm (row-major, no transposes, alpha 1, beta 0) on an
 * N×N×N float32 product and prints the best of R timed runs (one warm-up run excluded), so
 * that `converge bench gemm` can be compared with OpenBLAS called directly.
 *
 * Build and run through run_openblas_gemm.sh, or by hand:
 *   cc -O2 -o openblas_gemm openblas_gemm.c -lopenblas
 *   OPENBLAS_CORETYPE=SkylakeX ./openblas_gemm 2048 5
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>

char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);

static double clock_seconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2048;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (n <= 0 || runs <= 0) {
        fprintf(stderr, "usage: %s [N] [RUNS]\n", argv[0]);
        return 2;
    }
    size_t count = (size_t)n * (size_t)n;
    float *a = malloc(count * sizeof(float));
    float *b = malloc(count * sizeof(float));
    float *c = malloc(count * sizeof(float));
    if (!a || !b || !c) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    srand(42);
    for (size_t i = 0; i < count; i++) {
        a[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        b[i] = (float)rand() / (float)RAND_MAX - 0.5f;
        c[i] = 0.0f;
    }
    /* Warm-up: thread start, page faults, buffer allocation. */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    double best = 1e30, best_cpu = 1e30;
    for (int r = 0; r < runs; r++) {
        double t0 = clock_seconds(CLOCK_MONOTONIC), c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double t = clock_seconds(CLOCK_MONOTONIC) - t0, cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (t < best) best = t;
        if (cpu < best_cpu) best_cpu = cpu;
    }
    double flop = 2.0 * (double)n * (double)n * (double)n;
    /* The wall-clock figure is the one to compare; the per-CPU-second figure (process CPU time,
       all threads) is steadier on a busy machine but counts OpenBLAS's spinning threads too. */
    printf("openblas sgemm %d: %.1f GFLOP/s (best of %d; core %s, %d threads; %s) [%.1f GFLOP per CPU-second]\n",
           n, flop / best * 1e-9, runs, openblas_get_corename(), openblas_get_num_threads(),
           openblas_get_config(), flop / best_cpu * 1e-9);
    free(a);
    free(b);
    free(c);
    return 0;
}
