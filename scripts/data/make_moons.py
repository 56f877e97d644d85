#!/usr/bin/env python3
"""Writes examples/moons/{train,test}.csv: two interleaving half-moons (Gaussian noise 0.12)
plus two irrelevant standard-normal features, labels 0/1. Seeded (numpy default_rng(7)), so the
committed files are exactly what this script produces. Usage: python3 scripts/data/make_moons.py
"""
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "examples" / "moons"
rng = np.random.default_rng(7)


def moons(n):
    t = rng.uniform(0, np.pi, n)
    y = rng.integers(0, 2, n)
    x1 = np.where(y == 0, np.cos(t), 1 - np.cos(t))
    x2 = np.where(y == 0, np.sin(t), 0.5 - np.sin(t))
    x = np.stack([x1, x2], 1) + rng.normal(0, 0.12, (n, 2))
    extra = rng.normal(0, 1, (n, 2))
    return np.concatenate([x, extra], 1), y


for name, n in [("train", 800), ("test", 200)]:
    x, y = moons(n)
    with open(OUT / f"{name}.csv", "w") as f:
        f.write("x1,x2,noise1,noise2,label\n")
        for row, label in zip(x, y):
            f.write(",".join(f"{v:.5f}" for v in row) + f",{label}\n")
