#!/usr/bin/env bash
# Finds oneDNN (libdnnl.so.2, with the OpenCL loader it links against), or installs Debian's
# libdnnl2 and ocl-icd-libopencl1 with apt-get when running as root. Never fails the build:
# Converge measures and uses whatever GEMM libraries are there (OpenBLAS, oneDNN, or its own).
set -u
found() { ldconfig -p 2>/dev/null | grep -q 'libdnnl\.so\.2' && ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so\.1'; }
if [ "$(uname -s)" = "Darwin" ]; then exit 0; fi
if found; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "converge: installing oneDNN (libdnnl2, ocl-icd-libopencl1) for fast matrix multiplication…" >&2
    (apt-get install -y -qq libdnnl2 ocl-icd-libopencl1 >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libdnnl2 ocl-icd-libopencl1 >/dev/null 2>&1; }) || true
fi
if found; then exit 0; fi
echo "converge: oneDNN not found; continuing without it (OpenBLAS or the built-in Swift GEMM)." >&2
exit 0
