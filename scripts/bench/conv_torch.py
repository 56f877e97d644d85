#!/usr/bin/env python3
"""PyTorch side of `converge bench conv`: the time of one training step of the digits CNN
(`converge demo digits`: Conv2d(1,16,3,p1), ReLU, Conv2d(16,32,3,p1), ReLU, MaxPool2d(2), Flatten,
Linear(512,64), ReLU, Linear(64,10) on [N,1,8,8]; batch 32 and 256) and a Conv1d net
(Conv1d(8,32,5,p2), ReLU, MaxPool1d(2), Conv1d(32,64,5,p2), ReLU, MaxPool1d(2), Flatten,
Linear(4096,10) on [N,8,256]; batch 64). Cross-entropy on random labels, AdamW(lr 1e-3, weight decay
1e-2); eager float32, or the forward pass and loss under bf16 autocast. Warm-up steps, then
--repeats windows of at least --min-seconds; prints the median window's mean step time per model:

    conv digits-cnn batch 32: <ms> ms/step (<samples/s> samples/s)

Usage: python3 scripts/bench/conv_torch.py [--threads 2] [--precision float32|bfloat16] [--batch-size N]
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn


def digits_cnn():
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 10))


def conv1d_net():
    return nn.Sequential(nn.Conv1d(8, 32, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                         nn.Conv1d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                         nn.Flatten(), nn.Linear(64 * 64, 10))


MODELS = {"digits-cnn": (digits_cnn, (1, 8, 8), [32, 256]), "conv1d": (conv1d_net, (8, 256), [64])}


def measure(make, sample_shape, b, args):
    torch.manual_seed(0)
    model = make()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    xs = torch.randn(4, b, *sample_shape)
    ys = torch.randint(0, 10, (4, b))
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
    times = []
    for _ in range(args.repeats):
        steps, start = 0, time.perf_counter()
        while True:
            step()
            steps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= args.min_seconds and steps >= args.min_steps:
                break
        times.append(elapsed / steps)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=1.0)
    parser.add_argument("--min-steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=None, help="one batch size for every model")
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, {args.precision}")
    for name, (make, shape, batches) in MODELS.items():
        for b in ([args.batch_size] if args.batch_size else batches):
            seconds = measure(make, shape, b, args)
            label = f"conv {name}" if args.precision == "float32" else f"conv {name} {args.precision}"
            print(f"{label} batch {b}: {seconds * 1e3:.3f} ms/step ({b / seconds:.0f} samples/s)", flush=True)


if __name__ == "__main__":
    main()
