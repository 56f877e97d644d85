#!/usr/bin/env python3
"""JAX side of `converge bench streamrec`: CPU training throughput of the Chapter 7 StreamRec
recipe model, the whole step under one jax.jit.

Model: 128 -> 256 -> 128 -> 64 -> 1, each hidden layer Linear + BatchNorm (batch statistics,
running statistics updated with momentum 0.1) + ReLU + Dropout(0.3), He (Kaiming-normal, fan_in)
initialization. One step: forward, binary cross-entropy on logits, gradients (jax.grad), global
gradient-norm clipping to 1.0, AdamW (lr from a one-cycle schedule with max 1e-3, betas
(0.9, 0.999), eps 1e-8, weight decay 1e-2, decoupled). Inputs are random and drawn before timing,
cycling through a fixed pool, as in streamrec_torch.py; the measurement loop is the same (warm-up
steps, then windows of at least --min-seconds, the median printed):

    streamrec batch <B>: <samples/s> samples/s

Usage: python3 scripts/bench/streamrec_jax.py [--batch-sizes 64,256,1024,4096] [--threads 2]
           [--warmup 20] [--min-seconds 2] [--repeats 3]
"""
import argparse
import math
import os
import statistics
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-sizes", default="64,256,1024,4096")
    parser.add_argument("--threads", type=int, default=2, help="XLA CPU threads (default 2)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--min-seconds", type=float, default=2.0)
    parser.add_argument("--min-steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("XLA_FLAGS", f"--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads={args.threads}")
    import jax
    import jax.numpy as jnp

    sizes = [128, 256, 128, 64, 1]

    def init(key):
        params, stats = [], []
        for i in range(4):
            key, sub = jax.random.split(key)
            fan_in, fan_out = sizes[i], sizes[i + 1]
            w = jax.random.normal(sub, (fan_in, fan_out)) * math.sqrt(2.0 / fan_in)
            layer = {"w": w, "b": jnp.zeros(fan_out)}
            if i < 3:
                layer["gamma"] = jnp.ones(fan_out)
                layer["beta"] = jnp.zeros(fan_out)
                stats.append({"mean": jnp.zeros(fan_out), "var": jnp.ones(fan_out)})
            params.append(layer)
        return params, stats

    def forward(params, stats, x, key):
        new_stats = []
        for i, layer in enumerate(params):
            x = x @ layer["w"] + layer["b"]
            if i < 3:
                mean = x.mean(0)
                var = x.var(0)
                n = x.shape[0]
                new_stats.append({"mean": 0.9 * stats[i]["mean"] + 0.1 * mean,
                                  "var": 0.9 * stats[i]["var"] + 0.1 * var * n / (n - 1)})
                x = (x - mean) / jnp.sqrt(var + 1e-5) * layer["gamma"] + layer["beta"]
                x = jax.nn.relu(x)
                key, sub = jax.random.split(key)
                keep = jax.random.bernoulli(sub, 0.7, x.shape)
                x = jnp.where(keep, x / 0.7, 0.0)
        return x, new_stats

    def loss_fn(params, stats, x, y, key):
        logits, new_stats = forward(params, stats, x, key)
        loss = jnp.mean(jnp.maximum(logits, 0) - logits * y + jnp.log1p(jnp.exp(-jnp.abs(logits))))
        return loss, new_stats

    total_steps = 10_000_000

    def one_cycle(step):
        pct = step / total_steps
        up = 0.3
        initial, final, peak = 1e-3 / 25, 1e-3 / 25 / 1e4, 1e-3
        cos_up = initial + (peak - initial) * (1 - jnp.cos(jnp.pi * pct / up)) / 2
        cos_down = final + (peak - final) * (1 + jnp.cos(jnp.pi * (pct - up) / (1 - up))) / 2
        return jnp.where(pct < up, cos_up, cos_down)

    @jax.jit
    def step(params, stats, m, v, t, x, y, key):
        (loss, new_stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, stats, x, y, key)
        leaves = jax.tree_util.tree_leaves(grads)
        norm = jnp.sqrt(sum(jnp.sum(g * g) for g in leaves))
        scale = jnp.minimum(1.0, 1.0 / (norm + 1e-6))
        grads = jax.tree_util.tree_map(lambda g: g * scale, grads)
        t = t + 1
        lr = one_cycle(t)
        m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
        c1, c2 = 1 - 0.9 ** t, 1 - 0.999 ** t
        params = jax.tree_util.tree_map(
            lambda p, m, v: p * (1 - lr * 1e-2) - lr * (m / c1) / (jnp.sqrt(v / c2) + 1e-8), params, m, v)
        return params, new_stats, m, v, t, loss

    print(f"# jax {jax.__version__}, {jax.devices()[0].platform}, float32, XLA_FLAGS={os.environ.get('XLA_FLAGS')}")
    print("# model 128-256-128-64-1 (Linear+BatchNorm+ReLU+Dropout(0.3)), BCE on logits, AdamW(1e-3, wd 1e-2), "
          "global-norm clip 1.0, one-cycle lr; the whole step in one jax.jit")
    for batch_size in [int(b) for b in args.batch_sizes.split(",") if b.strip()]:
        key = jax.random.PRNGKey(args.seed)
        params, stats = init(key)
        m = jax.tree_util.tree_map(jnp.zeros_like, params)
        v = jax.tree_util.tree_map(jnp.zeros_like, params)
        t = jnp.array(0.0)
        pool = max(1, min(16, (1 << 16) // batch_size))
        key, kx, ky = jax.random.split(key, 3)
        xs = jax.random.normal(kx, (pool, batch_size, 128))
        ys = (jax.random.uniform(ky, (pool, batch_size, 1)) < 0.28).astype(jnp.float32)
        keys = jax.random.split(key, 64)
        index = 0

        def run():
            nonlocal params, stats, m, v, t, index
            params, stats, m, v, t, loss = step(params, stats, m, v, t, xs[index % pool], ys[index % pool], keys[index % 64])
            index += 1
            return loss

        for _ in range(args.warmup):
            run().block_until_ready()
        rates = []
        for _ in range(args.repeats):
            steps = 0
            start = time.perf_counter()
            while True:
                loss = run()
                steps += 1
                elapsed = time.perf_counter() - start
                if elapsed >= args.min_seconds and steps >= args.min_steps:
                    loss.block_until_ready()
                    elapsed = time.perf_counter() - start
                    break
            rates.append(steps * batch_size / elapsed)
        print(f"streamrec batch {batch_size}: {statistics.median(rates):.0f} samples/s", flush=True)
        print("#   windows: " + ", ".join(f"{r:.0f}" for r in rates), flush=True)


if __name__ == "__main__":
    main()
