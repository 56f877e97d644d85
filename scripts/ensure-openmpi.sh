#!/usr/bin/env bash
# Finds Open MPI (mpirun and libmpi.so.40), or installs it with apt-get when running as root on
# Debian/Ubuntu. Never fails the build: without it Converge trains in one process and the
# multi-process tests are reported as skipped.
set -u
found() { command -v mpirun >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libmpi\.so\.40'; }
if [ "$(uname -s)" = "Darwin" ]; then exit 0; fi          # brew install open-mpi, by hand
if found; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "converge: installing Open MPI (openmpi-bin, libopenmpi3) for data-parallel training…" >&2
    pkgs="openmpi-bin libopenmpi3"
    (apt-get install -y -qq $pkgs >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $pkgs >/dev/null 2>&1; }) || true
fi
if found; then exit 0; fi
echo "converge: Open MPI not found; data-parallel training and its tests are unavailable (install openmpi-bin)." >&2
exit 0
