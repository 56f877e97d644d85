#!/usr/bin/env bash
# Training throughput of the issue's GPT (4 pre-LN blocks, d_model 256, context 128, batch 16):
# Converge (`converge bench transformer`, release build) and PyTorch
# (scripts/bench/transformer_torch.py: eager fp32 and bf16 autocast, 2 threads), one after the
# other in the same run. The load average is printed before each side (the machine is shared).
#
# Usage: scripts/bench/transformer_compare.sh [STEPS_PER_WINDOW]   (default 4)
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="${1:-4}"
swift build -c release --product converge >/dev/null
echo "# Converge (release), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
.build/release/converge bench transformer --size "$steps"
if python3 -c "import torch" 2>/dev/null; then
    echo "# PyTorch, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    python3 scripts/bench/transformer_torch.py --threads 2 --steps "$steps"
    echo "# Converge again, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    .build/release/converge bench transformer --size "$steps"
else
    echo "# PyTorch not installed: skipped"
fi
