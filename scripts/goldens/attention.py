#!/usr/bin/env python3
"""Golden values for Converge's attention and Transformer layers from PyTorch.

Writes Tests/ConvergeTests/Fixtures/attention.json:

    {"cases": {NAME: {
        "config": {...},                          # sizes and flags of the case
        "state": {pytorch_key: tensor},           # module parameters (modules only)
        "stateShapes": {pytorch_key: [shape]},    # module.state_dict() keys and shapes
        "inputs": {name: tensor},                 # inputs (and masks as 0/1 or additive floats)
        "gradOutput": tensor, "output": tensor,
        "inputGrads": {name: tensor}, "grads": {pytorch_key: tensor}
    }}}

with tensor = {"shape": [...], "data": [...]}. Inputs and parameters are float32 values (rounded
to 9 significant digits, which round-trip); PyTorch then computes in float64, so the expected
values are the exact results of those float32 inputs, and a float32 implementation should agree
to about 1e-6 relative. Every module's state dict is reloaded into a fresh PyTorch module with
`load_state_dict(strict=True)` from the key list the Swift side must produce (the Swift tests
compare their PyTorch-style keys and shapes with "stateShapes").
"""
import json
import pathlib
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "ConvergeTests" / "Fixtures" / "attention.json"


def exact(x: torch.Tensor) -> torch.Tensor:
    flat = [float(f"{v:.9g}") for v in x.detach().float().reshape(-1).tolist()]
    return torch.tensor(flat, dtype=torch.float64).reshape(x.shape)


def encode(x: torch.Tensor, digits: int = 10) -> dict:
    return {"shape": list(x.shape), "data": [float(f"{v:.{digits}g}") for v in x.detach().double().reshape(-1).tolist()]}


def encode_mask(x: torch.Tensor) -> dict:
    """A mask: booleans as 0/1; -inf as the string "-inf" (JSON has no infinities)."""
    values = x.detach().double().reshape(-1).tolist()
    return {"shape": list(x.shape), "data": ["-inf" if v == float("-inf") else v for v in values]}


def sdpa_case(q, k, v, *, mask=None, bool_mask=False, is_causal=False, scale=None):
    q, k, v = (exact(t).requires_grad_(True) for t in (q, k, v))
    m = None
    if mask is not None:
        m = mask if bool_mask else exact(mask)
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=is_causal, scale=scale)
    gy = exact(torch.randn_like(y))
    y.backward(gy)
    case = {
        "config": {"is_causal": is_causal, "bool_mask": bool_mask, "scale": scale},
        "inputs": {"query": encode(q, 9), "key": encode(k, 9), "value": encode(v, 9)},
        "gradOutput": encode(gy, 9), "output": encode(y),
        "inputGrads": {"query": encode(q.grad), "key": encode(k.grad), "value": encode(v.grad)},
    }
    if m is not None:
        case["inputs"]["mask"] = encode_mask(m.double())
    return case


def module_case(module, fresh, run, inputs, config):
    """Rounds `module`'s parameters, runs `run(module, inputs)` in float64, checks strict loading."""
    module = module.double()
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(exact(p))
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    fresh.double().load_state_dict(state, strict=True)  # the names load into PyTorch's module
    xs = {name: (exact(t).requires_grad_(True) if t.is_floating_point() else t) for name, t in inputs.items()}
    y = run(module, xs)
    gy = exact(torch.randn_like(y))
    y.backward(gy)
    return {
        "config": config,
        "state": {k: encode(v, 9) for k, v in state.items()},
        "stateShapes": {k: list(v.shape) for k, v in state.items()},
        "inputs": {n: encode(t, 9) if t.is_floating_point() else encode_mask(t.double()) for n, t in xs.items()},
        "gradOutput": encode(gy, 9), "output": encode(y),
        "inputGrads": {n: encode(t.grad) for n, t in xs.items() if t.is_floating_point()},
        "grads": {n: encode(p.grad) for n, p in module.named_parameters()},
    }


def randomize_norms(module):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "norm" in name:
                p.copy_((1 if name.endswith("weight") else 0) + 0.3 * torch.randn_like(p))


def main():
    torch.manual_seed(20261201)
    r = torch.randn
    cases = {}

    # Scaled dot-product attention.
    cases["sdpa_causal"] = sdpa_case(r(2, 3, 5, 4), r(2, 3, 5, 4), r(2, 3, 5, 3), is_causal=True)
    cases["sdpa_causal_rectangular"] = sdpa_case(r(2, 4, 6), r(2, 7, 6), r(2, 7, 5), is_causal=True)
    cases["sdpa_additive_mask"] = sdpa_case(r(2, 2, 4, 6), r(2, 2, 5, 6), r(2, 2, 5, 3),
                                            mask=r(2, 1, 4, 5), scale=0.3)
    allowed = torch.rand(4, 5) > 0.3
    allowed[:, 0] = True
    cases["sdpa_bool_mask"] = sdpa_case(r(3, 4, 6), r(3, 5, 6), r(3, 5, 6), mask=allowed, bool_mask=True)

    # MultiheadAttention, batch-first self-attention with a causal mask and a key padding mask.
    E, H, B, L = 8, 2, 3, 5
    causal = nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64) == float("-inf")
    padding = torch.zeros(B, L, dtype=torch.bool)
    padding[1, 3:] = True
    padding[2, 4:] = True

    def mha_self(m, xs):
        return m(xs["x"], xs["x"], xs["x"], key_padding_mask=xs["key_padding_mask"], attn_mask=xs["attn_mask"],
                 need_weights=False)[0]

    cases["mha_causal_padding"] = module_case(
        nn.MultiheadAttention(E, H, batch_first=True), nn.MultiheadAttention(E, H, batch_first=True), mha_self,
        {"x": r(B, L, E), "key_padding_mask": padding, "attn_mask": causal},
        {"embed_dim": E, "num_heads": H, "batch_first": True})

    # Cross-attention, sequence-first, with a float attention mask.
    def mha_cross(m, xs):
        return m(xs["query"], xs["key"], xs["value"], attn_mask=xs["attn_mask"], need_weights=False)[0]

    cases["mha_cross"] = module_case(
        nn.MultiheadAttention(E, 4), nn.MultiheadAttention(E, 4), mha_cross,
        {"query": r(4, 2, E), "key": r(6, 2, E), "value": r(6, 2, E), "attn_mask": r(4, 6)},
        {"embed_dim": E, "num_heads": 4, "batch_first": False})

    # TransformerEncoderLayer in both norm orders (dropout 0, training mode).
    for name, norm_first, act in [("encoder_post_ln", False, "relu"), ("encoder_pre_ln", True, "gelu")]:
        def make():
            return nn.TransformerEncoderLayer(E, H, dim_feedforward=16, dropout=0.0, activation=act,
                                              batch_first=True, norm_first=norm_first)
        layer = make()
        randomize_norms(layer)

        def run(m, xs):
            return m(xs["x"], src_mask=xs["attn_mask"], src_key_padding_mask=xs["key_padding_mask"])

        cases[name] = module_case(layer, make(), run,
                                  {"x": r(B, L, E), "key_padding_mask": padding, "attn_mask": causal},
                                  {"d_model": E, "nhead": H, "dim_feedforward": 16, "norm_first": norm_first,
                                   "activation": act})

    # need_weights=True: the output and the head-averaged weights, concatenated (one upstream
    # gradient flows into both), and the per-head weights (average_attn_weights=False).
    for name, average in [("mha_need_weights", True), ("mha_need_weights_per_head", False)]:
        def mha_weights(m, xs, average=average):
            out, w = m(xs["x"], xs["x"], xs["x"], key_padding_mask=xs["key_padding_mask"], attn_mask=xs["attn_mask"],
                       need_weights=True, average_attn_weights=average)
            return torch.cat([out.flatten(), w.flatten()])

        cases[name] = module_case(
            nn.MultiheadAttention(E, H, batch_first=True), nn.MultiheadAttention(E, H, batch_first=True), mha_weights,
            {"x": r(B, L, E), "key_padding_mask": padding, "attn_mask": causal},
            {"embed_dim": E, "num_heads": H, "batch_first": True, "average_attn_weights": average})

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"cases": cases}, separators=(",", ":")))
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB, {len(cases)} cases)")


def check(directory):
    """Loads the safetensors Converge wrote (TransformerStateDictExportTests) into PyTorch's
    modules with strict=True and compares their outputs with Converge's."""
    def load_file(path):
        """A minimal float32 safetensors reader (8-byte header length, JSON header, raw data)."""
        raw = pathlib.Path(path).read_bytes()
        n = int.from_bytes(raw[:8], "little")
        header = json.loads(raw[8:8 + n])
        out = {}
        for key, info in header.items():
            if key == "__metadata__":
                continue
            assert info["dtype"] == "F32", info
            start, end = info["data_offsets"]
            buf = bytearray(raw[8 + n + start:8 + n + end])
            out[key] = torch.frombuffer(buf, dtype=torch.float32).reshape(info["shape"]).clone()
        return out

    d = pathlib.Path(directory)
    dump = json.loads((d / "outputs.json").read_text())
    x = torch.tensor(dump["input"]["data"]).reshape(dump["input"]["shape"])
    mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1])
    modules = {
        "mha": nn.MultiheadAttention(8, 2, batch_first=True),
        "encoder_post_ln": nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True),
        "encoder_pre_ln": nn.TransformerEncoderLayer(8, 2, 16, 0.0, activation="gelu", batch_first=True, norm_first=True),
    }
    worst = 0.0
    for name, module in modules.items():
        module.load_state_dict(load_file(str(d / f"{name}.safetensors")), strict=True)
        module.eval()
        with torch.no_grad():
            if name == "mha":
                y = module(x, x, x, attn_mask=mask, need_weights=False)[0]
            else:
                y = module(x, src_mask=mask)
        expected = torch.tensor(dump[name]["data"]).reshape(dump[name]["shape"])
        worst = max(worst, (y - expected).abs().max().item())
        print(f"{name}: load_state_dict(strict=True) ok, max abs difference {(y - expected).abs().max().item():.2e}")
    if worst > 1e-5:
        print("outputs differ")
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        main()
