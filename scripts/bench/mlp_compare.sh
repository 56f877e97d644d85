#!/usr/bin/env bash
# The GEMM-bound MLP (512-2048-2048-3, batch 512, AdamW): Converge (`converge bench mlp`, release
# build) and PyTorch (mlp_torch.py), float32 and bf16 autocast, alternately for ROUNDS rounds
# (default 3); prints each figure, the medians, and Converge / PyTorch per precision.
#
# Usage: ROUNDS=3 [TORCH_THREADS=2] scripts/bench/mlp_compare.sh [BATCH_SIZE]
set -euo pipefail
cd "$(dirname "$0")/../.."
b=${1:-512}
rounds=${ROUNDS:-3}
converge=${CONVERGE:-}
if [ -z "$converge" ]; then
    swift build -c release --product converge >/dev/null
    converge=.build/release/converge
fi
log=$(mktemp /tmp/mlp_compare.XXXXXX)
trap 'rm -f "$log"' EXIT
run() {  # run NAME COMMAND...
    local name=$1; shift
    local line; line=$("$@" 2>&1 | grep -E 'batch [0-9]+: ' | head -1)
    echo "$name: $line (load $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || true))"
    echo "$name $(echo "$line" | sed -E 's/.*batch [0-9]+: ([0-9.]+) samples\/s.*/\1/')" >>"$log"
}
for r in $(seq 1 "$rounds"); do
    run converge-fp32 "$converge" bench mlp --batch-size "$b"
    run torch-fp32 python3 scripts/bench/mlp_torch.py --batch-size "$b" --threads "${TORCH_THREADS:-2}"
    run converge-bf16 "$converge" bench mlp --batch-size "$b" --precision bfloat16
    run torch-bf16 python3 scripts/bench/mlp_torch.py --batch-size "$b" --precision bfloat16 --threads "${TORCH_THREADS:-2}"
done
median() { awk -v s="$1" '$1 == s { print $2 }' "$log" | sort -g |
           awk '{ v[NR] = $1 } END { if (NR) printf "%.0f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for s in converge-fp32 torch-fp32 converge-bf16 torch-bf16; do echo "median $s: $(median $s) samples/s"; done
awk -v a="$(median converge-fp32)" -v b="$(median torch-fp32)" 'BEGIN { printf "converge/torch fp32: %.2f (target 1.3)\n", a / b }'
awk -v a="$(median converge-bf16)" -v b="$(median torch-bf16)" 'BEGIN { printf "converge/torch bf16: %.2f (target 1.5)\n", a / b }'
