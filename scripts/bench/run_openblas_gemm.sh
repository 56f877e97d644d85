#!/bin/sh
# Measures OpenBLAS's cblas_sgemm directly (openblas_gemm.c) with its own core-type choice and
# with each OPENBLAS_CORETYPE given, then Converge's `converge bench gemm` (release build), so
# that the GFLOP/s figures can be compared. Every figure is the best of RUNS timed runs after
# one warm-up run; on a shared machine run it a few times and compare the best figures.
#
# Usage: scripts/bench/run_openblas_gemm.sh [N] [RUNS] [CORETYPES...]
#   N defaults to 2048, RUNS to 5, CORETYPES to "Cooperlake SkylakeX Haswell Zen".
# Set SKIP_CONVERGE=1 to skip building and running `converge bench`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-2048}
runs=${2:-5}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
cores=${*:-"Cooperlake SkylakeX Haswell Zen"}

exe=$(mktemp /tmp/openblas_gemm.XXXXXX)
trap 'rm -f "$exe"' EXIT
cc -O2 -o "$exe" "$here/openblas_gemm.c" -lopenblas

echo "\$ openblas_gemm $n $runs   # OpenBLAS's own core choice"
env -u OPENBLAS_CORETYPE "$exe" "$n" "$runs"
for core in $cores; do
    echo "\$ OPENBLAS_CORETYPE=$core openblas_gemm $n $runs"
    OPENBLAS_CORETYPE=$core "$exe" "$n" "$runs"
done

if [ "${SKIP_CONVERGE:-0}" != 1 ]; then
    cd "$root"
    swift build -c release --product converge >/dev/null
    echo "\$ .build/release/converge bench gemm --size $n --repeats $runs"
    .build/release/converge bench gemm --size "$n" --repeats "$runs"
fi
