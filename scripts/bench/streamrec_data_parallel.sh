#!/usr/bin/env bash
# `converge bench streamrec` data-parallel against one process, at the same global batch:
#   2 processes under mpirun with 1 thread each (per-process batch = global / 2; waiting ranks yield)
#   1 process with 2 threads
# Usage: scripts/bench/streamrec_data_parallel.sh [BATCH ...]   (default 1024 4096; release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${CONVERGE:-.build/release/converge}
[ -x "$binary" ] || { echo "build first: swift build -c release --product converge" >&2; exit 1; }
batches=${*:-1024 4096}
root=""; [ "$(id -u)" = 0 ] && root="--allow-run-as-root"
echo "== 1 process, 2 threads"
OPENBLAS_NUM_THREADS=2 "$binary" bench streamrec --batch-size $batches
echo "== 2 processes (mpirun -np 2), 1 thread each"
OPENBLAS_NUM_THREADS=1 mpirun $root --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 -np 2 "$binary" bench streamrec --batch-size $batches
