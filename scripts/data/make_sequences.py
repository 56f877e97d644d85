#!/usr/bin/env python3
"""Writes examples/sequences/{train,test}.csv: a small sequence-classification task for the LSTM
recipe (examples/sequences/recipe.yaml).

Each row is 24 time steps t0..t23 and a label: 0 for a rising ramp, 1 for a falling ramp, 2 for
a sine wave around a constant level; every series gets a random level, slope or phase and
Gaussian noise (sd 0.3). Generated here with a fixed seed (no third-party data; CC0).
"""
import math
import pathlib
import random

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "examples" / "sequences"
T = 24


def series(rng, label):
    level = rng.uniform(-1, 1)
    if label == 0 or label == 1:
        slope = rng.uniform(0.04, 0.12) * (1 if label == 0 else -1)
        values = [level + slope * t for t in range(T)]
    else:
        phase, period = rng.uniform(0, 2 * math.pi), rng.uniform(6, 12)
        values = [level + 0.6 * math.sin(2 * math.pi * t / period + phase) for t in range(T)]
    return [v + rng.gauss(0, 0.3) for v in values]


def write(path, n, rng):
    lines = [",".join(f"t{t}" for t in range(T)) + ",label"]
    for i in range(n):
        label = i % 3
        lines.append(",".join(f"{v:.4f}" for v in series(rng, label)) + f",{label}")
    path.write_text("\n".join(lines) + "\n")


def main():
    rng = random.Random(7)
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "train.csv", 600, rng)
    write(OUT / "test.csv", 150, rng)
    print(f"wrote {OUT.relative_to(ROOT)}/train.csv and test.csv")


if __name__ == "__main__":
    main()
