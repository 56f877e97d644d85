/*
 * openblas_gemm.c: measures cblas_sgemm (row-major, no transposes, alpha 1, beta 0) on an
 * N×N×N float32 product and prints the best of R timed runs (one warm-up run excluded), so
 * that `converge bench gemm` can be compared with OpenBLAS called directly.
 *
 * Build and run through run_openblas_gemm.sh, or by hand:
 *   cc -O2 -o openblas_gemm openblas_gemm.c -lopenblas
 *   OPENBLAS_CORETYPE=SkylakeX ./openblas_gemm 2048 5      # N RUNS
 *   ./openblas_gemm 256 512 512 50 NT                        # M N K RUNS TRANS (NN, NT, TN, TT)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void fill(float *x, size_t count) {
    for (size_t i = 0; i < count; i++) x[i] = (float)rand() / (float)RAND_MAX - 0.5f;
}

int main(int argc, char **argv) {
    int m, n, k, runs;
    const char *trans = "NN";
    if (argc >= 6) {
        m = atoi(argv[1]); n = atoi(argv[2]); k = atoi(argv[3]); runs = atoi(argv[4]); trans = argv[5];
    } else {
        m = n = k = argc > 1 ? atoi(argv[1]) : 2048;
        runs = argc > 2 ? atoi(argv[2]) : 5;
    }
    if (m <= 0 || n <= 0 || k <= 0 || runs <= 0 || strlen(trans) != 2 || strspn(trans, "NT") != 2) {
        fprintf(stderr, "usage: %s [N [RUNS]] | M N K RUNS TRANS (TRANS one of NN NT TN TT)\n", argv[0]);
        return 2;
    }
    int ta = trans[0] == 'T', tb = trans[1] == 'T';
    int lda = ta ? m : k, ldb = tb ? k : n;
    float *a = malloc((size_t)m * k * sizeof(float));
    float *b = malloc((size_t)k * n * sizeof(float));
    float *c = calloc((size_t)m * n, sizeof(float));
    if (!a || !b || !c) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    srand(42);
    fill(a, (size_t)m * k);
    fill(b, (size_t)k * n);
    enum CBLAS_TRANSPOSE opA = ta ? CblasTrans : CblasNoTrans, opB = tb ? CblasTrans : CblasNoTrans;
    /* Warm-up: thread start, page faults, buffer allocation. */
    cblas_sgemm(CblasRowMajor, opA, opB, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n);
    double best = 1e30, best_cpu = 1e30;
    for (int r = 0; r < runs; r++) {
        double t0 = clock_seconds(CLOCK_MONOTONIC), c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
        cblas_sgemm(CblasRowMajor, opA, opB, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n);
        double t = clock_seconds(CLOCK_MONOTONIC) - t0, cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (t < best) best = t;
        if (cpu < best_cpu) best_cpu = cpu;
    }
    double flop = 2.0 * (double)m * (double)n * (double)k;
    /* The wall-clock figure is the one to compare; the per-CPU-second figure (process CPU time,
       all threads) is steadier on a busy machine but counts OpenBLAS's spinning threads too. */
    char shape[64];
    if (m == n && n == k && !ta && !tb) snprintf(shape, sizeof shape, "%d", n);
    else snprintf(shape, sizeof shape, "%dx%dx%d %s", m, n, k, trans);
    printf("openblas sgemm %s: %.1f GFLOP/s (best of %d; core %s, %d threads; %s) [%.1f GFLOP per CPU-second]\n",
           shape, flop / best * 1e-9, runs, openblas_get_corename(), openblas_get_num_threads(),
           openblas_get_config(), flop / best_cpu * 1e-9);
    free(a);
    free(b);
    free(c);
    return 0;
}
