#!/usr/bin/env python3
"""PyTorch side of `converge bench mlp`: training throughput of the GEMM-bound MLP
512 -> 2048 -> 2048 -> 3 (ReLU) at batch 512, cross-entropy on random labels, AdamW(lr 1e-3,
weight decay 1e-2); eager float32, or the forward pass and loss under bf16 autocast. Warm-up
steps, then --repeats windows of at least --min-seconds; prints the median:

    mlp batch <B>: <samples/s> samples/s          (or: mlp bfloat16 batch <B>: ...)

Usage: python3 scripts/bench/mlp_torch.py [--batch-size 512] [--threads 2] [--precision float32|bfloat16]
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--min-seconds", type=float, default=2.0)
    parser.add_argument("--min-steps", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(512, 2048), nn.ReLU(), nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, 3))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    b = args.batch_size
    xs = torch.randn(4, b, 512)
    ys = torch.randint(0, 3, (4, b))
    index = 0

    def step():
        nonlocal index
        x, y = xs[index % 4], ys[index % 4]
        index += 1
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bfloat16"):
            loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    rates = []
    for _ in range(args.repeats):
        steps, start = 0, time.perf_counter()
        while True:
            step()
            steps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= args.min_seconds and steps >= args.min_steps:
                break
        rates.append(steps * b / elapsed)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, {args.precision}")
    label = "mlp" if args.precision == "float32" else f"mlp {args.precision}"
    print(f"{label} batch {b}: {statistics.median(rates):.0f} samples/s")


if __name__ == "__main__":
    main()
