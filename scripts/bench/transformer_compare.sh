#!/usr/bin/env bash
# Training throughput of the issue's GPT (4 pre-LN blocks, d_model 256, context 128, batch 16),
# side by side in one run: Converge (`converge bench transformer`, release build) in float32 and
# under bfloat16 autocast (`--precision bfloat16`), and PyTorch (scripts/bench/transformer_torch.py:
# eager fp32 and bf16 autocast, 2 threads). The contenders alternate for ROUNDS rounds; every
# figure is printed with the load average at the time, then a table of each contender's median
# and the two targets of issue 13: Converge fp32 ≥ 1.5× PyTorch eager fp32, and Converge bf16
# ≥ 2× PyTorch bf16 autocast. Converge also runs with its portable C kernels
# (CONVERGE_ISA=generic) for the table; set GENERIC=0 to leave those rows out.
#
# Usage: scripts/bench/transformer_compare.sh [ROUNDS] [STEPS_PER_WINDOW]   (defaults 3 and 4)
# Set CONVERGE=path/to/converge to use a built binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-3}"
steps="${2:-4}"
converge=${CONVERGE:-}
if [ -z "$converge" ]; then
    swift build -c release --product converge >/dev/null
    converge=.build/release/converge
fi
have_torch=0
if python3 -c "import torch" 2>/dev/null; then have_torch=1; fi

load() { cut -d' ' -f1 /proc/loadavg; }
figure() { sed -n 's/.*: \([0-9.]*\) tokens\/s.*/\1/p' | head -1; }
generic=${GENERIC:-1}
declare -a c32 c16 g32 g16 t32 t16 loads
for ((r = 1; r <= rounds; r++)); do
    l=$(load); loads+=("$l")
    v=$("$converge" bench transformer --size "$steps" 2>&1 | tee /dev/stderr | figure); c32+=("$v")
    v=$("$converge" bench transformer --size "$steps" --precision bfloat16 2>&1 | tee /dev/stderr | figure); c16+=("$v")
    if [ "$generic" = 1 ]; then
        v=$(CONVERGE_ISA=generic "$converge" bench transformer --size "$steps" 2>&1 | tee /dev/stderr | figure); g32+=("$v")
        v=$(CONVERGE_ISA=generic "$converge" bench transformer --size "$steps" --precision bfloat16 2>&1 | tee /dev/stderr | figure); g16+=("$v")
    fi
    if [ "$have_torch" = 1 ]; then
        out=$(python3 scripts/bench/transformer_torch.py --threads 2 --steps "$steps" 2>&1 | tee /dev/stderr)
        t32+=("$(echo "$out" | grep 'torch fp32' | figure)")
        t16+=("$(echo "$out" | grep 'torch bf16' | figure)")
    fi
    echo "# round $r done (load average at its start: $l, now: $(load))" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
m32=$(median "${c32[@]}"); m16=$(median "${c16[@]}")
echo
echo "transformer bench, $rounds rounds of $steps-step windows; load averages at round starts: ${loads[*]}"
printf '%-34s %14s   %s\n' "contender" "median tok/s" "all rounds"
printf '%-34s %14s   %s\n' "Converge float32" "$m32" "${c32[*]}"
printf '%-34s %14s   %s\n' "Converge bfloat16 autocast" "$m16" "${c16[*]}"
if [ "$generic" = 1 ]; then
    printf '%-34s %14s   %s\n' "Converge float32, portable C" "$(median "${g32[@]}")" "${g32[*]}"
    printf '%-34s %14s   %s\n' "Converge bfloat16, portable C" "$(median "${g16[@]}")" "${g16[*]}"
fi
awk -v loads="${loads[*]}" 'BEGIN {n = split(loads, l, " "); for (i = 1; i <= n; i++) if (l[i] > 1.5) {print "WARNING: load average above 1.5 during the run: PyTorch'"'"'s OpenMP threads spin-wait and lose far more than Converge on a shared machine, so these ratios overstate Converge; rerun on a quiet machine"; exit}}'
if [ "$have_torch" = 1 ]; then
    p32=$(median "${t32[@]}"); p16=$(median "${t16[@]}")
    printf '%-34s %14s   %s\n' "PyTorch eager float32" "$p32" "${t32[*]}"
    printf '%-34s %14s   %s\n' "PyTorch bf16 autocast" "$p16" "${t16[*]}"
    awk -v a="$m32" -v b="$p32" 'BEGIN {printf "Converge fp32 / PyTorch fp32:        %.2fx (target >= 1.5x: %s)\n", a/b, (a/b >= 1.5 ? "met" : "not met")}'
    awk -v a="$m16" -v b="$p16" 'BEGIN {printf "Converge bf16 / PyTorch bf16:        %.2fx (target >= 2x: %s)\n", a/b, (a/b >= 2 ? "met" : "not met")}'
else
    echo "PyTorch not installed: its side skipped"
fi
