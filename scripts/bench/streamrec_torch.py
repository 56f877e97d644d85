#!/usr/bin/env python3
"""PyTorch side of `converge bench streamrec`: CPU training throughput of the Chapter 7
StreamRec recipe model.

Model: 128 -> 256 -> 128 -> 64 -> 1, each hidden layer Linear + BatchNorm1d + ReLU +
Dropout(0.3), He (Kaiming-normal, fan_in) initialization. One training step: zero_grad,
forward, BCEWithLogitsLoss, backward, clip_grad_norm_(max_norm=1.0), AdamW(lr=1e-3,
weight_decay=1e-2) step, OneCycleLR step (per batch). Inputs are random (standard normal
features, Bernoulli(0.28) labels) and drawn before timing, cycling through a fixed pool so no
data generation is timed.

For each batch size: a fresh model, optimizer and schedule; --warmup steps untimed; then
--repeats timed windows, each at least --min-seconds long (whole steps). Prints, per batch size,
the median window's throughput:

    streamrec batch <B>: <samples/s> samples/s

Lines starting with '#' describe the setup. Usage:

    python3 scripts/bench/streamrec_torch.py [--batch-sizes 64,256,1024,4096] [--threads 2]
        [--warmup 20] [--min-seconds 2] [--repeats 3] [--seed 0] [--precision float32|bfloat16]
"""
import argparse
import os
import statistics
import time

import torch
import torch.nn as nn


def make_model(input_dim=128, hidden=(256, 128, 64), dropout=0.3):
    layers = []
    previous = input_dim
    for width in hidden:
        layers += [nn.Linear(previous, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(dropout)]
        previous = width
    layers.append(nn.Linear(previous, 1))
    model = nn.Sequential(*layers)
    for module in model.modules():
        if isinstance(module, nn.Linear):
            nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
            nn.init.zeros_(module.bias)
    return model


def measure(batch_size, args):
    torch.manual_seed(args.seed)
    model = make_model()
    model.train()
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    # The schedule's length only shapes the learning-rate curve, not the cost of a step; make
    # it long enough never to run out.
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-3, total_steps=10_000_000)

    pool_batches = max(1, min(16, (1 << 16) // batch_size))
    inputs = torch.randn(pool_batches, batch_size, 128)
    targets = (torch.rand(pool_batches, batch_size, 1) < 0.28).float()
    step_index = 0

    def step():
        nonlocal step_index
        x = inputs[step_index % pool_batches]
        y = targets[step_index % pool_batches]
        step_index += 1
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bfloat16"):
            loss = criterion(model(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        return loss

    for _ in range(args.warmup):
        step()

    rates = []
    for _ in range(args.repeats):
        steps = 0
        start = time.perf_counter()
        while True:
            step()
            steps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= args.min_seconds and steps >= args.min_steps:
                break
        rates.append(steps * batch_size / elapsed)
    return statistics.median(rates), rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-sizes", default="64,256,1024,4096",
                        help="comma-separated batch sizes (default 64,256,1024,4096)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps per batch size (default 20)")
    parser.add_argument("--min-seconds", type=float, default=2.0, help="minimum length of a timed window (default 2)")
    parser.add_argument("--min-steps", type=int, default=10, help="minimum steps in a timed window (default 10)")
    parser.add_argument("--repeats", type=int, default=3, help="timed windows per batch size; the median is printed (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                        help="bfloat16: forward and loss under torch.autocast('cpu', dtype=torch.bfloat16)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    batch_sizes = [int(b) for b in args.batch_sizes.split(",") if b.strip()]
    autocast = " (bf16 autocast)" if args.precision == "bfloat16" else ""
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, CPU, {args.precision}{autocast}")
    print("# model 128-256-128-64-1 (Linear+BatchNorm1d+ReLU+Dropout(0.3)), BCEWithLogits, "
          "AdamW(1e-3, wd 1e-2), clip_grad_norm_(1.0), OneCycleLR per batch")
    print(f"# warm-up {args.warmup} steps, {args.repeats} windows of >= {args.min_seconds} s, median shown")
    if hasattr(os, "getloadavg"):
        # Other processes competing for the cores distort multi-threaded timings badly.
        print("# load average before: %.2f %.2f %.2f on %d CPUs" % (*os.getloadavg(), os.cpu_count() or 0))
    for batch_size in batch_sizes:
        rate, rates = measure(batch_size, args)
        spread = ", ".join(f"{r:.0f}" for r in rates)
        label = "streamrec" if args.precision == "float32" else f"streamrec {args.precision}"
        print(f"{label} batch {batch_size}: {rate:.0f} samples/s", flush=True)
        print(f"#   windows: {spread}", flush=True)


if __name__ == "__main__":
    main()
