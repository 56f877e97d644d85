#!/usr/bin/env bash
# Training throughput of the Chapter 7 StreamRec recipe model: Converge (`converge bench
# streamrec`, release build) and PyTorch (scripts/bench/streamrec_torch.py, 2 threads) on the
# same batch sizes, one after the other. Both print `streamrec batch <B>: <samples/s> samples/s`.
#
# Usage: scripts/bench/streamrec_compare.sh [BATCH_SIZE ...]   (default 64 256 1024 4096)
#
# Timings on a shared machine are noisy: the load average is printed before each side.
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then sizes=(64 256 1024 4096); fi
swift build -c release --product converge >/dev/null
echo "# Converge (release), load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
.build/release/converge bench streamrec --batch-size "${sizes[@]}"
if python3 -c "import torch" 2>/dev/null; then
    echo "# PyTorch, load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
    python3 scripts/bench/streamrec_torch.py --batch-sizes "$(IFS=,; echo "${sizes[*]}")" | grep -v '^#'
else
    echo "# PyTorch not installed: skipped"
fi
