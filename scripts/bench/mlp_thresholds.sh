#!/usr/bin/env bash
# Parallel thresholds measured on this machine (ParallelCalibration, the default) against the
# former fixed 1M-element thresholds (CONVERGE_PARALLEL_THRESHOLD=1048576), alternately for
# ROUNDS rounds (default 3), on `converge bench mlp` (batch 512) and `converge bench streamrec`
# (batch 1024 and 4096); prints every figure with the load, the measured thresholds, and the
# medians side by side.
#
# Usage: ROUNDS=3 scripts/bench/mlp_thresholds.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-${1:-3}}
converge=${CONVERGE:-}
if [ -z "$converge" ]; then
    swift build -c release --product converge >/dev/null
    converge=.build/release/converge
fi
log=$(mktemp /tmp/mlp_thresholds.XXXXXX)
trap 'rm -f "$log"' EXIT
run() {  # run SETTING COMMAND...
    local setting=$1; shift
    "$@" 2>&1 | grep -E '^(mlp|streamrec) batch [0-9]+: ' | while read -r line; do
        echo "$setting: $line (load $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || true))"
        label=$(echo "$line" | sed -E 's/^([a-z]+) batch ([0-9]+):.*/\1-\2/')
        value=$(echo "$line" | sed -E 's/.*: ([0-9.]+) samples\/s.*/\1/')
        echo "$setting $label $value" >>"$log"
    done
}
uptime
cache=${XDG_CACHE_HOME:-$HOME/.cache}/converge/parallel.json
for r in $(seq 1 "$rounds"); do
    run measured "$converge" bench mlp
    run fixed-1M env CONVERGE_PARALLEL_THRESHOLD=1048576 "$converge" bench mlp
    run measured "$converge" bench streamrec --batch-size 1024 4096
    run fixed-1M env CONVERGE_PARALLEL_THRESHOLD=1048576 "$converge" bench streamrec --batch-size 1024 4096
done
uptime
[ -f "$cache" ] && { echo "measured thresholds ($cache):"; grep -A3 'release build' "$cache" || true; }
median() { awk -v s="$1" -v l="$2" '$1 == s && $2 == l { print $3 }' "$log" | sort -g |
           awk '{ v[NR] = $1 } END { if (NR) printf "%.0f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo
echo "| benchmark | measured thresholds | fixed 1M | measured / fixed |"
echo "|---|---|---|---|"
for label in $(awk '{ print $2 }' "$log" | sort -u); do
    a=$(median measured "$label"); b=$(median fixed-1M "$label")
    echo "| $label | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b }') |"
done
