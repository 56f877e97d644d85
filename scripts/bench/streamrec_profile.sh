#!/usr/bin/env bash
# Where a StreamRec training step spends its CPU time: `perf record` of
# `converge bench streamrec --precision P --batch-size B --repeats R` (release build), the samples
# grouped by kind of work (GEMM, the fused BatchNorm+ReLU+Dropout, dropout draws, fp32<->bf16
# conversion, optimizer, thread switches, runtime). Needs Linux `perf`. The untimed setup (random
# inputs) is listed on its own line; all percentages are of CPU samples, all threads together.
#
# Usage: scripts/bench/streamrec_profile.sh [PRECISION] [BATCH] [REPEATS]   (bfloat16 1024 3)
# Set CONVERGE=path/to/converge to use a built binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/../.."
precision=${1:-bfloat16}; batch=${2:-1024}; repeats=${3:-3}
command -v perf >/dev/null || { echo "streamrec_profile.sh: perf is not installed" >&2; exit 1; }
converge=${CONVERGE:-}
if [ -z "$converge" ]; then
    swift build -c release --product converge >/dev/null
    converge=.build/release/converge
fi
data=$(mktemp /tmp/streamrec_profile.XXXXXX)
trap 'rm -f "$data"' EXIT
echo "# converge bench streamrec --precision $precision --batch-size $batch, load average $(cut -d' ' -f1-3 /proc/loadavg)"
perf record -q -F 2000 -g -o "$data" "$converge" bench streamrec --precision "$precision" --batch-size "$batch" \
    --repeats "$repeats" 2>&1 | grep -E "batch [0-9]+: " || true
perf report -i "$data" --no-children --sort dso,symbol -g none 2>/dev/null | grep -v "^#" | grep "%" | awk '
{ pct = $1; sub("%", "", pct); dso = $2; sym = $4; c = "other"
  if (dso ~ /JIT/ || dso ~ /dnnl/ || dso ~ /gomp/) c = "GEMM (oneDNN JIT kernels, packing, OpenMP)"
  else if (dso ~ /openblas/) c = "GEMM (OpenBLAS)"
  else if (sym ~ /fillNormal|randomNormal/ || dso ~ /libm/) c = "input generation (untimed setup)"
  else if (sym ~ /drawKeepFlags|fillDropoutMask/) c = "dropout draws"
  else if (sym ~ /convertToBFloat16|convertFromBFloat16|roundToBFloat16|packBFloat16|linearEpilogue/) c = "fp32<->bf16 conversion, Linear epilogue"
  else if (sym ~ /batchNormReLUDropout|maskedGradientSums|maskedInputGradient|channelMoments|normalizeReLUDropout/) c = "fused BatchNorm+ReLU+Dropout"
  else if (sym ~ /Adam|clip|vectorNorm|multiTensor/) c = "AdamW, gradient clipping"
  else if (sym ~ /batchNorm|dropout|ReLU|relu|channelAffine|channelGradientSums/) c = "unfused BatchNorm/ReLU/Dropout"
  else if (dso ~ /kernel/) c = "kernel (thread wake/sleep, page faults)"
  else if (dso ~ /libswiftCore|libc|libdispatch|libFoundation|ld-linux/) c = "runtime (retain/release, malloc, dispatch)"
  else if (sym ~ /binaryCrossEntropy|sigmoid/) c = "loss"
  t[c] += pct }
END { for (c in t) printf "%6.1f%%  %s\n", t[c], c }' | sort -rn
