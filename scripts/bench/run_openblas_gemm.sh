#!/bin/sh
# Measures OpenBLAS's cblas_sgemm directly for each OpenBLAS core type, then Converge's
# `converge bench gemm` (release build), so the GFLOP/s figures can be compared.
#
# Usage: scripts/bench/run_openblas_gemm.sh [N] [RUNS] [CORETYPES...]
#   N defaults to 2048, RUNS to 5, CORETYPES to "Haswell Zen SkylakeX".
# Set SKIP_CONVERGE=1 to skip building and running `converge bench`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-2048}
runs=${2:-5}
[ $# -ge 2 ] && shift 2 || shift $#
cores=${*:-"Haswell Zen SkylakeX"}

exe=$(mktemp /tmp/openblas_gemm.XXXXXX)
trap 'rm -f "$exe"' EXIT
cc -O2 -o "$exe" "$here/openblas_gemm.c" -lopenblas

echo "\$ openblas_gemm $n $runs (default core type)"
env -u OPENBLAS_CORETYPE "$exe" "$n" "$runs"
for core in $cores; do
    echo "\$ OPENBLAS_CORETYPE=$core openblas_gemm $n $runs"
    OPENBLAS_CORETYPE=$core "$exe" "$n" "$runs"
done

if [ "${SKIP_CONVERGE:-0}" != 1 ]; then
    cd "$root"
    swift build -c release --product converge >/dev/null
    echo "\$ .build/release/converge bench gemm --size $n"
    .build/release/converge bench gemm --size "$n"
fi
