#!/usr/bin/env bash
# Training throughput of the Chapter 7 StreamRec recipe model, every side in the same run:
# Converge float32 and bfloat16 autocast (`converge bench streamrec [--precision bfloat16]`,
# release build), PyTorch eager float32 and bf16 autocast (streamrec_torch.py) and JAX jit
# (streamrec_jax.py, when `import jax` works), 2 threads each. Each round measures every batch
# size in turn, and at each batch size every side one after another, so the sides that a ratio
# compares run seconds apart: a slow phase of the machine falls on all of them, not on one side's
# whole round. The script prints every figure, then per side and batch size the median over the
# ROUNDS rounds (default 1) with the lowest and highest, and the ratios the issue asks about: the
# ratio of the medians, and the lowest and highest of the per-round ratios.
#
# Usage: ROUNDS=3 [TORCH_THREADS=2] [JAX_THREADS=2] scripts/bench/streamrec_compare.sh [BATCH_SIZE ...]
#        (default batch sizes 64 256 1024 4096; on a loaded machine the peers' two threads collapse,
#        TORCH_THREADS=1 / JAX_THREADS=1 show what one core gives them)
# Set CONVERGE=path/to/converge to use a built binary instead of building one, and GENERIC=1 to
# add Converge's sides with the portable C kernels (CONVERGE_ISA=generic) beside the AVX-512 ones.
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then sizes=(64 256 1024 4096); fi
rounds=${ROUNDS:-1}
converge=${CONVERGE:-}
if [ -z "$converge" ]; then
    swift build -c release --product converge >/dev/null
    converge=.build/release/converge
fi
csv=$(IFS=,; echo "${sizes[*]}")
log=$(mktemp /tmp/streamrec_compare.XXXXXX)
trap 'rm -f "$log"' EXIT
have_torch=0; python3 -c "import torch" 2>/dev/null && have_torch=1
have_jax=0; python3 -c "import jax" 2>/dev/null && have_jax=1

side() {  # side NAME COMMAND...: runs it, tags each figure line with NAME
    local name=$1; shift
    echo "# $name, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
    "$@" 2>&1 | grep -E 'batch [0-9]+: ' | sed -E "s/^streamrec( [a-z0-9]+)? batch ([0-9]+): ([0-9.]+) samples\/s.*/$name \2 \3/" | tee -a "$log"
}

for r in $(seq 1 "$rounds"); do
    for b in "${sizes[@]}"; do
        echo "# round $r, batch $b"
        side converge-fp32 "$converge" bench streamrec --batch-size "$b"
        side converge-bf16 "$converge" bench streamrec --precision bfloat16 --batch-size "$b"
        if [ "${GENERIC:-0}" = 1 ]; then
            side generic-fp32 env CONVERGE_ISA=generic "$converge" bench streamrec --batch-size "$b"
            side generic-bf16 env CONVERGE_ISA=generic "$converge" bench streamrec --precision bfloat16 --batch-size "$b"
        fi
        if [ $have_torch = 1 ]; then
            side torch-fp32 python3 scripts/bench/streamrec_torch.py --batch-sizes "$b" --threads "${TORCH_THREADS:-2}"
            side torch-bf16 python3 scripts/bench/streamrec_torch.py --batch-sizes "$b" --precision bfloat16 --threads "${TORCH_THREADS:-2}"
        fi
        if [ $have_jax = 1 ]; then side jax-jit python3 scripts/bench/streamrec_jax.py --batch-sizes "$b" --threads "${JAX_THREADS:-2}"; fi
    done
done
[ $have_torch = 1 ] || echo "# PyTorch not installed: skipped"
[ $have_jax = 1 ] || echo "# JAX not installed (pip install jax): skipped"

echo "# medians over $rounds round(s), samples/s (lowest-highest)"
median() { awk -v s="$1" -v b="$2" '$1 == s && $2 == b { print $3 }' "$log" | sort -g |
           awk '{ v[NR] = $1 } END { if (NR) printf "%.0f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
printf "%-14s" side; for b in "${sizes[@]}"; do printf " %11s" "$b"; done; echo
sides="converge-fp32 converge-bf16"
[ "${GENERIC:-0}" = 1 ] && sides="$sides generic-fp32 generic-bf16"
spread() { awk -v s="$1" -v b="$2" '$1 == s && $2 == b { v = $3 + 0; if (n == 0 || v < lo) lo = v; if (n == 0 || v > hi) hi = v; n++ }
           END { if (n) printf "%.0fk-%.0fk", lo / 1000, hi / 1000 }' "$log"; }
for s in $sides torch-fp32 torch-bf16 jax-jit; do
    printf "%-14s" "$s"; for b in "${sizes[@]}"; do printf " %11s" "$(median $s $b)"; done; echo
    if [ "$rounds" -gt 1 ]; then printf "%-14s" ""; for b in "${sizes[@]}"; do printf " %11s" "$(spread $s $b)"; done; echo; fi
done
ratio() { awk -v a="$(median "$1" "$3")" -v b="$(median "$2" "$3")" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f", a / b; else printf "-" }'; }
pairs=("converge-fp32 jax-jit" "converge-bf16 converge-fp32" "converge-bf16 torch-bf16" "converge-fp32 torch-fp32")
[ "${GENERIC:-0}" = 1 ] && pairs+=("converge-fp32 generic-fp32" "converge-bf16 generic-bf16")
# The per-round ratios: the n-th figure of one side against the n-th of the other (same round).
paired() { awk -v a="$1" -v c="$2" -v b="$3" '$2 == b && $1 == a { x[++n] = $3 } $2 == b && $1 == c { y[++m] = $3 }
           END { k = n < m ? n : m; for (i = 1; i <= k; i++) if (y[i] > 0) { r = x[i] / y[i]; if (!f || r < lo) lo = r; if (!f || r > hi) hi = r; f = 1 }
                 if (f) printf "%.2f-%.2f", lo, hi }' "$log"; }
echo "# ratios of the medians; below each, the lowest and highest per-round ratio"
for pair in "${pairs[@]}"; do
    set -- $pair
    printf "%-30s" "$1 / $2"; for b in "${sizes[@]}"; do printf "%11s" "$(ratio "$1" "$2" "$b")"; done; echo
    if [ "$rounds" -gt 1 ]; then printf "%-30s" ""; for b in "${sizes[@]}"; do printf "%11s" "$(paired "$1" "$2" "$b")"; done; echo; fi
done
