#!/usr/bin/env python3
"""Writes examples/doctor-corpus/: small generated datasets (two-moons, circles, blobs, short
sequences as flat features), buggy recipes (each with the bug class the doctor must report)
and healthy recipes, and manifest.json. Deterministic (seeded); no third-party packages.

Run from the repository root: python3 scripts/doctor/make_corpus.py
"""
import json, math, os, random

ROOT = os.path.join("examples", "doctor-corpus")
DATA = os.path.join(ROOT, "data")

def write_csv(name, header, rows):
    with open(os.path.join(DATA, name), "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(v if isinstance(v, str) else ("%d" % v if isinstance(v, int) else "%.5f" % v) for v in r) + "\n")

def moons(n, rng, noise=0.15):
    rows = []
    for i in range(n):
        label = i % 2
        t = rng.random() * math.pi
        x, y = (math.cos(t), math.sin(t)) if label == 0 else (1 - math.cos(t), 0.5 - math.sin(t))
        rows.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise), label])
    rng.shuffle(rows)
    return rows

def circles(n, rng, noise=0.08):
    rows = []
    for i in range(n):
        label = i % 2
        r = 1.0 if label == 0 else 0.5
        t = rng.random() * 2 * math.pi
        rows.append([r * math.cos(t) + rng.gauss(0, noise), r * math.sin(t) + rng.gauss(0, noise), label])
    rng.shuffle(rows)
    return rows

def blobs(n, rng, k=3):
    centers = [(-2, -1), (2, -1), (0, 2.2), (-2, 2), (2, 2)][:k]
    rows = []
    for i in range(n):
        c = i % k
        rows.append([centers[c][0] + rng.gauss(0, 0.7), centers[c][1] + rng.gauss(0, 0.7), c])
    rng.shuffle(rows)
    return rows

def sequences(n, rng, steps=8):
    # Label: whether the sequence's second half has a larger mean than its first half.
    rows = []
    for i in range(n):
        label = i % 2
        trend = 0.6 if label else -0.6
        seq = [trend * (t - steps / 2) / steps + rng.gauss(0, 0.3) for t in range(steps)]
        rows.append(seq + [label])
    rng.shuffle(rows)
    return rows

def regression(n, rng):
    rows = []
    for _ in range(n):
        x = [rng.uniform(-1.5, 1.5) for _ in range(4)]
        y = 0.8 * x[0] - 0.5 * x[1] + 0.3 * x[2] * x[3] + rng.gauss(0, 0.1)
        rows.append(x + [y])
    return rows

def main():
    os.makedirs(DATA, exist_ok=True)
    for sub in ("bugs", "healthy"):
        os.makedirs(os.path.join(ROOT, sub), exist_ok=True)
    rng = random.Random(20261201)
    xy = ["x1", "x2", "label"]
    m = moons(400, rng); write_csv("moons.csv", xy, m)
    write_csv("circles.csv", xy, circles(400, rng))
    write_csv("blobs.csv", xy, blobs(450, rng))
    write_csv("sequences.csv", ["t%d" % i for i in range(8)] + ["label"], sequences(400, rng))
    write_csv("regression.csv", ["a", "b", "c", "d", "label"], regression(400, rng))
    # Variants of the moons data, each with one data bug.
    write_csv("moons_sorted.csv", xy, sorted(m, key=lambda r: r[2]))
    write_csv("moons_leak.csv", ["x1", "x2", "outcome_code", "label"], [[r[0], r[1], r[2], r[2]] for r in m])
    nan = [list(r) for r in m]; nan[17][0] = "nan"; nan[230][1] = "nan"
    write_csv("moons_nan.csv", xy, nan)
    write_csv("moons_scaled.csv", ["x1", "x2", "income", "label"], [[r[0] * 1000 + 5000, r[1] * 800 - 3000, rng.uniform(2e4, 9e4), r[2]] for r in m])
    write_csv("moons_huge.csv", xy, [[r[0] * 1e18, r[1] * 1e18, r[2]] for r in m])
    write_csv("moons_codes.csv", ["x1", "x2", "region", "label"], [[r[0], r[1], rng.randrange(6), r[2]] for r in m])
    write_csv("moons_shifted.csv", xy, [[r[0], r[1], r[2] + 1] for r in m])
    write_csv("moons_small_noisy.csv", xy, [[r[0], r[1], r[2] if rng.random() > 0.25 else 1 - r[2]] for r in m[:60]])
    write_csv("moons_continuous.csv", xy, [[r[0], r[1], r[0] * 2.5 + r[1]] for r in m])

    entries = []
    def recipe(folder, name, text, cls, repairable=False, reference=None):
        path = os.path.join(folder, name + ".yaml")
        with open(os.path.join(ROOT, path), "w") as f:
            f.write(text.strip() + "\n")
        entries.append({"name": name, "recipe": path, "class": cls, "repairable": repairable, "reference": reference})

    T = "training: { epochs: %d, batch_size: %d%s }"
    def data(file, extra=""):
        return "data: { train: ../data/%s, validation: 0.25, label: label%s }" % (file, extra)

    # ---- healthy recipes (12) ----
    H = "healthy"
    recipe(H, "moons-adamw", "seed: 1\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (15, 32, ""), "healthy")
    recipe(H, "moons-sgd-momentum", "seed: 2\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: relu, init: he } }\noptimizer: { name: sgd, lr: 0.1, momentum: 0.9 }\n" + T % (15, 32, ""), "healthy")
    recipe(H, "moons-batchnorm-onecycle", "seed: 3\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: relu, batchnorm: true, init: he } }\noptimizer: { name: adamw, lr: 3.0e-3 }\nschedule: { name: one-cycle, max_lr: 1.0e-2 }\n" + T % (15, 32, ", clip_norm: 1.0"), "healthy")
    recipe(H, "circles-adam", "seed: 4\n" + data("circles.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: relu, init: he } }\noptimizer: { name: adam, lr: 1.0e-2 }\n" + T % (20, 32, ""), "healthy")
    recipe(H, "circles-tanh-xavier", "seed: 5\n" + data("circles.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: tanh, init: xavier } }\noptimizer: { name: adam, lr: 1.0e-2 }\n" + T % (20, 32, ""), "healthy")
    recipe(H, "blobs-multiclass", "seed: 6\n" + data("blobs.csv") + "\nmodel: { mlp: { hidden: [16], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (15, 32, ""), "healthy")
    recipe(H, "blobs-gelu-cosine", "seed: 7\n" + data("blobs.csv") + "\nmodel: { mlp: { hidden: [32], activation: gelu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\nschedule: { name: cosine }\n" + T % (15, 32, ""), "healthy")
    recipe(H, "sequences-mlp", "seed: 8\n" + data("sequences.csv") + "\nmodel: { mlp: { hidden: [32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 3.0e-3 }\n" + T % (15, 32, ""), "healthy")
    recipe(H, "sequences-conv1d", "seed: 9\n" + data("sequences.csv") + "\nmodel: { layers: [ {reshape: [1, 8]}, {conv1d: {out: 8, kernel: 3, padding: 1}}, {relu: {}}, {flatten: {}}, {linear: {out: 1}} ] }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (15, 32, ""), "healthy")
    recipe(H, "regression-mlp", "seed: 10\ndata: { train: ../data/regression.csv, validation: 0.25, label: label, task: regression }\nmodel: { mlp: { hidden: [32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (20, 32, ""), "healthy")
    recipe(H, "moons-layers-dropout", "seed: 11\n" + data("moons.csv") + "\nmodel: { layers: [ {linear: {out: 32}}, {relu: {}}, {dropout: {p: 0.1}}, {linear: {out: 32}}, {relu: {}}, {linear: {out: 1}} ] }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (15, 32, ""), "healthy")
    recipe(H, "circles-rmsprop", "seed: 12\n" + data("circles.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: relu, init: he } }\noptimizer: { name: rmsprop, lr: 3.0e-3 }\n" + T % (20, 32, ""), "healthy")

    # ---- buggy recipes ----
    B = "bugs"
    ref = "healthy/moons-adamw.yaml"
    deep_sigmoid = "model: { mlp: { hidden: [32, 32, 32, 32, 32, 32, 32, 32], activation: sigmoid } }"
    recipe(B, "vanishing-deep-sigmoid-moons", "seed: 1\n" + data("moons.csv") + "\n" + deep_sigmoid + "\noptimizer: { name: sgd, lr: 0.1 }\n" + T % (15, 32, ""), "vanishing-gradients", True, ref)
    recipe(B, "vanishing-deep-sigmoid-circles", "seed: 2\n" + data("circles.csv") + "\n" + deep_sigmoid + "\noptimizer: { name: sgd, lr: 0.1, momentum: 0.9 }\n" + T % (15, 32, ""), "vanishing-gradients", True, "healthy/circles-adam.yaml")
    # A layer list (no init key, no `batchnorm: true`): the repair inserts BatchNorm layers.
    deep_sigmoid_layers = "model: { layers: [ " + "{linear: {out: 32}}, {sigmoid: {}}, " * 6 + "{linear: {out: 1}} ] }"
    recipe(B, "vanishing-deep-sigmoid-layers", "seed: 32\n" + data("moons.csv") + "\n" + deep_sigmoid_layers + "\noptimizer: { name: sgd, lr: 0.1 }\n" + T % (15, 32, ""), "vanishing-gradients", True, ref)
    recipe(B, "vanishing-small-init-relu", "seed: 3\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [32, 32, 32, 32, 32, 32], activation: relu, init: normal-0.01 } }\noptimizer: { name: sgd, lr: 0.05 }\n" + T % (15, 32, ""), "vanishing-gradients", True, ref)
    recipe(B, "vanishing-tanh-large-init", "seed: 4\n" + data("circles.csv") + "\nmodel: { mlp: { hidden: [64, 64, 64], activation: tanh, init: normal-1.0 } }\noptimizer: { name: sgd, lr: 0.05 }\n" + T % (15, 32, ""), "vanishing-gradients", True, "healthy/circles-tanh-xavier.yaml")
    recipe(B, "exploding-sgd-lr-moons", "seed: 5\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [64, 64, 64], activation: relu, init: he } }\noptimizer: { name: sgd, lr: 3.0, momentum: 0.9 }\n" + T % (15, 32, ""), "exploding-gradients", True, ref)
    recipe(B, "exploding-large-init-relu", "seed: 6\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [64, 64, 64, 64], activation: relu, init: normal-1.0 } }\noptimizer: { name: sgd, lr: 0.05 }\n" + T % (15, 32, ""), "exploding-gradients", True, ref)
    recipe(B, "exploding-regression-sgd", "seed: 7\ndata: { train: ../data/regression.csv, validation: 0.25, label: label, task: regression }\nmodel: { mlp: { hidden: [64, 64], activation: relu, init: he } }\noptimizer: { name: sgd, lr: 2.0, momentum: 0.9 }\n" + T % (20, 32, ""), "exploding-gradients", True, "healthy/regression-mlp.yaml")
    recipe(B, "dying-relu-adam-high-lr", "seed: 8\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [32, 32, 32], activation: relu, init: he } }\noptimizer: { name: adam, lr: 1.0 }\n" + T % (15, 32, ""), "dying-relu", True, ref)
    recipe(B, "dying-relu-circles", "seed: 9\n" + data("circles.csv") + "\nmodel: { mlp: { hidden: [16, 16, 16, 16], activation: relu, init: he } }\noptimizer: { name: sgd, lr: 1.5 }\n" + T % (15, 16, ""), "dying-relu", True, "healthy/circles-adam.yaml")
    recipe(B, "oscillating-sgd-moons", "seed: 10\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: tanh, init: xavier } }\noptimizer: { name: sgd, lr: 1.2, momentum: 0.9 }\n" + T % (20, 16, ""), "oscillating-loss", True, ref)
    recipe(B, "oscillating-blobs", "seed: 11\n" + data("blobs.csv") + "\nmodel: { mlp: { hidden: [32], activation: tanh, init: xavier } }\noptimizer: { name: sgd, lr: 2.0, momentum: 0.9 }\n" + T % (20, 8, ""), "oscillating-loss", True, "healthy/blobs-multiclass.yaml")
    recipe(B, "slow-sgd-tiny-lr-moons", "seed: 12\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: relu, init: he } }\noptimizer: { name: sgd, lr: 1.0e-5 }\n" + T % (15, 32, ""), "slow-convergence", True, ref)
    recipe(B, "slow-adam-tiny-lr-circles", "seed: 13\n" + data("circles.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: relu, init: he } }\noptimizer: { name: adam, lr: 1.0e-6 }\n" + T % (15, 32, ""), "slow-convergence", True, "healthy/circles-adam.yaml")
    recipe(B, "slow-sgd-blobs", "seed: 14\n" + data("blobs.csv") + "\nmodel: { mlp: { hidden: [16], activation: relu, init: he } }\noptimizer: { name: sgd, lr: 3.0e-5 }\n" + T % (15, 32, ""), "slow-convergence", True, "healthy/blobs-multiclass.yaml")
    recipe(B, "nan-cells-in-data", "seed: 15\n" + data("moons_nan.csv") + "\nmodel: { mlp: { hidden: [32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (10, 32, ""), "nan-data")
    recipe(B, "nan-from-huge-features", "seed: 16\n" + data("moons_huge.csv", ", standardize: false") + "\nmodel: { mlp: { hidden: [32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (10, 32, ""), "nan-data", True, ref)
    recipe(B, "overfitting-small-noisy", "seed: 17\ndata: { train: ../data/moons_small_noisy.csv, validation: 0.3, label: label }\nmodel: { mlp: { hidden: [256, 256, 256], activation: relu, init: he } }\noptimizer: { name: adam, lr: 3.0e-3, weight_decay: 0 }\n" + T % (60, 8, ""), "overfitting")
    recipe(B, "unshuffled-sorted-moons", "seed: 18\n" + data("moons_sorted.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (15, 32, ", shuffle: false"), "unshuffled-sorted", True, ref)
    recipe(B, "label-leakage", "seed: 19\n" + data("moons_leak.csv") + "\nmodel: { mlp: { hidden: [32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (10, 32, ""), "label-leakage")
    recipe(B, "lint-sigmoid-into-logits-loss", "seed: 20\n" + data("moons.csv") + "\nmodel: { layers: [ {linear: {out: 32}}, {relu: {}}, {linear: {out: 1}}, {sigmoid: {}} ] }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (10, 32, ""), "lint-output-activation")
    recipe(B, "lint-output-size", "seed: 21\n" + data("moons.csv") + "\nmodel: { layers: [ {linear: {out: 32}}, {relu: {}}, {linear: {out: 3}} ] }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (10, 32, ""), "lint-output-size")
    recipe(B, "lint-regression-target-as-classes", "seed: 22\n" + data("moons_continuous.csv", ", task: classification") + "\nmodel: { mlp: { hidden: [32] } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (10, 32, ""), "lint-target-kind")
    recipe(B, "lint-unnormalized-features", "seed: 23\n" + data("moons_scaled.csv", ", standardize: false") + "\nmodel: { mlp: { hidden: [32, 32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (15, 32, ""), "lint-feature-scale", True, ref)
    recipe(B, "lint-integer-coded-feature", "seed: 24\n" + data("moons_codes.csv") + "\nmodel: { mlp: { hidden: [32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (10, 32, ""), "lint-integer-coded-feature")
    recipe(B, "lint-labels-start-at-one", "seed: 25\n" + data("moons_shifted.csv") + "\nmodel: { mlp: { hidden: [32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (10, 32, ""), "lint-label-range")
    recipe(B, "lint-he-init-with-tanh", "seed: 26\n" + data("circles.csv") + "\nmodel: { mlp: { hidden: [32, 32], activation: tanh, init: he } }\noptimizer: { name: adam, lr: 1.0e-2 }\n" + T % (15, 32, ""), "lint-init-activation", True, "healthy/circles-tanh-xavier.yaml")
    recipe(B, "lint-batchnorm-tiny-batches", "seed: 27\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [32], activation: relu, batchnorm: true, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (5, 4, ", drop_last: true"), "lint-batchnorm-batch")
    recipe(B, "lint-dropout-after-output", "seed: 28\n" + data("moons.csv") + "\nmodel: { layers: [ {linear: {out: 32}}, {relu: {}}, {linear: {out: 1}}, {dropout: {p: 0.3}} ] }\noptimizer: { name: adamw, lr: 1.0e-2 }\n" + T % (10, 32, ""), "lint-dropout-output")
    recipe(B, "lint-adam-lr-far-too-high", "seed: 29\n" + data("blobs.csv") + "\nmodel: { mlp: { hidden: [16], activation: relu, init: he } }\noptimizer: { name: adam, lr: 0.8 }\n" + T % (10, 32, ""), "lint-learning-rate", True, "healthy/blobs-multiclass.yaml")
    recipe(B, "lint-schedule-too-short", "seed: 30\n" + data("moons.csv") + "\nmodel: { mlp: { hidden: [32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\nschedule: { name: one-cycle, max_lr: 1.0e-2, total_steps: 20 }\n" + T % (10, 32, ""), "lint-schedule-length")
    recipe(B, "lint-cosine-restarts-midway", "seed: 31\n" + data("circles.csv") + "\nmodel: { mlp: { hidden: [32], activation: relu, init: he } }\noptimizer: { name: adamw, lr: 1.0e-2 }\nschedule: { name: cosine, t_max: 10 }\n" + T % (15, 32, ""), "lint-schedule-length")

    with open(os.path.join(ROOT, "manifest.json"), "w") as f:
        json.dump({"recipes": entries}, f, indent=1)
        f.write("\n")
    print("wrote %d recipes (%d healthy) to %s" % (len(entries), sum(e["class"] == "healthy" for e in entries), ROOT))

if __name__ == "__main__":
    main()
