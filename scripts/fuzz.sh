#!/usr/bin/env bash
# Fuzzes Converge's file readers with libFuzzer (the targets in Fuzz/, built with
# `--sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address` in .build-fuzz): CSV, recipe, safetensors, NPY and the
# checkpoint folder. Each target starts from its seed corpus in Fuzz/Corpus/<Target> and keeps
# what it learns in .build-fuzz/corpus/<Target>.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, all five targets)
#   FUZZ_JOBS=N       runs N targets at once (default 1)
#   FUZZ_NICE=N       niceness of the fuzzers (default 10)
#   FUZZ_SEED=N       libFuzzer's random seed (CI sets 1, so that its short run is repeatable)
#
# Prints one line per target (executions, executions per second, coverage, crashes) and exits 1
# when any target crashed; the crashing input is left in .build-fuzz/artifacts/ (replay it with
# `.build-fuzz/debug/Fuzz<Target> <file>`; add it to the regression tests). Where the toolchain
# has no libFuzzer runtime, the script prints a NOTICE and exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(CSV Recipe Safetensors NPY Checkpoint)
SWIFT=${SWIFT:-swift}
SCRATCH=.build-fuzz
NICE=${FUZZ_NICE:-10}

probe=$(mktemp -d)
cat >"$probe/probe.swift" <<'SWIFT'
@_cdecl("LLVMFuzzerTestOneInput")
public func probe(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt { 0 }
SWIFT
if ! swiftc -sanitize=fuzzer,address -parse-as-library "$probe/probe.swift" -o "$probe/probe" >/dev/null 2>&1 \
   || ! "$probe/probe" -runs=1 >/dev/null 2>&1; then
    echo "NOTICE: this Swift toolchain has no libFuzzer runtime (swiftc -sanitize=fuzzer failed); fuzzing skipped"
    rm -rf "$probe"
    exit 0
fi
rm -rf "$probe"

mkdir -p "$SCRATCH"
echo "building the fuzz targets (Fuzz/, $SCRATCH) ..."
build() {
    nice -n "$NICE" "$SWIFT" build --package-path Fuzz --scratch-path "$SCRATCH" --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address \
        >"$SCRATCH/build.log" 2>&1
}
# An incremental build after sources were removed or changed under it can fail on a stale build
# plan ("missing inputs", "modified during the build"): clean the targets and build once more.
build; built=$?
if [ $built -ne 0 ] && grep -qE "missing inputs|modified during the build" "$SCRATCH/build.log"; then
    echo "the build plan was stale; rebuilding the fuzz targets from scratch ..."
    "$SWIFT" package --package-path Fuzz --scratch-path "$SCRATCH" clean >/dev/null 2>&1
    build; built=$?
fi
if [ $built -ne 0 ]; then
    grep -v "ld.gold: warning" "$SCRATCH/build.log" | tail -30
    echo "FAILED: the fuzz targets did not build"
    exit 1
fi
BIN=$("$SWIFT" build --package-path Fuzz --scratch-path "$SCRATCH" --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address --show-bin-path)
mkdir -p "$SCRATCH/artifacts" "$SCRATCH/logs"

# A target whose Converge code carries no coverage counters fuzzes blind. That happened while the
# build passed only `--sanitize=fuzzer --sanitize=address`: SwiftPM hands swiftc two -sanitize=
# options and swiftc keeps the last one, so Converge had ASan but no coverage (4,647 counters
# against 145,690); hence the combined -Xswiftc option above. Refuse to report such a run.
MIN_COUNTERS=${FUZZ_MIN_COUNTERS:-20000}
for t in "${TARGETS[@]}"; do
    counters=$(ASAN_OPTIONS=detect_leaks=0 "$BIN/Fuzz$t" -runs=0 2>&1 | sed -nE 's/.*Loaded [0-9]+ modules +\(([0-9]+) inline 8-bit counters\).*/\1/p' | head -1)
    if [ -z "$counters" ] || [ "$counters" -lt "$MIN_COUNTERS" ]; then
        echo "FAILED: Fuzz$t was built with ${counters:-no} coverage counters (at least $MIN_COUNTERS expected): Converge is not instrumented, so this run would fuzz blind. See the README's Fuzzing note."
        exit 1
    fi
done

# LeakSanitizer is off: Swift keeps class references with tag bits in enum payloads (Data's
# representation, for one), which LSan cannot see as pointers, so it reports live objects as
# leaks; and Foundation's Data(contentsOf:) of an empty file leaks 4 KiB per read (not ours).
run_target() {
    local t=$1 corpus=$SCRATCH/corpus/$1 log=$SCRATCH/logs/$1.log
    mkdir -p "$corpus"
    rm -f "$SCRATCH/artifacts/$t-"*
    ASAN_OPTIONS=detect_leaks=0:${ASAN_OPTIONS:-} nice -n "$NICE" "$BIN/Fuzz$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=2560 \
        -detect_leaks=0 ${FUZZ_SEED:+-seed=$FUZZ_SEED} -print_final_stats=1 -artifact_prefix="$SCRATCH/artifacts/$t-" \
        "$corpus" "Fuzz/Corpus/$t" >"$log" 2>&1
    echo $? >"$log.rc"
}

pids=()
for t in "${TARGETS[@]}"; do
    run_target "$t" &
    pids+=($!)
    if [ ${#pids[@]} -ge "${FUZZ_JOBS:-1}" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
wait

status=0
printf "%-12s %8s %12s %10s %8s %8s %8s %8s\n" target seconds execs "execs/s" cov ft corpus crashes
for t in "${TARGETS[@]}"; do
    log=$SCRATCH/logs/$t.log
    execs=$(awk '/stat::number_of_executed_units/ {n=$2} END {print n}' "$log")
    rate=$(awk '/stat::average_exec_per_sec/ {n=$2} END {print n}' "$log")
    last=$(grep -E "^#[0-9]+" "$log" | grep " cov: " | tail -1)
    cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$last")
    ft=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$last")
    corp=$(sed -E 's/.* corp: ([0-9]+).*/\1/' <<<"$last")
    crashes=$(ls "$SCRATCH/artifacts/$t-"* 2>/dev/null | wc -l)
    printf "%-12s %8s %12s %10s %8s %8s %8s %8s\n" "$t" "$SECONDS_PER_TARGET" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes"
    if [ "$crashes" -gt 0 ] || [ "$(cat "$log.rc")" != 0 ]; then
        status=1
        grep -m1 -E "ERROR: |Fatal error|deadly signal" "$log" | sed "s/^/  $t: /"
        ls "$SCRATCH/artifacts/$t-"* 2>/dev/null | sed "s/^/  $t: input /"
    fi
done
exit $status
