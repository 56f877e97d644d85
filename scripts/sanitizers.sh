#!/usr/bin/env bash
# Runs the test suite under a sanitizer, each in its own build folder:
#
#   scripts/sanitizers.sh address [FILTER]   the whole suite under AddressSanitizer (.build-asan)
#   scripts/sanitizers.sh thread  [FILTER]   the parallel kernels, GEMM and trainer tests under
#                                            ThreadSanitizer (.build-tsan)
#
# CONVERGE_SANITIZER tells the tests' process runner (ConvergeProcess) that the `converge` it
# starts is sanitized too: it then caps the memory estimate with CONVERGE_MEMORY_LIMIT=4G instead
# of `ulimit -v` (a sanitizer's shadow memory needs terabytes of address space).
#
# LeakSanitizer is off (detect_leaks=0) for the suite: Swift keeps class references with tag bits
# in enum payloads, which LSan cannot follow, so it reports live objects as leaks; the leak check
# of our own code is the fuzz targets' and the tests' job. Set ASAN_OPTIONS to override.
set -uo pipefail
cd "$(dirname "$0")/.."
KIND=${1:?usage: scripts/sanitizers.sh address|thread [FILTER]}
FILTER=${2:-}
case "$KIND" in
    address) SCRATCH=.build-asan; export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1} ;;
    thread)  SCRATCH=.build-tsan; FILTER=${FILTER:-ParallelTests|GEMM|FallbackGEMM|TrainerTests|DataParallel|CheckpointTests}
             export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:report_signal_unsafe=0} ;;
    *) echo "usage: scripts/sanitizers.sh address|thread [FILTER]"; exit 2 ;;
esac
export CONVERGE_SANITIZER=$KIND OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
mkdir -p "$SCRATCH"
swift build --build-tests --sanitize="$KIND" --scratch-path "$SCRATCH" 2>&1 | grep -Ev "ld.gold: warning|^\[[0-9]+/[0-9]+\]" | tail -20
args=(--skip-build --sanitize="$KIND" --scratch-path "$SCRATCH" --disable-swift-testing)
[ -n "$FILTER" ] && args+=(--filter "$FILTER")
swift test "${args[@]}" 2>&1 | tee "$SCRATCH/test.log" | grep -E "^(==[0-9]+==|SUMMARY|WARNING: ThreadSanitizer)|error:|Executed [0-9]+ tests" | tail -40
grep -c "WARNING: ThreadSanitizer\|ERROR: AddressSanitizer" "$SCRATCH/test.log" | sed "s/^/sanitizer reports: /"
