#!/usr/bin/env bash
# The doctor's instrument overhead (issue 14: at most 10% of step time with every instrument on
# every 10th step): `converge bench instruments` (release build) trains an MLP and an LSTM with
# and without the InstrumentPanel, plain and instrumented runs alternating, ROUNDS rounds, and
# prints the median ms/step of each, the wall-clock overhead, every round, and the time inside
# each instrument; this script adds `uptime` before and after.
#
# Usage: scripts/bench/instruments.sh [ROUNDS] [INTERVAL]   (ROUNDS 5, INTERVAL 10 by default)
# Set CONVERGE=path/to/converge to use a built binary instead of building one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=${1:-5}
interval=${2:-10}
converge=${CONVERGE:-}
if [ -z "$converge" ]; then
    (cd "$root" && swift build -c release --product converge >/dev/null)
    converge="$root/.build/release/converge"
fi
echo "load before: $(uptime)"
"$converge" bench instruments --repeats "$rounds" --size "$interval"
echo "load after:  $(uptime)"
