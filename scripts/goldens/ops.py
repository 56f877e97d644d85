#!/usr/bin/env python3
"""Golden values for Converge's tensor ops, computed by PyTorch.

Writes Tests/ConvergeCoreTests/Fixtures/ops.json. Each case is an object holding its inputs, the
forward output `out`, an upstream gradient `v`, and `grad_<input>` = d(sum(out * v))/d(input) for
every differentiable input. Inputs are generated with a fixed seed and rounded to 8 significant
digits *before* PyTorch computes anything, so Swift (which reads the same decimals) sees exactly the
same float32 values. Non-finite numbers are written as the strings "inf", "-inf" and "nan".

Usage: python3 scripts/goldens/ops.py
"""
import json
import math
import os

import torch

torch.manual_seed(0)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "ConvergeCoreTests", "Fixtures", "ops.json")


def number(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return float("%.8g" % x)


def enc(t):
    t = t.detach().to(torch.float32)
    return {"shape": list(t.shape), "data": [number(x) for x in t.flatten().tolist()]}


def rounded(t):
    """Rounds to 8 significant digits (what the JSON stores) and back to float32."""
    return torch.tensor([float("%.8g" % x) for x in t.flatten().tolist()], dtype=torch.float32).reshape(t.shape)


def randn(*shape, scale=1.0, shift=0.0):
    return rounded(torch.randn(*shape) * scale + shift)


def uniform(*shape, low=-1.0, high=1.0):
    return rounded(torch.rand(*shape) * (high - low) + low)


def away(*shape, low=0.2, high=2.0):
    """Values with |x| in [low, high] and random signs (away from kinks at 0)."""
    magnitude = torch.rand(*shape) * (high - low) + low
    sign = torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0)
    return rounded(magnitude * sign)


goldens = {}


def case(name, fn, grads=True, **inputs):
    """Records `fn(**inputs)`; tensors named in `inputs` get gradients when `grads` is true
    (or when their name is in `grads` if it is a list)."""
    entry = {}
    leaves = {}
    for key, value in inputs.items():
        if isinstance(value, torch.Tensor):
            entry[key] = enc(value)
            wants = grads is True or (isinstance(grads, (list, tuple)) and key in grads)
            leaf = value.clone().requires_grad_(wants and value.is_floating_point())
            leaves[key] = leaf
        else:
            entry[key] = value
            leaves[key] = value
    out = fn(**leaves)
    entry["out"] = enc(out)
    if out.requires_grad:
        v = randn(*out.shape) if out.dim() > 0 else rounded(torch.randn(()))
        entry["v"] = enc(v)
        out.backward(v)
        for key, leaf in leaves.items():
            if isinstance(leaf, torch.Tensor) and leaf.requires_grad:
                entry["grad_" + key] = enc(leaf.grad if leaf.grad is not None else torch.zeros_like(leaf))
    goldens[name] = entry


# ---------------------------------------------------------------- arithmetic
case("add_same", lambda a, b: a + b, a=randn(3, 4), b=randn(3, 4))
case("add_broadcast", lambda a, b: a + b, a=randn(3, 1, 4), b=randn(2, 1))
case("sub_row", lambda a, b: a - b, a=randn(3, 4), b=randn(4))
case("sub_left_broadcast", lambda a, b: a - b, a=randn(4), b=randn(3, 4))
case("mul_row", lambda a, b: a * b, a=randn(4), b=randn(3, 4))
case("mul_column", lambda a, b: a * b, a=randn(2, 3, 4), b=randn(3, 1))
case("div_broadcast", lambda a, b: a / b, a=randn(2, 3, 4), b=away(3, 1, low=0.5))
case("div_same", lambda a, b: a / b, a=randn(3, 4), b=away(3, 4, low=0.5))
case("add_scalar", lambda x: x + 1.5, x=randn(3, 4))
case("sub_scalar", lambda x: x - 0.75, x=randn(3, 4))
case("rsub_scalar", lambda x: 2.0 - x, x=randn(3, 4))
case("mul_scalar", lambda x: x * -3.25, x=randn(3, 4))
case("div_scalar", lambda x: x / 3.0, x=randn(3, 4))
case("rdiv_scalar", lambda x: 2.0 / x, x=away(3, 4, low=0.5))
case("neg", lambda x: -x, x=randn(3, 4))
case("pow_2", lambda x: x.pow(2), x=randn(3, 4))
case("pow_3", lambda x: x.pow(3), x=randn(3, 4))
case("pow_2_5", lambda x: x.pow(2.5), x=uniform(3, 4, low=0.2, high=2))
case("pow_half", lambda x: x.pow(0.5), x=uniform(3, 4, low=0.2, high=2))
case("pow_minus_1", lambda x: x.pow(-1), x=away(3, 4, low=0.5))
case("pow_tensor", lambda x, e: x.pow(e), x=uniform(3, 4, low=0.3, high=2), e=uniform(4, low=-1.5, high=2.5))
case("maximum", lambda a, b: torch.maximum(a, b), a=randn(3, 4), b=randn(4))
case("minimum", lambda a, b: torch.minimum(a, b), a=randn(3, 4), b=randn(4))
case("maximum_ties", lambda a, b: torch.maximum(a, b),
     a=torch.tensor([1.0, 2.0, 3.0, -1.0]), b=torch.tensor([1.0, 0.5, 3.0, 2.0]))
case("minimum_ties", lambda a, b: torch.minimum(a, b),
     a=torch.tensor([1.0, 2.0, 3.0, -1.0]), b=torch.tensor([1.0, 0.5, 3.0, 2.0]))

# ---------------------------------------------------------------- matmul and linear
case("matmul_2d", lambda a, b: a @ b, a=randn(3, 4), b=randn(4, 5))
case("matmul_batched", lambda a, b: a @ b, a=randn(2, 3, 4), b=randn(2, 4, 5))
case("matmul_broadcast_batch", lambda a, b: a @ b, a=randn(2, 1, 3, 4), b=randn(5, 4, 2))
case("matmul_broadcast_ones", lambda a, b: a @ b, a=randn(1, 1, 3, 4), b=randn(5, 4, 2))
case("matmul_matrix_batched", lambda a, b: a @ b, a=randn(3, 4), b=randn(2, 4, 5))
case("matmul_batched_matrix", lambda a, b: a @ b, a=randn(2, 3, 4), b=randn(4, 5))
case("matmul_vector_matrix", lambda a, b: a @ b, a=randn(4), b=randn(4, 5))
case("matmul_matrix_vector", lambda a, b: a @ b, a=randn(3, 4), b=randn(4))
case("matmul_vector_vector", lambda a, b: a @ b, a=randn(4), b=randn(4))
case("matmul_batched_vector", lambda a, b: a @ b, a=randn(2, 3, 4), b=randn(4))
case("matmul_vector_batched", lambda a, b: a @ b, a=randn(4), b=randn(2, 4, 5))
case("linear", lambda x, w, b: torch.nn.functional.linear(x, w, b), x=randn(5, 4), w=randn(3, 4), b=randn(3))
case("linear_3d", lambda x, w, b: torch.nn.functional.linear(x, w, b), x=randn(2, 5, 4), w=randn(3, 4), b=randn(3))
case("linear_no_bias", lambda x, w: torch.nn.functional.linear(x, w), x=randn(5, 4), w=randn(3, 4))

# ---------------------------------------------------------------- shape ops
case("reshape", lambda x: x.reshape(4, -1), x=randn(2, 3, 4))
case("flatten", lambda x: x.flatten(1), x=randn(2, 3, 4))
case("transpose", lambda x: x.transpose(-2, -1), x=randn(2, 3, 4))
case("transpose_outer", lambda x: x.transpose(0, 2), x=randn(2, 3, 4))
case("permute", lambda x: x.permute(2, 0, 1), x=randn(2, 3, 4))
case("expand", lambda x: x.expand(2, 3, 4), x=randn(3, 1))
case("concatenate", lambda a, b, c: torch.cat([a, b, c], dim=1), a=randn(2, 1, 3), b=randn(2, 2, 3), c=randn(2, 3, 3))
case("stack", lambda a, b: torch.stack([a, b], dim=-1), a=randn(2, 3), b=randn(2, 3))
case("slice", lambda x: x[:, 1:3], x=randn(2, 4, 3))
case("index_select", lambda x: x.index_select(1, torch.tensor([2, 0, 2, 1])), x=randn(2, 3, 4))
case("gather", lambda x, index: x.gather(1, torch.tensor(index)), x=randn(3, 4),
     index=[[0, 3, 3], [1, 1, 0], [2, 0, 3]])

# ---------------------------------------------------------------- reductions
case("sum_all", lambda x: x.sum(), x=randn(3, 4))
case("sum_axes", lambda x: x.sum(dim=(0, 2)), x=randn(2, 3, 4, 5))
case("sum_axes_keep", lambda x: x.sum(dim=(0, 2), keepdim=True), x=randn(2, 3, 4, 5))
case("sum_negative_axes", lambda x: x.sum(dim=(-1, -3)), x=randn(2, 3, 4, 5))
case("sum_axis0", lambda x: x.sum(dim=0), x=randn(300, 7))
case("sum_long_row", lambda x: x.sum(dim=1), x=randn(2, 3000))
case("mean_all", lambda x: x.mean(), x=randn(3, 4))
case("mean_axes_keep", lambda x: x.mean(dim=(1, 3), keepdim=True), x=randn(2, 3, 4, 5))
case("mean_axis", lambda x: x.mean(dim=-1), x=randn(3, 4))
case("var_all", lambda x: x.var(), x=randn(3, 4))
case("var_axis", lambda x: x.var(dim=1), x=randn(3, 4, 2))
case("var_axes_keep_biased", lambda x: x.var(dim=(0, 2), keepdim=True, correction=0), x=randn(3, 4, 5))
case("max_axis", lambda x: x.amax(dim=1), x=randn(3, 4, 2))
case("max_axis_keep", lambda x: x.amax(dim=-1, keepdim=True), x=randn(3, 4))
case("max_all_ties", lambda x: x.amax(), x=torch.tensor([[1.0, 3.0, -2.0], [3.0, 0.5, 3.0]]))
case("max_axes", lambda x: x.amax(dim=(0, 2)), x=randn(2, 3, 4))
case("min_axis", lambda x: x.amin(dim=0), x=randn(3, 4))
case("min_axes_keep", lambda x: x.amin(dim=(1, 2), keepdim=True), x=randn(2, 3, 4))
case("argmax", lambda x: x.argmax(dim=1).float(), grads=False, x=randn(3, 5))
case("argmax_axis0_keep", lambda x: x.argmax(dim=0, keepdim=True).float(), grads=False, x=randn(4, 3))
case("argmin", lambda x: x.argmin(dim=-1).float(), grads=False, x=randn(3, 5))
case("logsumexp", lambda x: torch.logsumexp(x, dim=-1), x=randn(3, 5, scale=3))
case("logsumexp_keep", lambda x: torch.logsumexp(x, dim=0, keepdim=True), x=randn(3, 5, scale=3))
case("logsumexp_axes", lambda x: torch.logsumexp(x, dim=(0, 2)), x=randn(2, 3, 4))
case("logsumexp_extreme", lambda x: torch.logsumexp(x, dim=-1),
     x=torch.tensor([[1000.0, -1000.0, 999.0], [-1000.0, -1001.0, -999.5], [100.0, 0.0, -100.0]]))

# ---------------------------------------------------------------- unary
case("exp", lambda x: x.exp(), x=randn(3, 4))
case("log", lambda x: x.log(), x=uniform(3, 4, low=0.1, high=3))
case("sqrt", lambda x: x.sqrt(), x=uniform(3, 4, low=0.1, high=3))
case("abs", lambda x: x.abs(), x=away(3, 4))
case("clamp", lambda x: x.clamp(-0.5, 0.7), x=randn(3, 4))
case("clamp_min", lambda x: x.clamp(min=0.1), x=randn(3, 4))
case("clamp_max", lambda x: x.clamp(max=-0.2), x=randn(3, 4))
case("relu", lambda x: torch.relu(x), x=away(3, 4))
case("leaky_relu", lambda x: torch.nn.functional.leaky_relu(x, 0.2), x=away(3, 4))
case("gelu", lambda x: torch.nn.functional.gelu(x), x=randn(3, 4, scale=2))
case("gelu_tanh", lambda x: torch.nn.functional.gelu(x, approximate="tanh"), x=randn(3, 4, scale=2))
case("sigmoid", lambda x: torch.sigmoid(x), x=randn(3, 4, scale=2))
case("tanh", lambda x: torch.tanh(x), x=randn(3, 4, scale=2))
case("silu", lambda x: torch.nn.functional.silu(x), x=randn(3, 4, scale=2))
EXTREME = torch.tensor([[-1000.0, -100.0, -30.0, 0.0], [30.0, 100.0, 1000.0, -88.5]])
case("sigmoid_extreme", lambda x: torch.sigmoid(x), x=EXTREME)
case("tanh_extreme", lambda x: torch.tanh(x), x=EXTREME)
case("silu_extreme", lambda x: torch.nn.functional.silu(x), x=EXTREME)
case("gelu_extreme", lambda x: torch.nn.functional.gelu(x), x=EXTREME)

# ---------------------------------------------------------------- softmax
case("softmax", lambda x: torch.softmax(x, dim=-1), x=randn(3, 5, scale=2))
case("softmax_axis0", lambda x: torch.softmax(x, dim=0), x=randn(3, 5, scale=2))
case("softmax_3d_axis1", lambda x: torch.softmax(x, dim=1), x=randn(2, 3, 4, scale=2))
case("log_softmax", lambda x: torch.log_softmax(x, dim=-1), x=randn(3, 5, scale=2))
case("log_softmax_axis0", lambda x: torch.log_softmax(x, dim=0), x=randn(3, 5, scale=2))
SOFTMAX_EXTREME = torch.tensor([[1000.0, -1000.0, 0.0, 999.0], [-100.0, 100.0, 99.5, -1000.0],
                                [-1000.0, -1000.0, -999.0, -1001.0]])
case("softmax_extreme", lambda x: torch.softmax(x, dim=-1), x=SOFTMAX_EXTREME)
case("log_softmax_extreme", lambda x: torch.log_softmax(x, dim=-1), x=SOFTMAX_EXTREME)

# ---------------------------------------------------------------- comparisons and where
A, B = randn(3, 4), randn(4)
B[1] = A[0, 1]
for name, fn in [("eq", torch.eq), ("ne", torch.ne), ("lt", torch.lt), ("le", torch.le), ("gt", torch.gt), ("ge", torch.ge)]:
    case("compare_" + name, lambda a, b, fn=fn: fn(a, b).float(), grads=False, a=A, b=B)
    case("compare_scalar_" + name, lambda a, fn=fn: fn(a, float(A[1, 2])).float(), grads=False, a=A)
goldens["compare_scalar_value"] = number(float(A[1, 2]))
case("where", lambda c, a, b: torch.where(c != 0, a, b), grads=["a", "b"],
     c=(torch.rand(3, 4) < 0.5).float(), a=randn(3, 4), b=randn(4))

# ---------------------------------------------------------------- creation
goldens["arange_0_1_0.1"] = enc(torch.arange(0, 1, 0.1))
goldens["arange_-3_3_0.7"] = enc(torch.arange(-3, 3, 0.7))
goldens["arange_10_0_-1.5"] = enc(torch.arange(10, 0, -1.5))
goldens["arange_7"] = enc(torch.arange(7).float())

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(goldens, f, separators=(",", ":"))
print("wrote", OUT, os.path.getsize(OUT), "bytes,", len(goldens), "entries")
