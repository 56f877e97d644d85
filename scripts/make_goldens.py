#!/usr/bin/env python3
"""Regenerates every golden file from PyTorch.

Each script in scripts/goldens/ computes reference values with PyTorch (float32, fixed seeds) and
writes one JSON file under Tests/*/Fixtures/. The generated files are committed, so the Swift test
suite needs no Python. Requires: pip install torch numpy.

Usage: python3 scripts/make_goldens.py [name ...]   (names: the scripts' basenames, e.g. ops optim)
"""
import pathlib
import runpy
import sys

HERE = pathlib.Path(__file__).resolve().parent / "goldens"


def main() -> int:
    wanted = set(sys.argv[1:])
    scripts = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))
    if wanted:
        scripts = [p for p in scripts if p.stem in wanted]
        missing = wanted - {p.stem for p in scripts}
        if missing:
            print(f"unknown golden scripts: {', '.join(sorted(missing))}", file=sys.stderr)
            return 2
    for script in scripts:
        print(f"== {script.name}")
        runpy.run_path(str(script), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
