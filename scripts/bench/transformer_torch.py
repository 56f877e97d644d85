#!/usr/bin/env python3
"""PyTorch side of `converge bench transformer`: CPU training throughput of the same GPT.

Model: byte vocabulary 256, learned positions (context 128), 4 x nn.TransformerEncoderLayer
(d_model 256, 4 heads, dim_feedforward 1024, GELU, dropout 0.1, norm_first=True,
batch_first=True) with a causal mask, a final LayerNorm, and an output projection tied to the
token embedding; GPT-2 initialization (N(0, 0.02), zero biases). One training step: zero_grad,
forward, per-token cross-entropy, backward, clip_grad_norm_(max_norm=1.0),
AdamW(lr=3e-4, weight_decay=0.1) step. Token batches (16 x 128) are random and drawn before
timing.

Modes: eager float32, and eager with torch.autocast("cpu", dtype=torch.bfloat16). For each mode:
--warmup untimed steps, then --repeats timed windows of --steps steps; the best window is printed:

    transformer torch fp32: <tokens/s> tokens/s
    transformer torch bf16-autocast: <tokens/s> tokens/s

Usage: python3 scripts/bench/transformer_torch.py [--threads 2] [--steps 4] [--repeats 3] [--modes fp32,bf16]
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=256, context=128, d=256, heads=4, layers=4, ffn=1024, dropout=0.1):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(context, d)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(d, heads, ffn, dropout, activation="gelu", batch_first=True, norm_first=True)
            for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.wte.weight
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif "norm" in name or "ln_f" in name:
                nn.init.ones_(p)
            else:
                nn.init.normal_(p, std=0.02)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(context), persistent=False)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.drop(self.wte(idx) + self.wpe.weight[:t])
        for block in self.blocks:
            x = block(x, src_mask=self.mask[:t, :t], is_causal=True)
        return self.head(self.ln_f(x))


def measure(mode, args):
    torch.manual_seed(0)
    model = GPT()
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
    batches = [(torch.randint(0, 256, (16, 128)), torch.randint(0, 256, (16, 128))) for _ in range(4)]
    step = 0

    def one():
        nonlocal step
        x, y = batches[step % len(batches)]
        step += 1
        opt.zero_grad(set_to_none=True)
        if mode == "bf16":
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(x)
        else:
            logits = model(x)
        loss = F.cross_entropy(logits.float().reshape(-1, 256), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        one()
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        for _ in range(args.steps):
            one()
        best = min(best, time.perf_counter() - start)
    return args.steps * 16 * 128 / best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--modes", default="fp32,bf16")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads")
    for mode in args.modes.split(","):
        rate = measure(mode, args)
        label = "fp32" if mode == "fp32" else "bf16-autocast"
        print(f"transformer torch {label}: {rate:.1f} tokens/s", flush=True)


if __name__ == "__main__":
    main()
