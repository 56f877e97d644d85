#!/usr/bin/env bash
# Where one training step of `converge bench transformer` spends its time: samples the release
# binary with `perf record` (cpu-clock, every thread) and sorts the self time of every symbol
# into buckets — GEMM libraries, attention, LayerNorm, GELU, dropout, softmax/cross-entropy,
# optimizer (AdamW, clipping), embedding and tied head, bfloat16 conversion, memory
# (allocation, page faults, copies), threading (wake-ups, kernel scheduling) and the rest
# (autograd bookkeeping, elementwise ops). Shares are of all samples of the run, so a bucket's
# share is its share of the CPU time of the step (model set-up is included but small).
#
# Usage: scripts/bench/transformer_profile.sh [float32|bfloat16] [STEPS_PER_WINDOW] [REPEATS]
# Needs perf. Set CONVERGE=path/to/converge to use a built binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/../.."
precision="${1:-float32}"
steps="${2:-4}"
repeats="${3:-2}"
converge=${CONVERGE:-}
if [ -z "$converge" ]; then
    swift build -c release --product converge >/dev/null
    converge=.build/release/converge
fi
command -v perf >/dev/null || { echo "transformer_profile.sh: perf is not installed" >&2; exit 1; }
data=$(mktemp /tmp/transformer_profile.XXXXXX)
trap 'rm -f "$data"' EXIT
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
perf record -q -F 999 -e cpu-clock -o "$data" "$converge" bench transformer --precision "$precision" \
    --size "$steps" --repeats "$repeats" 2>&1 | grep tokens/s
perf report -i "$data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | swift demangle --simplified | awk '
    function bucket(line) {
        if (line ~ /JIT|libopenblas|libdnnl|sgemm|dgemm|gemm_|Kernels\.gemm|singleThreadedGEMM|gemmBFloat16/) return "GEMM (OpenBLAS / oneDNN)"
        if (line ~ /AttentionCore|attentionKernel|softmaxRows|packedSelfAttention|splitHeads|mergeHeads|AttentionMaskView|softmax_row|softmax_backward_row|AttentionOperandCopy/) return "attention (scores, mask, softmax, dropout on weights)"
        if (line ~ /layerNorm|LayerNorm|layernorm_/) return "LayerNorm"
        if (line ~ /gelu|GELU|erff|normalCDF|vectorExp|Activation\.|exp_avx512|erf_avx512/) return "GELU"
        if (line ~ /ropout|mask_avx512|apply_avx512/) return "dropout"
        if (line ~ /logSoftmax|rossEntropy|nllLoss/) return "log-softmax + cross-entropy"
        if (line ~ /Adam|adam_|clipGradNorm|Optimizer|totalNorm|lane_sums/) return "optimizer (AdamW, clip)"
        if (line ~ /bias_activation|column_sums|linearEpilogue|columnSums|reduceColumns/) return "linear epilogues (bias, ReLU, bias gradients)"
        if (line ~ /mbedding|gather|scatter|IndexTensor/) return "embedding + tied head bookkeeping"
        if (line ~ /BFloat16|bfloat16|bf16/) return "bfloat16 conversion"
        if (line ~ /malloc|free|memset|memmove|memcpy|page|mmap|munmap|clear_page|BufferPool|TensorStorage|swift_allocObject|swift_release|swift_retain/) return "memory (allocation, faults, copies, refcounts)"
        if (line ~ /\[k\]|dispatch|futex|GOMP|gomp|pthread|sched/) return "threading (wake-ups, kernel)"
        if (line ~ /expf|__exp|__cos|__sin|__log|libm/) return "libm (exp/log/sin/cos elsewhere)"
        return "other (autograd, elementwise, reductions)"
    }
    { p = $1; sub(/%/, "", p); b = bucket($0); share[b] += p; total += p }
    END {
        printf "%-52s %7s\n", "bucket", "share"
        n = 0; for (b in share) keys[n++] = b
        for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (share[keys[j]] > share[keys[i]]) { t = keys[i]; keys[i] = keys[j]; keys[j] = t }
        for (i = 0; i < n; i++) printf "%-52s %6.1f%%\n", keys[i], share[keys[i]]
        printf "%-52s %6.1f%%\n", "(total)", total
    }'
