#!/usr/bin/env python3
"""Check that a safetensors file written by Converge loads in Python's `safetensors` and PyTorch.

Reads FILE with `safetensors.numpy`, `safetensors.safe_open` (for the metadata) and
`safetensors.torch`, and compares names, order, shapes, values and metadata with the JSON dump
Converge wrote beside it ({"tensors": {name: {"shape": [...], "data": [...]}}, "order": [...],
"metadata": {...}}). Writes nothing. Exits 1 on any difference.

Produce a file and its dump with:
    CONVERGE_EXPORT_DIR=/tmp/st swift test --filter SafetensorsTests/testExportForPythonCheck
    python3 scripts/check_safetensors.py /tmp/st/converge.safetensors /tmp/st/converge.safetensors.json
"""
import json
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import load_file as load_numpy
from safetensors.torch import load_file as load_torch


def main(path, dump_path):
    with open(dump_path) as f:
        dump = json.load(f)
    expected = dump["tensors"]
    problems = []

    with safe_open(path, framework="np") as f:
        metadata = f.metadata() or {}
        names = list(f.keys())
    if metadata != dump.get("metadata", {}):
        problems.append(f"metadata {metadata} != {dump.get('metadata')}")
    if sorted(names) != sorted(expected):
        problems.append(f"names {sorted(names)} != {sorted(expected)}")

    # safetensors lists keys sorted; the data order in the file is the order Converge was given.
    with open(path, "rb") as f:
        header_len = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_len))
    by_offset = sorted((v["data_offsets"][0], k) for k, v in header.items() if k != "__metadata__")
    if [k for _, k in by_offset] != dump["order"]:
        problems.append(f"data order {[k for _, k in by_offset]} != {dump['order']}")
    if header_len % 8 != 0:
        problems.append(f"header length {header_len} is not a multiple of 8")

    for label, tensors in (("numpy", load_numpy(path)), ("torch", load_torch(path))):
        for name, want in expected.items():
            got = tensors[name]
            array = got.numpy() if isinstance(got, torch.Tensor) else got
            if list(array.shape) != want["shape"]:
                problems.append(f"{label} {name}: shape {list(array.shape)} != {want['shape']}")
                continue
            if array.dtype != np.float32:
                problems.append(f"{label} {name}: dtype {array.dtype} != float32")
            want_values = np.array(want["data"], dtype=np.float32).reshape(want["shape"])
            if not np.array_equal(array, want_values):
                problems.append(f"{label} {name}: values differ (max |diff| {np.abs(array - want_values).max()})")
        print(f"{label}: loaded {len(tensors)} tensors: " +
              ", ".join(f"{k} {tuple(v.shape)}" for k, v in tensors.items()))

    print(f"metadata: {metadata}")
    if problems:
        print("FAIL:\n  " + "\n  ".join(problems))
        return 1
    print(f"OK: {len(expected)} tensors match bit for bit in safetensors.numpy and safetensors.torch")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
