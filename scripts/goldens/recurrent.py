#!/usr/bin/env python3
"""Golden values for Converge's recurrent layers (LSTMCell, GRUCell, LSTM, GRU).

Writes Tests/ConvergeTests/Fixtures/recurrent.json. Each case is an object:
  <case>/config                 {"input_size", "hidden_size", "num_layers", "batch_first", "bias"}
  <case>/params/<name>          parameters under Converge's names (weightIH0 for weight_ih_l0,
                                weightIH for a cell's weight_ih, ...), exact float32
  <case>/inputs/<name>          x, and h0 / c0 when given (exact float32)
  <case>/upstream/<name>        random weights v of the objective sum(v_out·out) + sum(v_h·h_n) + ...
  <case>/expected/<name>        output, h_n, c_n (cells: h, c)
  <case>/grad/<name>            gradients of the objective w.r.t. x, h0, c0 and every parameter
Run: python3 scripts/goldens/recurrent.py
"""
import json
import os
import re

import torch

torch.manual_seed(777)
ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "Tests", "ConvergeTests", "Fixtures", "recurrent.json")


def exact(t):
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]}


def rounded(t):
    return {"shape": list(t.shape), "data": [float("%.8g" % v) for v in t.detach().reshape(-1).tolist()]}


def converge_name(name):
    """weight_ih_l0 -> weightIH0, bias_hh -> biasHH."""
    m = re.fullmatch(r"(weight|bias)_(ih|hh)(?:_l(\d+))?", name)
    return m.group(1) + m.group(2).upper() + (m.group(3) or "")


def record(module, inputs, outputs_fn, config):
    for p in module.parameters():
        # Spread the parameters a little wider than the default init so gates leave their linear range.
        with torch.no_grad():
            p.mul_(2.0)
    tensors = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    outputs = outputs_fn(module, tensors)
    upstream = {k: torch.randn(v.shape) for k, v in outputs.items()}
    objective = sum((outputs[k] * upstream[k]).sum() for k in outputs)
    objective.backward()
    case = {
        "config": config,
        "params": {converge_name(n): exact(p) for n, p in module.named_parameters()},
        "inputs": {k: exact(v) for k, v in inputs.items()},
        "upstream": {k: exact(v) for k, v in upstream.items()},
        "expected": {k: rounded(v) for k, v in outputs.items()},
        "grad": {k: rounded(v.grad) for k, v in tensors.items()},
    }
    case["grad"].update({converge_name(n): rounded(p.grad) for n, p in module.named_parameters()})
    return case


cases = {}

# Cells: batch 3, input 4, hidden 5.
cell = torch.nn.LSTMCell(4, 5)
cases["lstm_cell"] = record(
    cell, {"x": torch.randn(3, 4), "h0": torch.randn(3, 5), "c0": torch.randn(3, 5)},
    lambda m, t: dict(zip(["h", "c"], m(t["x"], (t["h0"], t["c0"])))),
    {"input_size": 4, "hidden_size": 5, "bias": True})
cell = torch.nn.GRUCell(4, 5)
cases["gru_cell"] = record(
    cell, {"x": torch.randn(3, 4), "h0": torch.randn(3, 5)},
    lambda m, t: {"h": m(t["x"], t["h0"])},
    {"input_size": 4, "hidden_size": 5, "bias": True})


def lstm_case(input_size, hidden, layers, batch_first, bias, x_shape, with_state):
    m = torch.nn.LSTM(input_size, hidden, num_layers=layers, batch_first=batch_first, bias=bias)
    unbatched = len(x_shape) == 2
    batch = None if unbatched else (x_shape[0] if batch_first else x_shape[1])
    state_shape = (layers, hidden) if unbatched else (layers, batch, hidden)
    inputs = {"x": torch.randn(*x_shape)}
    if with_state:
        inputs["h0"] = torch.randn(*state_shape)
        inputs["c0"] = torch.randn(*state_shape)

    def run(mod, t):
        if with_state:
            out, (h, c) = mod(t["x"], (t["h0"], t["c0"]))
        else:
            out, (h, c) = mod(t["x"])
        return {"output": out, "h_n": h, "c_n": c}
    return record(m, inputs, run, {"input_size": input_size, "hidden_size": hidden, "num_layers": layers,
                                   "batch_first": batch_first, "bias": bias})


def gru_case(input_size, hidden, layers, batch_first, bias, x_shape, with_state):
    m = torch.nn.GRU(input_size, hidden, num_layers=layers, batch_first=batch_first, bias=bias)
    unbatched = len(x_shape) == 2
    batch = None if unbatched else (x_shape[0] if batch_first else x_shape[1])
    state_shape = (layers, hidden) if unbatched else (layers, batch, hidden)
    inputs = {"x": torch.randn(*x_shape)}
    if with_state:
        inputs["h0"] = torch.randn(*state_shape)

    def run(mod, t):
        out, h = mod(t["x"], t["h0"]) if with_state else mod(t["x"])
        return {"output": out, "h_n": h}
    return record(m, inputs, run, {"input_size": input_size, "hidden_size": hidden, "num_layers": layers,
                                   "batch_first": batch_first, "bias": bias})


cases["lstm_stacked"] = lstm_case(4, 5, 2, False, True, (7, 3, 4), True)
cases["lstm_batch_first"] = lstm_case(3, 4, 2, True, True, (2, 6, 3), False)
cases["lstm_unbatched_no_bias"] = lstm_case(3, 4, 1, False, False, (5, 3), True)
cases["gru_stacked"] = gru_case(4, 5, 2, False, True, (8, 3, 4), True)
cases["gru_batch_first"] = gru_case(3, 4, 3, True, True, (2, 5, 3), False)
cases["gru_unbatched_no_bias"] = gru_case(3, 4, 1, False, False, (6, 3), True)

with open(OUT, "w") as f:
    json.dump(cases, f, separators=(",", ":"))
print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
