#!/usr/bin/env bash
# Convolutional training steps: Converge (`converge bench conv`, release build) and PyTorch
# (conv_torch.py, 2 threads), eager float32 and bf16 autocast, alternately for ROUNDS rounds
# (default 3): the digits CNN at batch 32 and 256 and the Conv1d net at batch 64. Prints every
# figure with the load, then a table of median step times (ms) and torch / Converge (above 1:
# Converge is faster).
#
# Usage: ROUNDS=3 scripts/bench/conv_compare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-${1:-3}}
converge=${CONVERGE:-}
if [ -z "$converge" ]; then
    swift build -c release --product converge >/dev/null
    converge=.build/release/converge
fi
log=$(mktemp /tmp/conv_compare.XXXXXX)
trap 'rm -f "$log"' EXIT
run() {  # run SIDE PRECISION COMMAND...
    local side=$1 precision=$2; shift 2
    "$@" 2>&1 | grep -E '^conv .*batch [0-9]+: ' | while read -r line; do
        echo "$side $precision: $line (load $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || true))"
        model=$(echo "$line" | awk '{ print $2 }')
        batch=$(echo "$line" | sed -E 's/.*batch ([0-9]+):.*/\1/')
        ms=$(echo "$line" | sed -E 's/.*: ([0-9.]+) ms\/step.*/\1/')
        echo "$side $precision $model $batch $ms" >>"$log"
    done
}
uptime
for r in $(seq 1 "$rounds"); do
    run converge fp32 "$converge" bench conv
    run torch fp32 python3 scripts/bench/conv_torch.py
    run converge bf16 "$converge" bench conv --precision bfloat16
    run torch bf16 python3 scripts/bench/conv_torch.py --precision bfloat16
done
uptime
median() {  # median SIDE PRECISION MODEL BATCH
    awk -v s="$1" -v p="$2" -v m="$3" -v b="$4" '$1 == s && $2 == p && $3 == m && $4 == b { print $5 }' "$log" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
echo
echo "| model | batch | Converge fp32 | torch fp32 | torch/Converge | Converge bf16 | torch bf16 | torch/Converge |"
echo "|---|---|---|---|---|---|---|---|"
awk '{ print $3, $4 }' "$log" | sort -u | sort -k1,1 -k2,2n | while read -r model batch; do
    cf=$(median converge fp32 "$model" "$batch"); tf=$(median torch fp32 "$model" "$batch")
    cb=$(median converge bf16 "$model" "$batch"); tb=$(median torch bf16 "$model" "$batch")
    ratio() { awk -v t="$1" -v c="$2" 'BEGIN { if (t > 0 && c > 0) printf "%.2f", t / c; else printf "-" }'; }
    echo "| $model | $batch | $cf ms | $tf ms | $(ratio "$tf" "$cf") | $cb ms | $tb ms | $(ratio "$tb" "$cb") |"
done
