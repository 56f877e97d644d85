#!/usr/bin/env python3
"""Golden values for Converge's losses (forward value and input gradients, every reduction).

Writes Tests/ConvergeTests/Fixtures/losses.json. Each case is an object:
  <case>/inputs/<name>            inputs (exact float32 values, 9 significant digits)
  <case>/options                  {"delta": .., "ignore_index": .., "label_smoothing": .., ...}
  <case>/<reduction>/value        the loss (reduction: none, mean, sum)
  <case>/<reduction>/grad/<name>  gradient of sum(loss * upstream) w.r.t. each differentiable input
                                  (upstream = inputs/upstream for "none", 1 otherwise)
Class-index targets are stored as floats holding integer class ids (-100 = ignored).
Run: python3 scripts/goldens/losses.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240611)
ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "Tests", "ConvergeTests", "Fixtures", "losses.json")
REDUCTIONS = ["none", "mean", "sum"]


def exact(t):
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]}


def rounded(t):
    return {"shape": list(t.shape), "data": [float("%.8g" % v) for v in t.detach().reshape(-1).tolist()]}


def case(inputs, differentiable, fn, options=None, unreduced_shape=None):
    """Runs fn(reduction, **tensors) for every reduction; records value and gradients."""
    result = {"inputs": {k: exact(v) for k, v in inputs.items()}, "options": options or {}}
    for reduction in REDUCTIONS:
        tensors = {k: v.clone().requires_grad_(k in differentiable) for k, v in inputs.items() if k != "upstream"}
        loss = fn(reduction, **tensors)
        if reduction == "none":
            if "upstream" not in inputs:
                inputs["upstream"] = torch.randn(loss.shape)
                result["inputs"]["upstream"] = exact(inputs["upstream"])
            (loss * inputs["upstream"]).sum().backward()
        else:
            loss.backward()
        result[reduction] = {"value": rounded(loss),
                             "grad": {k: rounded(tensors[k].grad) for k in differentiable}}
    return result


def regression_inputs(shape=(4, 5)):
    x = torch.randn(shape) * 1.5
    t = torch.randn(shape)
    return {"predictions": x, "targets": t}


cases = {}
reg = regression_inputs()
both = ["predictions", "targets"]
cases["mse"] = case(dict(reg), both, lambda r, predictions, targets: F.mse_loss(predictions, targets, reduction=r))
cases["l1"] = case(dict(reg), both, lambda r, predictions, targets: F.l1_loss(predictions, targets, reduction=r))
for delta in [1.0, 0.5]:
    cases[f"huber_{delta}"] = case(
        dict(reg), both,
        lambda r, predictions, targets, d=delta: F.huber_loss(predictions, targets, reduction=r, delta=d),
        {"delta": delta})
for beta in [1.0, 0.5, 0.0]:
    cases[f"smooth_l1_{beta}"] = case(
        dict(reg), both,
        lambda r, predictions, targets, b=beta: F.smooth_l1_loss(predictions, targets, reduction=r, beta=b),
        {"beta": beta})

# Cross-entropy with class indices.
N, C = 6, 5
logits = torch.randn(N, C) * 2
idx = torch.randint(0, C, (N,)).float()
idx_ignored = idx.clone()
idx_ignored[2] = -100
idx_ignored[4] = 1  # make sure class 1 is present
weights = torch.rand(C) + 0.5


def ce(options):
    w = options.get("weights")
    kwargs = {"ignore_index": options.get("ignore_index", -100), "label_smoothing": options.get("label_smoothing", 0.0)}

    def fn(r, logits, targets, **extra):
        t = targets if targets.shape == logits.shape else targets.long()
        return F.cross_entropy(logits, t, weight=extra.get("weights"), reduction=r, **kwargs)
    return fn


def ce_case(inputs, options, differentiable=("logits",)):
    opts = {k: v for k, v in options.items() if k != "weights"}
    if "weights" in options:
        inputs = dict(inputs, weights=options["weights"])
    return case(inputs, list(differentiable), ce(options), opts)


cases["ce_plain"] = ce_case({"logits": logits, "targets": idx}, {})
cases["ce_weighted"] = ce_case({"logits": logits, "targets": idx}, {"weights": weights})
cases["ce_smooth"] = ce_case({"logits": logits, "targets": idx}, {"label_smoothing": 0.1})
cases["ce_ignore"] = ce_case({"logits": logits, "targets": idx_ignored}, {})
cases["ce_weighted_smooth_ignore"] = ce_case({"logits": logits, "targets": idx_ignored},
                                             {"weights": weights, "label_smoothing": 0.2})
cases["ce_ignore_index_0"] = ce_case({"logits": logits, "targets": idx}, {"ignore_index": 0, "label_smoothing": 0.1})
probs = torch.softmax(torch.randn(N, C), dim=1)
cases["ce_prob"] = ce_case({"logits": logits, "targets": probs}, {}, ("logits", "targets"))
cases["ce_prob_weighted_smooth"] = ce_case({"logits": logits, "targets": probs},
                                           {"weights": weights, "label_smoothing": 0.15}, ("logits", "targets"))
# K-dimensional: [N, C, d1, d2] with targets [N, d1, d2].
kd_logits = torch.randn(3, 4, 2, 3)
kd_idx = torch.randint(0, 4, (3, 2, 3)).float()
kd_idx[1, 0, 2] = -100
cases["ce_kdim"] = ce_case({"logits": kd_logits, "targets": kd_idx},
                           {"weights": torch.rand(4) + 0.5, "label_smoothing": 0.1})
cases["ce_kdim_prob"] = ce_case({"logits": kd_logits, "targets": torch.softmax(torch.randn(3, 4, 2, 3), dim=1)}, {},
                                ("logits", "targets"))
# Unbatched: logits [C], scalar target.
cases["ce_unbatched"] = ce_case({"logits": torch.randn(C), "targets": torch.tensor(3.0)}, {"label_smoothing": 0.1})

# Negative log-likelihood on log-probabilities.
logp = torch.log_softmax(torch.randn(N, C), dim=1)


def nll(options):
    def fn(r, logp, targets, **extra):
        return F.nll_loss(logp, targets.long(), weight=extra.get("weights"), reduction=r,
                          ignore_index=options.get("ignore_index", -100))
    return fn


cases["nll_plain"] = case({"logp": logp, "targets": idx}, ["logp"], nll({}))
cases["nll_weighted_ignore"] = case({"logp": logp, "targets": idx_ignored, "weights": weights}, ["logp"], nll({}))

# Binary cross-entropy with logits, including large logits for stability.
bl = torch.randn(4, 3) * 3
bl[0, 0], bl[1, 1], bl[2, 2] = 40.0, -40.0, 25.0
bt = torch.rand(4, 3)
bt[0, 1], bt[1, 0] = 1.0, 0.0
bw = torch.rand(4, 3) + 0.5
pw = torch.tensor([0.5, 2.0, 3.0])


def bce_logits(r, logits, targets, **extra):
    return F.binary_cross_entropy_with_logits(logits, targets, weight=extra.get("weights"),
                                              pos_weight=extra.get("pos_weight"), reduction=r)


cases["bcel_plain"] = case({"logits": bl, "targets": bt}, ["logits", "targets"], bce_logits)
cases["bcel_weighted"] = case({"logits": bl, "targets": bt, "weights": bw}, ["logits", "targets"], bce_logits)
cases["bcel_pos_weight"] = case({"logits": bl, "targets": bt, "pos_weight": pw}, ["logits", "targets"], bce_logits)
cases["bcel_row_weight_pos_weight"] = case({"logits": bl, "targets": bt, "weights": torch.rand(3) + 0.5, "pos_weight": pw},
                                           ["logits", "targets"], bce_logits)

# Binary cross-entropy on probabilities.
bp = torch.sigmoid(torch.randn(4, 3) * 2)


def bce(r, probabilities, targets, **extra):
    return F.binary_cross_entropy(probabilities, targets, weight=extra.get("weights"), reduction=r)


cases["bce_plain"] = case({"probabilities": bp, "targets": bt}, ["probabilities", "targets"], bce)
cases["bce_weighted"] = case({"probabilities": bp, "targets": bt, "weights": bw}, ["probabilities", "targets"], bce)
extreme = bp.clone()
extreme[0, 0], extreme[1, 1], extreme[2, 0] = 0.0, 1.0, 1.0
et = bt.clone()
et[0, 0], et[1, 1], et[2, 0] = 1.0, 0.0, 1.0  # log(0) clamped to -100 on the first two; exact on the third
cases["bce_extreme"] = case({"probabilities": extreme, "targets": et}, ["probabilities"], bce)

with open(OUT, "w") as f:
    json.dump(cases, f, separators=(",", ":"))
print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
