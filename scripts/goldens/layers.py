#!/usr/bin/env python3
"""Golden values for Converge's layers (Sources/Converge/NN) from PyTorch.

Writes Tests/ConvergeTests/Fixtures/layers.json:

    {"cases": {NAME: {
        "state":  {pytorch_key: tensor, ...},     # parameters and buffers before the first step
        "modes":  "train,train,train,eval",       # one entry per step
        "steps":  {"0": {"input", "gradOutput", "output", "gradInput", "grads": {param: tensor}}, ...},
        "finalState": {pytorch_key: tensor, ...}  # after the last step (running statistics)
    }}}

where tensor = {"shape": [...], "data": [...]}. Each step zeroes the gradients, runs the module
on "input" in the given mode and back-propagates "gradOutput". Inputs and parameters are rounded
to 9 significant digits *before* use (float32 round-trips exactly), expected values to 8.
The Swift tests build the same module, load "state" with PyTorch key names and compare.
"""
import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "ConvergeTests" / "Fixtures" / "layers.json"


def exact(x: torch.Tensor) -> torch.Tensor:
    """Rounds to 9 significant digits (a float32 round-trips), so JSON and PyTorch agree."""
    flat = [float(f"{v:.9g}") for v in x.detach().reshape(-1).tolist()]
    return torch.tensor(flat, dtype=torch.float32).reshape(x.shape)


def encode(x: torch.Tensor, digits: int = 8) -> dict:
    return {"shape": list(x.shape), "data": [float(f"{v:.{digits}g}") for v in x.detach().double().reshape(-1).tolist()]}


class Fused(nn.Module):
    """A Linear followed by an activation, named like nn.Linear (Converge's Linear(activation:))."""

    def __init__(self, linear: nn.Linear, activation):
        super().__init__()
        self.linear = linear
        self.activation = activation
        self.weight = linear.weight
        self.bias = linear.bias

    def forward(self, x):
        return self.activation(F.linear(x, self.weight, self.bias))

    def state_dict(self, *args, **kwargs):
        return {"weight": self.weight.detach(), "bias": self.bias.detach()}


def run(module: nn.Module, inputs, modes, *, integer_input=False, randomize_affine=False):
    if randomize_affine:
        with torch.no_grad():
            for name, p in module.named_parameters():
                if name.endswith("weight"):
                    p.copy_(1 + 0.3 * torch.randn_like(p))
                else:
                    p.copy_(0.3 * torch.randn_like(p))
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(exact(p))
    state = {k: encode(v, 9) for k, v in module.state_dict().items()}
    steps = {}
    for i, (x, mode) in enumerate(zip(inputs, modes)):
        module.train(mode == "train")
        module.zero_grad(set_to_none=True)
        if integer_input:
            xin = x
        else:
            xin = exact(x).requires_grad_(True)
        y = module(xin)
        gy = exact(torch.randn_like(y))
        y.backward(gy)
        step = {"input": encode(xin, 9), "gradOutput": encode(gy, 9), "output": encode(y)}
        if not integer_input:
            step["gradInput"] = encode(xin.grad)
        grads = {}
        for name, p in module.named_parameters():
            if p.grad is not None:
                grads[name] = encode(p.grad)
        step["grads"] = grads
        steps[str(i)] = step
    final = {k: encode(v.float()) for k, v in module.state_dict().items()}
    return {"state": state, "modes": ",".join(modes), "steps": steps, "finalState": final}


def main():
    torch.manual_seed(20240601)
    cases = {}
    r = torch.randn

    # Linear and fused Linear + activation.
    cases["linear"] = run(nn.Linear(5, 3), [r(4, 5)], ["train"])
    cases["linear_nobias"] = run(nn.Linear(5, 3, bias=False), [r(2, 3, 5)], ["train"])
    cases["linear_relu"] = run(Fused(nn.Linear(5, 4), F.relu), [r(6, 5)], ["train"])
    cases["linear_gelu"] = run(Fused(nn.Linear(5, 4), F.gelu), [r(6, 5)], ["train"])
    cases["linear_sigmoid"] = run(Fused(nn.Linear(5, 4), torch.sigmoid), [r(6, 5)], ["train"])

    # Convolutions.
    cases["conv1d"] = run(nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2), [r(2, 4, 9)], ["train"])
    cases["conv1d_dilated"] = run(nn.Conv1d(3, 4, 3, padding=2, dilation=2), [r(2, 3, 8)], ["train"])
    cases["conv2d"] = run(nn.Conv2d(3, 4, 3, padding=1), [r(2, 3, 5, 5)], ["train"])
    cases["conv2d_strided"] = run(nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2),
                                  [r(2, 4, 7, 6)], ["train"])
    cases["conv2d_pointwise"] = run(nn.Conv2d(4, 3, 1, bias=False), [r(2, 4, 3, 3)], ["train"])
    cases["conv2d_depthwise"] = run(nn.Conv2d(4, 8, 3, stride=2, padding=1, groups=4), [r(2, 4, 6, 6)], ["train"])

    # Pooling.
    cases["maxpool1d"] = run(nn.MaxPool1d(3, stride=2, padding=1), [r(2, 3, 9)], ["train"])
    cases["maxpool2d"] = run(nn.MaxPool2d(3, stride=2, padding=1), [r(2, 2, 7, 7)], ["train"])
    cases["maxpool2d_dilated"] = run(nn.MaxPool2d((2, 3), stride=1, dilation=2), [r(1, 2, 6, 7)], ["train"])
    cases["avgpool1d"] = run(nn.AvgPool1d(3, stride=2, padding=1), [r(2, 3, 9)], ["train"])
    cases["avgpool2d"] = run(nn.AvgPool2d(3, stride=2, padding=1), [r(2, 2, 7, 6)], ["train"])
    cases["avgpool2d_exclude"] = run(nn.AvgPool2d((3, 2), stride=(2, 1), padding=1, count_include_pad=False),
                                     [r(2, 2, 7, 6)], ["train"])
    cases["adaptive_avgpool1d"] = run(nn.AdaptiveAvgPool1d(4), [r(2, 3, 10)], ["train"])
    cases["adaptive_avgpool2d"] = run(nn.AdaptiveAvgPool2d((3, 2)), [r(2, 3, 7, 5)], ["train"])
    cases["global_avgpool"] = run(nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), [r(2, 3, 4, 5)], ["train"])

    # Embedding (integer input stored as floats).
    emb = nn.Embedding(10, 4, padding_idx=2)
    idx = torch.tensor([[1, 2, 3, 2, 9], [0, 1, 1, 5, 2], [7, 7, 7, 8, 4]])
    cases["embedding"] = run(emb, [idx], ["train"], integer_input=True)

    # Activations.
    for name, module in [("relu", nn.ReLU()), ("leaky_relu", nn.LeakyReLU(0.2)), ("gelu", nn.GELU()),
                         ("gelu_tanh", nn.GELU(approximate="tanh")), ("silu", nn.SiLU()), ("sigmoid", nn.Sigmoid()),
                         ("tanh", nn.Tanh()), ("softmax", nn.Softmax(dim=1)), ("identity", nn.Identity())]:
        cases[name] = run(module, [2 * r(4, 6)], ["train"])

    # Batch normalization: three training steps, then evaluation.
    bn_modes = ["train", "train", "train", "eval"]
    cases["batchnorm_2d"] = run(nn.BatchNorm1d(5), [2 * r(8, 5) + 1 for _ in range(4)], bn_modes, randomize_affine=True)
    cases["batchnorm_3d"] = run(nn.BatchNorm1d(4), [2 * r(4, 4, 6) - 1 for _ in range(4)], bn_modes, randomize_affine=True)
    cases["batchnorm_4d"] = run(nn.BatchNorm2d(3), [r(4, 3, 5, 5) + 0.5 for _ in range(4)], bn_modes, randomize_affine=True)
    cases["batchnorm_cumulative"] = run(nn.BatchNorm1d(4, momentum=None), [2 * r(6, 4) for _ in range(4)], bn_modes,
                                        randomize_affine=True)
    cases["batchnorm_noaffine"] = run(nn.BatchNorm1d(4, affine=False), [r(6, 4) for _ in range(4)], bn_modes)
    cases["batchnorm_untracked"] = run(nn.BatchNorm1d(4, track_running_stats=False), [r(6, 4) for _ in range(3)],
                                       ["train", "train", "eval"], randomize_affine=True)

    # Other normalizations.
    cases["layernorm"] = run(nn.LayerNorm([4, 5]), [r(3, 4, 5) * 2 + 1], ["train"], randomize_affine=True)
    cases["layernorm_noaffine"] = run(nn.LayerNorm(6, elementwise_affine=False), [r(5, 6)], ["train"])
    cases["groupnorm"] = run(nn.GroupNorm(2, 6), [r(3, 6, 4) + 1], ["train"], randomize_affine=True)
    cases["groupnorm_4d"] = run(nn.GroupNorm(3, 6), [r(2, 6, 3, 3)], ["train"], randomize_affine=True)
    cases["instancenorm1d"] = run(nn.InstanceNorm1d(4), [r(3, 4, 7)], ["train"])
    cases["instancenorm2d_tracked"] = run(nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
                                          [r(2, 3, 4, 4) + 1 for _ in range(4)], bn_modes, randomize_affine=True)

    # A StreamRec-style block: Linear → BatchNorm → ReLU → Linear, in a Sequential.
    mlp = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 1))
    cases["mlp"] = run(mlp, [r(10, 8) for _ in range(4)], bn_modes)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"cases": cases}, separators=(",", ":")))
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB, {len(cases)} cases)")


if __name__ == "__main__":
    main()
