#!/usr/bin/env python3
"""Copies scikit-learn's bundled UCI digits file to Sources/Converge/Resources/digits.csv.gz
and checks it: 1,797 rows of 64 pixel values in 0..16 plus a label in 0..9.

Needs `pip install scikit-learn` (no network access beyond that). Run from the repository
root:  python3 scripts/data/fetch_digits.py
"""
import collections
import gzip
import hashlib
import os
import shutil

import sklearn

EXPECTED_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"

source = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data", "digits.csv.gz")
target = os.path.join("Sources", "Converge", "Resources", "digits.csv.gz")
os.makedirs(os.path.dirname(target), exist_ok=True)
shutil.copyfile(source, target)

raw = open(target, "rb").read()
digest = hashlib.sha256(raw).hexdigest()
rows = [line.split(",") for line in gzip.decompress(raw).decode().strip().split("\n")]
assert len(rows) == 1797 and all(len(r) == 65 for r in rows)
pixels = [int(v) for r in rows for v in r[:64]]
labels = [int(r[64]) for r in rows]
assert min(pixels) == 0 and max(pixels) == 16 and set(labels) == set(range(10))
print(f"copied {source} (scikit-learn {sklearn.__version__}) -> {target}")
print(f"sha256 {digest}" + ("" if digest == EXPECTED_SHA256 else "  (differs from the committed copy!)"))
print("label counts:", dict(sorted(collections.Counter(labels).items())))
print("first 1,437 / last 360:", dict(sorted(collections.Counter(labels[1437:]).items())))
