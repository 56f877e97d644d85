#!/usr/bin/env bash
# Compares `converge bench gemm --size N` (release build) with the fastest float32 GEMM library on
# this machine called directly (scripts/bench/gemm_direct.c): oneDNN's dnnl_sgemm, and OpenBLAS's
# cblas_sgemm with its own core choice and with each OPENBLAS_CORETYPE given (oneDNN twice: with
# OpenMP's default wait policy, and with OMP_WAIT_POLICY=PASSIVE, which Converge sets). The candidates run
# alternately, ROUNDS rounds, each figure the best of RUNS timed runs after a warm-up run; the
# script prints every figure, each candidate's median over the rounds, and the ratio of
# Converge's median to the fastest library's median (the target is at least 0.95).
#
# Usage: scripts/bench/gemm_compare.sh [N] [ROUNDS] [RUNS] [CORETYPES...]
#   N 2048, ROUNDS 5, RUNS 5, CORETYPES "Haswell Zen SkylakeX Cooperlake" by default.
# Set CONVERGE=path/to/converge to use a built binary instead of building one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-2048}
rounds=${2:-5}
runs=${3:-5}
if [ $# -ge 3 ]; then shift 3; else shift $#; fi
cores=${*:-"Haswell Zen SkylakeX Cooperlake"}

exe=$(mktemp /tmp/gemm_direct.XXXXXX)
log=$(mktemp /tmp/gemm_compare.XXXXXX)
trap 'rm -f "$exe" "$log"' EXIT
cc -O2 -o "$exe" "$here/gemm_direct.c" -ldl
converge=${CONVERGE:-}
if [ -z "$converge" ]; then
    (cd "$root" && swift build -c release --product converge >/dev/null)
    converge="$root/.build/release/converge"
fi

candidates=("openblas" "onednn" "onednn-passive")
for core in $cores; do candidates+=("openblas:$core"); done
candidates+=("converge")

measure() {  # prints "<candidate> <GFLOP/s>" and the full line to stderr
    local line
    case "$1" in
        converge) line=$("$converge" bench gemm --size "$n" --repeats "$runs" 2>&1 | head -1 || true) ;;
        openblas) line=$(env -u OPENBLAS_CORETYPE "$exe" openblas "$n" "$runs" 2>&1) ;;
        openblas:*) line=$(OPENBLAS_CORETYPE=${1#openblas:} "$exe" openblas "$n" "$runs" 2>&1) ;;
        onednn) line=$("$exe" onednn "$n" "$runs" 2>&1) ;;
        onednn-passive) line=$(OMP_WAIT_POLICY=PASSIVE "$exe" onednn "$n" "$runs" 2>&1) ;;
    esac
    echo "  $line" >&2
    echo "$1 $(echo "$line" | sed -n 's/^.* [0-9]*: \([0-9.]*\) GFLOP\/s.*/\1/p')"
}

echo "# gemm $n, $rounds rounds of $runs runs; load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
echo "# converge: $("$converge" bench gemm --size "$n" --repeats 1 2>&1 | sed -n 's/^ *chosen: /chosen /p')"
for r in $(seq 1 "$rounds"); do
    echo "# round $r"
    for c in "${candidates[@]}"; do measure "$c" >>"$log"; done
done
echo "# medians (GFLOP/s)"
best_name=""; best=0
for c in "${candidates[@]}"; do
    median=$(awk -v c="$c" '$1 == c && $2 != "" { print $2 }' "$log" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
    [ -z "$median" ] && { echo "$c: no figure"; continue; }
    echo "$c: $median"
    if [ "$c" != converge ] && awk -v a="$median" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$median; best_name=$c; fi
    [ "$c" = converge ] && conv=$median
done
awk -v a="${conv:-0}" -v b="$best" -v name="$best_name" \
    'BEGIN { printf "converge / fastest library (%s): %.3f (target 0.95: %s)\n", name, a / b, (a / b >= 0.95 ? "met" : "not met") }'
