#!/usr/bin/env python3
"""Golden values for bfloat16 autocast (Sources/Converge/Precision/MixedPrecision.swift with
dtype .bfloat16, which runs the matrix products through oneDNN's bf16 GEMM).

A two-layer MLP, Linear(12, 32) -> ReLU -> Linear(32, 5), on a batch of 16, with the forward pass
under torch.autocast("cpu", dtype=torch.bfloat16) and an MSE loss (autocast computes it in float32
from the bf16 output). Writes Tests/ConvergeTests/Fixtures/autocast_bf16.json:
  w1, b1, w2, b2, x, target   float32 weights and data (weights [out, in], as in Linear)
  output                      the autocast output (bfloat16, written as float32 values)
  loss                        the float32 loss
  grad/w1, grad/b1, grad/w2, grad/b2, grad/x   the float32 gradients after loss.backward()
Run: python3 scripts/goldens/autocast_bf16.py
"""
import json
import os

import torch

torch.manual_seed(11)
ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "Tests", "ConvergeTests", "Fixtures", "autocast_bf16.json")


def exact(t):
    t = t.detach().float()
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}


model = torch.nn.Sequential(torch.nn.Linear(12, 32), torch.nn.ReLU(), torch.nn.Linear(32, 5))
x = torch.randn(16, 12, requires_grad=True)
target = torch.randn(16, 5)
with torch.autocast("cpu", dtype=torch.bfloat16):
    output = model(x)
    assert output.dtype == torch.bfloat16
    loss = torch.nn.functional.mse_loss(output, target)
    assert loss.dtype == torch.float32
loss.backward()

golden = {
    "w1": exact(model[0].weight), "b1": exact(model[0].bias),
    "w2": exact(model[2].weight), "b2": exact(model[2].bias),
    "x": exact(x), "target": exact(target),
    "output": exact(output), "loss": float("%.9g" % loss.item()),
    "grad": {"w1": exact(model[0].weight.grad), "b1": exact(model[0].bias.grad),
             "w2": exact(model[2].weight.grad), "b2": exact(model[2].bias.grad), "x": exact(x.grad)},
    "torch_version": torch.__version__,
}
with open(OUT, "w") as f:
    json.dump(golden, f)
print("wrote", OUT)
