#!/usr/bin/env python3
"""Golden trajectories for Converge's optimizers and gradient clipping.

Writes Tests/ConvergeTests/Fixtures/optim.json:
  sequence/init/{w,b}          initial parameters of the fixed-gradient case
  sequence/grads/{w,b}         50 gradients for each (shape [50, ...])
  model/init/<name>            initial weights of Linear(4,8)-Tanh-Linear(8,1)
  model/x, model/y             the fixed data (MSE, full batch)
  configs/<case>               {"optimizer": kind, "defaults": {...}, "groups": [...]}
  expected/<case>/sequence/{w,b}        parameters after 1 and 50 steps (first1 / final)
  expected/<case>/model/<name>          parameters after 50 steps on the model
  clip/...                     clip_grad_norm_ / clip_grad_value_ cases

Every optimizer runs the single-tensor (foreach=False) path, the CPU default.
Run: python3 scripts/goldens/optim.py
"""
import json
import os

import torch

torch.manual_seed(1234)
STEPS = 50
ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "Tests", "ConvergeTests", "Fixtures", "optim.json")


def exact(t):
    """Float32 values written with 9 significant digits (round-trips exactly)."""
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]}


def rounded(t):
    return {"shape": list(t.shape), "data": [float("%.8g" % v) for v in t.detach().reshape(-1).tolist()]}


# "model_lr", where given, replaces "lr" for the model case: those settings take steps so large on
# the model that float32 rounding alone moves the 50-step result by more than 1e-5 (checked below
# against a float64 run), which would make a 1e-5 comparison meaningless.
# Hyperparameters use PyTorch's names; "groups" lists which parameters (by name) each group holds
# and its own overrides. Omitted groups mean one group with every parameter.
CONFIGS = {
    "sgd": ("sgd", {"lr": 0.1}),
    "sgd_weight_decay": ("sgd", {"lr": 0.1, "weight_decay": 0.05}),
    "sgd_momentum": ("sgd", {"lr": 0.05, "momentum": 0.9}),
    "sgd_momentum_dampening": ("sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    "sgd_nesterov_weight_decay": ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    "adam": ("adam", {"lr": 0.01}),
    "adam_weight_decay": ("adam", {"lr": 0.01, "weight_decay": 0.1}),
    "adam_amsgrad": ("adam", {"lr": 0.01, "betas": [0.8, 0.99], "amsgrad": True}),
    "adamw": ("adamw", {"lr": 0.01, "weight_decay": 0.1}),
    "adamw_amsgrad": ("adamw", {"lr": 0.01, "weight_decay": 0.05, "amsgrad": True, "eps": 1e-6}),
    "rmsprop": ("rmsprop", {"lr": 0.01}),
    "rmsprop_momentum": ("rmsprop", {"lr": 0.01, "momentum": 0.5, "model_lr": 0.002}),
    "rmsprop_centered": ("rmsprop", {"lr": 0.01, "alpha": 0.9, "centered": True}),
    "rmsprop_centered_momentum_weight_decay": (
        "rmsprop", {"lr": 0.005, "alpha": 0.95, "centered": True, "momentum": 0.7, "weight_decay": 0.01, "eps": 1e-6,
                    "model_lr": 0.002}),
    "adagrad": ("adagrad", {"lr": 0.1}),
    "adagrad_decay": ("adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01,
                                  "initial_accumulator_value": 0.1, "eps": 1e-8}),
}
# Parameter groups: the first parameter(s) with weight decay, the rest without, own lr.
GROUPED = {
    "sgd_momentum_groups": ("sgd", {"lr": 0.05, "momentum": 0.9}, [
        {"params": "decay", "weight_decay": 0.01},
        {"params": "no_decay", "weight_decay": 0.0, "lr": 0.02}]),
    "adamw_groups": ("adamw", {"lr": 0.01, "weight_decay": 0.1}, [
        {"params": "decay"},
        {"params": "no_decay", "weight_decay": 0.0, "lr": 0.003}]),
}

KINDS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
         "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}


def make(kind, defaults, groups, named, for_model=False):
    """named: list of (name, tensor). 'decay' = rank >= 2, 'no_decay' = rank <= 1."""
    kw = dict(defaults)
    model_lr = kw.pop("model_lr", None)
    if for_model and model_lr is not None:
        kw["lr"] = model_lr
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    kw["foreach"] = False
    if groups is None:
        params = [p for _, p in named]
    else:
        params = []
        for g in groups:
            sel = [p for _, p in named if (p.dim() >= 2) == (g["params"] == "decay")]
            params.append({**{k: v for k, v in g.items() if k != "params"}, "params": sel})
    return KINDS[kind](params, **kw)


# ---- fixed gradient sequence -------------------------------------------------------------------
w0 = torch.randn(3, 4)
b0 = torch.randn(4) * 0.5
scales = torch.tensor([10.0 if i % 7 == 3 else (0.01 if i % 11 == 5 else 1.0) for i in range(STEPS)])
gw = torch.randn(STEPS, 3, 4) * scales.view(-1, 1, 1)
gb = torch.randn(STEPS, 4) * scales.view(-1, 1) + 0.3
# Round the inputs to what the JSON carries.
w0, b0, gw, gb = [torch.tensor(exact(t)["data"], dtype=torch.float32).reshape(t.shape) for t in (w0, b0, gw, gb)]

# ---- small real model --------------------------------------------------------------------------
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
x = torch.randn(32, 4)
y = (x[:, :1] * 0.7 - x[:, 1:2] * x[:, 2:3] + 0.1 * torch.randn(32, 1))
x, y = [torch.tensor(exact(t)["data"], dtype=torch.float32).reshape(t.shape) for t in (x, y)]
model_init = {k: torch.tensor(exact(v)["data"], dtype=torch.float32).reshape(v.shape)
              for k, v in model.state_dict().items()}

out = {
    "sequence": {"init": {"w": exact(w0), "b": exact(b0)}, "grads": {"w": exact(gw), "b": exact(gb)}},
    "model": {"init": {k: exact(v) for k, v in model_init.items()}, "x": exact(x), "y": exact(y)},
    "configs": {},
    "expected": {},
}

cases = {k: (kind, d, None) for k, (kind, d) in CONFIGS.items()}
cases.update(GROUPED)
for name, (kind, defaults, groups) in cases.items():
    out["configs"][name] = {"optimizer": kind, "defaults": defaults, "groups": groups or []}
    expected = {}
    # Fixed gradient sequence.
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = make(kind, defaults, groups, [("w", w), ("b", b)])
    seq = {}
    for step in range(STEPS):
        w.grad = gw[step].clone()
        b.grad = gb[step].clone()
        opt.step()
        if step == 0:
            seq["first"] = {"w": rounded(w), "b": rounded(b)}
    seq["final"] = {"w": rounded(w), "b": rounded(b)}
    expected["sequence"] = seq
    # Model, in float32 (the golden) and float64 (to check the case is well conditioned).
    finals = {}
    for dtype in (torch.float64, torch.float32):
        model = model.to(dtype)
        model.load_state_dict({k: v.to(dtype) for k, v in model_init.items()})
        opt = make(kind, defaults, groups, list(model.named_parameters()), for_model=True)
        for step in range(STEPS):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x.to(dtype)), y.to(dtype))
            loss.backward()
            opt.step()
        finals[dtype] = {k: v.clone() for k, v in model.state_dict().items()}
    drift = max(((finals[torch.float32][k].double() - finals[torch.float64][k]).abs().max()
                 / finals[torch.float64][k].abs().max()).item() for k in finals[torch.float64])
    assert drift < 3e-6, f"{name}: float32 vs float64 differ by {drift:.2e} after {STEPS} steps (ill-conditioned case)"
    expected["model_float64_drift"] = float("%.3g" % drift)
    expected["model"] = {k: rounded(v) for k, v in model.state_dict().items()}
    expected["model_final_loss"] = float("%.8g" % torch.nn.functional.mse_loss(model(x), y).item())
    out["expected"][name] = expected

# ---- gradient clipping -------------------------------------------------------------------------
clip = {}
grads = [torch.randn(5, 3) * 2, torch.randn(7), torch.randn(2, 2, 2) * 0.1]
grads = [torch.tensor(exact(g)["data"], dtype=torch.float32).reshape(g.shape) for g in grads]
clip["grads"] = {str(i): exact(g) for i, g in enumerate(grads)}
for label, max_norm, norm_type in [("l2", 1.0, 2.0), ("l2_no_clip", 100.0, 2.0), ("l1", 3.0, 1.0),
                                   ("inf", 0.5, float("inf")), ("l3", 2.0, 3.0)]:
    ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm=max_norm, norm_type=norm_type, foreach=False)
    clip[label] = {"max_norm": max_norm, "norm_type": "inf" if norm_type == float("inf") else norm_type,
                   "total_norm": float("%.8g" % total.item()),
                   "clipped": {str(i): rounded(p.grad) for i, p in enumerate(ps)}}
ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
for p, g in zip(ps, grads):
    p.grad = g.clone()
torch.nn.utils.clip_grad_value_(ps, clip_value=0.75, foreach=False)
clip["value"] = {"clip_value": 0.75, "clipped": {str(i): rounded(p.grad) for i, p in enumerate(ps)}}
out["clip"] = clip

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", os.path.relpath(OUT), os.path.getsize(OUT), "bytes")
