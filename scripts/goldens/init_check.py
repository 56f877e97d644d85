#!/usr/bin/env python3
"""Reference statistics for `converge init-check` (seed §7.2.5) from PyTorch.

The experiment is the seed's `verify_initialization_variance`: standard-normal inputs
[samples, width] through `depth` bias-free nn.Linear(width, width) layers, each re-initialized by
the scheme and followed by the activation; the mean and (unbiased) variance of all activations are
recorded after every layer (layer 0 is the input). Random streams differ between PyTorch and
Converge, so the comparison is statistical: for each configuration the experiment runs with
seeds 0..SEEDS-1 and, per layer, the file stores the mean and standard deviation over seeds of
log10(variance) and of mean/sqrt(variance), and the fraction of seeds whose variance overflowed
float32 (inf).

Writes Tests/ConvergeTests/Fixtures/init_check.json:
  configs/<name>/config            [depth, width, samples]
  configs/<name>/log10_variance_mean, log10_variance_std, infinite_fraction, scaled_mean_mean,
  scaled_mean_std                  one value per layer 0..depth (NaN where no seed is finite)
  seed_table/<scheme>              the seed's printout: final variance at depth 20, width 512,
                                   1000 samples, ReLU, torch.manual_seed(42)
Run: python3 scripts/goldens/init_check.py
"""
import json
import math
import os

import torch
import torch.nn as nn

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "Tests", "ConvergeTests", "Fixtures", "init_check.json")
SEEDS = 20

ACTIVATIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda x: x,
    "gelu": torch.nn.functional.gelu,
}


def initialize(weight, scheme):
    if scheme == "he":
        nn.init.kaiming_normal_(weight, nonlinearity="relu")
    elif scheme == "xavier":
        nn.init.xavier_normal_(weight)
    elif scheme == "normal-0.01":
        nn.init.normal_(weight, std=0.01)
    elif scheme == "normal-1.0":
        nn.init.normal_(weight, std=1.0)
    elif scheme == "orthogonal":
        nn.init.orthogonal_(weight)
    elif scheme == "default":
        pass  # nn.Linear's own initialization
    else:
        raise ValueError(scheme)


def experiment(scheme, activation, depth, width, samples, seed):
    torch.manual_seed(seed)
    layers = []
    for _ in range(depth):
        layer = nn.Linear(width, width, bias=False)
        initialize(layer.weight, scheme)
        layers.append(layer)
    act = ACTIVATIONS[activation]
    x = torch.randn(samples, width)
    stats = [(x.mean().item(), x.var().item())]
    with torch.no_grad():
        for layer in layers:
            x = act(layer(x))
            stats.append((x.mean().item(), x.var().item()))
    return stats


CONFIGS = {
    # The seed's table at full width and depth (fewer samples keep the Swift test quick).
    "he_relu_20x512": ("he", "relu", 20, 512, 64),
    "small_relu_20x512": ("normal-0.01", "relu", 20, 512, 64),
    "large_relu_20x512": ("normal-1.0", "relu", 20, 512, 64),
    # Other schemes and activations on a narrower stack.
    "xavier_tanh_10x128": ("xavier", "tanh", 10, 128, 256),
    "default_relu_10x128": ("default", "relu", 10, 128, 256),
    "orthogonal_linear_10x64": ("orthogonal", "linear", 10, 64, 256),
    "he_gelu_10x128": ("he", "gelu", 10, 128, 256),
    "xavier_sigmoid_10x128": ("xavier", "sigmoid", 10, 128, 256),
    "large_tanh_10x128": ("normal-1.0", "tanh", 10, 128, 256),
}


def summarize(runs, depth):
    out = {k: [] for k in ["log10_variance_mean", "log10_variance_std", "infinite_fraction", "scaled_mean_mean", "scaled_mean_std"]}
    for layer in range(depth + 1):
        variances = [r[layer][1] for r in runs]
        finite = [v for v in variances if math.isfinite(v) and v > 0]
        logs = [math.log10(v) for v in finite]
        scaled = [r[layer][0] / math.sqrt(r[layer][1]) for r in runs if math.isfinite(r[layer][1]) and r[layer][1] > 0 and math.isfinite(r[layer][0])]

        def mean(xs):
            return sum(xs) / len(xs) if xs else float("nan")

        def std(xs):
            if len(xs) < 2:
                return float("nan")
            m = mean(xs)
            return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))

        out["log10_variance_mean"].append(mean(logs))
        out["log10_variance_std"].append(std(logs))
        out["infinite_fraction"].append(sum(1 for v in variances if math.isinf(v)) / len(variances))
        out["scaled_mean_mean"].append(mean(scaled))
        out["scaled_mean_std"].append(std(scaled))
    return out


def encode(x):
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return float(f"{x:.8g}")


def main():
    configs = {}
    for name, (scheme, activation, depth, width, samples) in CONFIGS.items():
        runs = [experiment(scheme, activation, depth, width, samples, seed) for seed in range(SEEDS)]
        summary = summarize(runs, depth)
        entry = {"config": {"shape": [3], "data": [depth, width, samples]}}
        for key, values in summary.items():
            entry[key] = {"shape": [depth + 1], "data": [encode(v) for v in values]}
        configs[name] = entry
        print(f"{name}: final log10 var {summary['log10_variance_mean'][-1]:.3f} ± {summary['log10_variance_std'][-1]:.3f}, inf fraction {summary['infinite_fraction'][-1]}")
    table = {}
    for scheme in ["normal-0.01", "normal-1.0", "he"]:
        final = experiment(scheme, "relu", 20, 512, 1000, 42)[-1][1]
        table[scheme] = encode(final)
        print(f"Init: {scheme:>12s} | Layer 20 variance: {final:.6e}")
    with open(OUT, "w") as f:
        json.dump({"configs": configs, "seed_table": table}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
