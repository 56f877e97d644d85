#!/usr/bin/env bash
# Finds OpenBLAS, or installs it with apt-get when running as root on Debian/Ubuntu.
# Never fails the build: Converge falls back to its own Swift GEMM without a system BLAS.
set -u
found() { ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so'; }
if [ "$(uname -s)" = "Darwin" ]; then exit 0; fi          # Accelerate is always there
if found; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "converge: installing OpenBLAS (libopenblas0) for fast matrix multiplication…" >&2
    (apt-get install -y -qq libopenblas0 >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libopenblas0 >/dev/null 2>&1; }) || true
fi
if found; then exit 0; fi
echo "converge: OpenBLAS not found; continuing with the built-in Swift GEMM (slower)." >&2
exit 0
