#!/usr/bin/env bash
# Kill-and-resume under fault injection: N runs (default 50) of a small recipe, each killed with
# SIGKILL at a random point — either a named fault point of the checkpoint swap
# (CONVERGE_FAULT_POINT, see Sources/Converge/Reliability/FaultPoint.swift) at a random hit, or
# after a random delay — then resumed with `converge train --resume`. Every resumed model must be
# bit-identical to an uninterrupted run's.
#   usage: scripts/kill-resume.sh [N] [path/to/converge]   (default: .build/debug/converge)
set -uo pipefail
N=${1:-50}
BIN=$(realpath "${2:-.build/debug/converge}")
[ -x "$BIN" ] || { echo "no converge executable at $BIN (swift build first)"; exit 2; }
WORK=$(mktemp -d /tmp/converge-kill-resume.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
python3 - <<'PY'
import random
random.seed(9)
with open("train.csv", "w") as f:
    f.write("x1,x2,label\n")
    for i in range(96):
        label = i % 2
        f.write(f"{(1 if label else -1) + random.random() - 0.5},{random.random() * 3},{label}\n")
PY
cat > recipe.yaml <<'YAML'
seed: 3
data: { train: train.csv, validation: 0.25, label: label }
model: { mlp: { hidden: [16], batchnorm: true, dropout: 0.1 } }
optimizer: { name: adamw, lr: 0.01 }
schedule: { name: one-cycle, max_lr: 0.02 }
training: { epochs: 4, batch_size: 8, checkpoint_every_steps: 4 }
YAML
export OPENBLAS_NUM_THREADS=1
"$BIN" train recipe.yaml --quiet --output reference >/dev/null || { echo "reference run failed"; exit 1; }
START=$(date +%s.%N)
"$BIN" train recipe.yaml --quiet --output timing >/dev/null
DURATION=$(echo "$(date +%s.%N) - $START" | bc)
POINTS=(checkpoint.file-written checkpoint.files-synced checkpoint.version-renamed checkpoint.pointer-created
        checkpoint.pointer-swapped checkpoint.pruned run.started run.model-written)
pass=0; fail=0; killed=0
for i in $(seq 1 "$N"); do
  out="run-$i"
  if (( RANDOM % 2 == 0 )); then
    point="${POINTS[RANDOM % ${#POINTS[@]}]}@$(( RANDOM % 14 + 1 ))"
    how="fault $point"
    CONVERGE_FAULT_POINT=$point "$BIN" train recipe.yaml --quiet --output "$out" >/dev/null 2>&1
    status=$?
  else
    delay=$(echo "scale=3; $DURATION * $RANDOM / 32767" | bc)
    how="SIGKILL after ${delay}s"
    "$BIN" train recipe.yaml --quiet --output "$out" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"; kill -9 "$pid" 2>/dev/null
    wait "$pid"; status=$?
  fi
  [ "$status" = 137 ] && killed=$((killed + 1))
  # Killed before it created its folder: nothing was started, so it is started again.
  resume=(--resume "$out"); [ -d "$out" ] || resume=(--output "$out")
  if "$BIN" train recipe.yaml --quiet "${resume[@]}" >/dev/null 2>"$out.err" && cmp -s reference/model.safetensors "$out/model.safetensors"; then
    pass=$((pass + 1)); echo "ok   $i: $how (exit $status)"
  else
    fail=$((fail + 1)); echo "FAIL $i: $how (exit $status): $(head -1 "$out.err")"
  fi
done
echo "kill-resume: $pass of $N resumed bit-identical ($killed killed mid-run, $fail failed)"
[ "$fail" = 0 ]
