#!/usr/bin/env python3
"""Golden learning rates (and momenta) from torch.optim.lr_scheduler, at every step of a run.

Writes Tests/ConvergeTests/Fixtures/schedules.json: for each case, "lr" (and "momentum" where the
schedule cycles it) as the value in effect for steps 0 … N−1, recorded the PyTorch way: read the
optimizer's group, then optimizer.step(), then scheduler.step(). ReduceLROnPlateau cases record the
learning rate after each scheduler.step(metric) for a fixed metric sequence, also stored.
Values are doubles written with 17 significant digits.
Run: python3 scripts/goldens/schedules.py
"""
import json
import math
import os
import warnings

import torch
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")
ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "Tests", "ConvergeTests", "Fixtures", "schedules.json")


def optimizer(kind, lr):
    p = torch.nn.Parameter(torch.zeros(1))
    if kind == "adam":
        return torch.optim.Adam([p], lr=lr)
    if kind == "adagrad":
        return torch.optim.Adagrad([p], lr=lr)
    return torch.optim.SGD([p], lr=lr, momentum=0.9)


def run(make, steps, kind="sgd", lr=0.1, momentum=False):
    opt = optimizer(kind, lr)
    sched = make(opt)
    lrs, moms = [], []
    for _ in range(steps):
        g = opt.param_groups[0]
        lrs.append(g["lr"])
        if momentum:
            moms.append(g["betas"][0] if kind == "adam" else g["momentum"])
        opt.step()
        sched.step()
    entry = {"lr": lrs}
    if momentum:
        entry["momentum"] = moms
    return entry


cases = {
    "constant": run(lambda o: S.ConstantLR(o, factor=0.5, total_iters=4), 10),
    "step": run(lambda o: S.StepLR(o, step_size=7, gamma=0.5), 40),
    "multi_step": run(lambda o: S.MultiStepLR(o, milestones=[5, 12, 20], gamma=0.3), 30),
    "exponential": run(lambda o: S.ExponentialLR(o, gamma=0.95), 50),
    "polynomial": run(lambda o: S.PolynomialLR(o, total_iters=30, power=2.0), 40),
    "linear_decay": run(lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=25), 35),
    "linear_ramp": run(lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=10), 15),
    "cosine": run(lambda o: S.CosineAnnealingLR(o, T_max=30, eta_min=0.001), 70),
    "cosine_zero": run(lambda o: S.CosineAnnealingLR(o, T_max=50), 50),
    "warm_restarts_mult2": run(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-4), 80),
    "warm_restarts": run(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=7), 30),
    "warmup_cosine": run(lambda o: S.SequentialLR(o, [
        S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=10),
        S.CosineAnnealingLR(o, T_max=40, eta_min=1e-5)], milestones=[10]), 60),
    "warmup_step": run(lambda o: S.SequentialLR(o, [
        S.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=4),
        S.StepLR(o, step_size=5, gamma=0.1)], milestones=[4]), 20),
    "one_cycle_sgd": run(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=100), 100, momentum=True),
    "one_cycle_adam": run(lambda o: S.OneCycleLR(o, max_lr=1e-3, total_steps=60), 60, kind="adam", lr=1e-3,
                          momentum=True),
    "one_cycle_three_phase": run(lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=90, three_phase=True),
                                 90, momentum=True),
    "one_cycle_linear": run(lambda o: S.OneCycleLR(o, max_lr=0.05, total_steps=50, pct_start=0.25, div_factor=10.0,
                                                   final_div_factor=100.0, anneal_strategy="linear",
                                                   base_momentum=0.8, max_momentum=0.9), 50, momentum=True),
    "one_cycle_uneven": run(lambda o: S.OneCycleLR(o, max_lr=0.3, total_steps=37, pct_start=0.3), 37, momentum=True),
    "one_cycle_no_momentum": run(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=40, cycle_momentum=False),
                                 40, kind="adagrad"),
}

# ReduceLROnPlateau on fixed metric sequences.
torch.manual_seed(7)
decreasing = [1.0 / (1 + 0.3 * i) for i in range(12)]
plateau = [decreasing[-1] * (1 + 0.003 * math.sin(i)) for i in range(28)]
metrics_min = decreasing + plateau + [0.1, 0.099, 0.0985] + [0.0985] * 17
metrics_max = [min(0.9, 0.5 + 0.05 * i) for i in range(40)]


def plateau_run(metrics, **kw):
    opt = optimizer("sgd", 0.1)
    sched = S.ReduceLROnPlateau(opt, **kw)
    lrs = []
    for m in metrics:
        sched.step(m)
        lrs.append(opt.param_groups[0]["lr"])
    return {"metrics": metrics, "lr": lrs}


cases["plateau_min"] = plateau_run(metrics_min, mode="min", factor=0.5, patience=3, threshold=1e-2,
                                   cooldown=2, min_lr=0.004)
cases["plateau_max_abs"] = plateau_run(metrics_max, mode="max", factor=0.2, patience=2, threshold=0.01,
                                       threshold_mode="abs")
cases["plateau_defaults"] = plateau_run(metrics_min, mode="min")


def fmt(v):
    return float("%.17g" % v)


out = {k: {kk: [fmt(x) for x in vv] for kk, vv in v.items()} for k, v in cases.items()}
with open(OUT, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", os.path.relpath(OUT), os.path.getsize(OUT), "bytes")
