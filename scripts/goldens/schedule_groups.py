#!/usr/bin/env python3
"""Golden per-group learning rates from torch.optim.lr_scheduler for two parameter groups at
different learning rates (0.1 and 0.01), at every step of a run.

Writes Tests/ConvergeTests/Fixtures/schedule_groups.json: for each case, "lr" as one list per group
of the value in effect for steps 0 … N−1 (read the groups, optimizer.step(), scheduler.step()),
and "momentum" the same way where the schedule cycles it. ReduceLROnPlateau cases record every
group's rate after each scheduler.step(metric) for the stored metric sequence.
Values are doubles written with 17 significant digits.
Run: python3 scripts/goldens/schedule_groups.py
"""
import json
import os
import warnings

import torch
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")
ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "Tests", "ConvergeTests", "Fixtures", "schedule_groups.json")
RATES = [0.1, 0.01]


def optimizer(kind):
    a = torch.nn.Parameter(torch.zeros(1))
    b = torch.nn.Parameter(torch.zeros(1))
    groups = [{"params": [a], "lr": RATES[0]}, {"params": [b], "lr": RATES[1]}]
    if kind == "adam":
        return torch.optim.Adam(groups)
    return torch.optim.SGD(groups, lr=RATES[0], momentum=0.9)


def run(make, steps, kind="sgd", momentum=False):
    opt = optimizer(kind)
    sched = make(opt)
    lrs = [[] for _ in opt.param_groups]
    moms = [[] for _ in opt.param_groups]
    for _ in range(steps):
        for i, g in enumerate(opt.param_groups):
            lrs[i].append(g["lr"])
            if momentum:
                moms[i].append(g["betas"][0] if kind == "adam" else g["momentum"])
        opt.step()
        sched.step()
    entry = {"initial_lr": RATES, "lr": lrs}
    if momentum:
        entry["momentum"] = moms
    return entry


def plateau(metrics, **kwargs):
    opt = optimizer("sgd")
    sched = S.ReduceLROnPlateau(opt, **kwargs)
    lrs = [[] for _ in opt.param_groups]
    for m in metrics:
        sched.step(m)
        for i, g in enumerate(opt.param_groups):
            lrs[i].append(g["lr"])
    return {"initial_lr": RATES, "metrics": metrics, "lr": lrs}


METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0, 0.85, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96,
           0.97, 0.98, 0.99, 1.0, 1.01, 1.02, 1.03, 1.04, 1.05]

cases = {
    "one_cycle_single_max_lr": run(lambda o: S.OneCycleLR(o, max_lr=0.05, total_steps=40), 40, momentum=True),
    "one_cycle_max_lr_list": run(lambda o: S.OneCycleLR(o, max_lr=[0.05, 0.2], total_steps=40, pct_start=0.25,
                                                        anneal_strategy="linear"), 40, kind="adam", momentum=True),
    "one_cycle_three_phase_list": run(lambda o: S.OneCycleLR(o, max_lr=[0.3, 0.03], total_steps=30, three_phase=True,
                                                             div_factor=10, final_div_factor=100), 30, momentum=True),
    "cosine_eta_min": run(lambda o: S.CosineAnnealingLR(o, T_max=30, eta_min=0.005), 45),
    "warm_restarts_eta_min": run(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.002), 40),
    "step": run(lambda o: S.StepLR(o, step_size=7, gamma=0.5), 30),
    "plateau_min_lr_list": plateau(METRICS, factor=0.5, patience=2, min_lr=[0.02, 0.004]),
    "plateau_min_lr_scalar": plateau(METRICS, factor=0.3, patience=1, min_lr=0.005),
}


def fmt(x):
    if isinstance(x, float):
        return float("%.17g" % x)
    if isinstance(x, list):
        return [fmt(v) for v in x]
    if isinstance(x, dict):
        return {k: fmt(v) for k, v in x.items()}
    return x


with open(OUT, "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": fmt(cases)}, f, indent=1, sort_keys=True)
    f.write("\n")
print("wrote", OUT)
