#!/usr/bin/env python3
"""Golden values for Converge's mixed-precision support (Sources/Converge/Precision).

Writes Tests/ConvergeTests/Fixtures/precision.json:
  rounding/input                     float32 inputs: edge values (65504, 65520, 1e-8, 6e-8, NaN, ±Inf,
                                     ties for round-to-nearest-even, subnormals) and random values at
                                     magnitudes 1e-9 … 1e5
  rounding/float16, rounding/bfloat16   torch `.half().float()` / `.bfloat16().float()` of the input
  gradient/input, gradient/upstream  x and g for `(x.half().float() * g).sum().backward()`
  gradient/float16, gradient/bfloat16   the resulting x.grad (g rounded to the type)
  finfo/<dtype>                      [max, smallest normal, eps, smallest subnormal] from torch.finfo
  scaler/<case>/config               [init_scale, growth_factor, backoff_factor, growth_interval]
  scaler/<case>/found_inf            1 where the step's gradient is poisoned (Inf or NaN), else 0
  scaler/<case>/poison               the value written into the gradient on those steps
  scaler/<case>/scale, /tracker      scale and growth tracker after each update()
  scaler/<case>/params               the parameter after each step (SGD lr 0.1; skipped on Inf)
  scaler/<case>/init, /coefficients  the initial parameter and the loss coefficients c
                                     (loss = sum(c * p), so the true gradient is c)

The scaler cases run torch.amp.GradScaler("cpu", ...), which works on the CPU in this torch
version (2.x) and applies the same `_amp_update_scale_` rule as the CUDA scaler.
Run: python3 scripts/goldens/precision.py
"""
import json
import math
import os

import torch

torch.manual_seed(3)
ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "Tests", "ConvergeTests", "Fixtures", "precision.json")


def number(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float("%.9g" % v)


def exact(t):
    """Float32 values with 9 significant digits (round-trips exactly); NaN/Inf as strings."""
    t = t.detach().float()
    return {"shape": list(t.shape), "data": [number(v) for v in t.reshape(-1).tolist()]}


def rounding_inputs():
    edge = [0.0, -0.0, 1.0, -1.0, 65504.0, 65505.0, 65519.0, 65519.99, 65520.0, -65520.0, 65536.0, 1e5,
            1e-8, 6e-8, 5.9604645e-08, 2.0 ** -25, 3 * 2.0 ** -25, 2.0 ** -24, 1.5 * 2.0 ** -24, 2.0 ** -14,
            2.0 ** -14 - 2.0 ** -25, 6.1e-5, 1e-5, 1e-40, -1e-40,
            1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 2049.0, 2051.0, -2049.0,
            1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8, 257.0, 259.0, 0.1, 1 / 3,
            3.3895314e38, 3.39e38, 3.4028235e38, -3.4028235e38, 1.17549435e-38,
            float("nan"), float("inf"), float("-inf")]
    random = []
    for exponent in range(-9, 6):
        random += (torch.randn(6) * 10.0 ** exponent).tolist()
    return torch.tensor(edge + random, dtype=torch.float32)


def scaler_case(init_scale, growth_interval, found_inf, poison, steps_note=None):
    growth_factor, backoff_factor = 2.0, 0.5
    scaler = torch.amp.GradScaler("cpu", init_scale=init_scale, growth_factor=growth_factor,
                                  backoff_factor=backoff_factor, growth_interval=growth_interval)
    init = torch.tensor([0.5, -1.25, 2.0])
    coefficients = torch.tensor([0.75, -0.5, 1.5])
    p = torch.nn.Parameter(init.clone())
    optimizer = torch.optim.SGD([p], lr=0.1)
    scales, trackers, params = [], [], []
    for bad in found_inf:
        optimizer.zero_grad()
        scaler.scale((coefficients * p).sum()).backward()
        if bad:
            p.grad[1] = poison
        scaler.step(optimizer)
        scaler.update()
        state = scaler.state_dict()
        scales.append(state["scale"])
        trackers.append(state["_growth_tracker"])
        params.append(p.detach().clone())
    return {
        "config": [init_scale, growth_factor, backoff_factor, growth_interval],
        "found_inf": [1.0 if b else 0.0 for b in found_inf],
        "poison": number(poison),
        "scale": [number(s) for s in scales],
        "tracker": [float(t) for t in trackers],
        "params": exact(torch.stack(params)),
        "init": exact(init),
        "coefficients": exact(coefficients),
    }


def main():
    x = rounding_inputs()
    fixture = {
        "rounding": {"input": exact(x), "float16": exact(x.half().float()), "bfloat16": exact(x.bfloat16().float())},
        "finfo": {},
        "gradient": {},
        "scaler": {},
    }
    for name, dtype in [("float16", torch.float16), ("bfloat16", torch.bfloat16)]:
        info = torch.finfo(dtype)
        fixture["finfo"][name] = [number(info.max), number(info.tiny), number(info.eps), number(info.smallest_normal * info.eps)]
    gx = torch.randn(4, 5)
    g = torch.randn(4, 5) * torch.tensor([1e-7, 1e-3, 1.0, 1e4, 1e5]).reshape(1, 5)
    fixture["gradient"]["input"] = exact(gx)
    fixture["gradient"]["upstream"] = exact(g)
    for name, convert in [("float16", lambda t: t.half()), ("bfloat16", lambda t: t.bfloat16())]:
        leaf = gx.clone().requires_grad_(True)
        (convert(leaf).float() * g).sum().backward()
        fixture["gradient"][name] = exact(leaf.grad)

    pattern = [False, False, True, False, False, False, False, True, True, False, False, False, False, False,
               False, False, True, False, False, False]
    fixture["scaler"]["interval3_inf"] = scaler_case(65536.0, 3, pattern, float("inf"))
    fixture["scaler"]["interval3_nan"] = scaler_case(1024.0, 3, pattern, float("nan"))
    # Growth stops where the grown scale would overflow float32 (2^127 · 2 = Inf).
    fixture["scaler"]["overflow_guard"] = scaler_case(2.0 ** 126, 1, [False] * 4 + [True] + [False] * 3, float("inf"))
    # PyTorch's defaults: one Inf, then 2001 finite steps (growth after 2000).
    fixture["scaler"]["defaults"] = scaler_case(65536.0, 2000, [True] + [False] * 2001, float("inf"))
    fixture["scaler"]["defaults"].pop("params")

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
