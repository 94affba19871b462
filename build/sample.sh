#!/usr/bin/env bash
# Runs a sample on the data shipped in the repository (default: digits); PNGs go to ./out.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
# ONNX Runtime writes a telemetry session file (.ses) into TMPDIR unless told not to (docs/conventions.md#files).
export ORT_DISABLE_TELEMETRY=1
# glibc's malloc would return each training step's memory to the kernel and fault it back (docs/conventions.md#memory-on-linux).
export GLIBC_TUNABLES=glibc.malloc.trim_threshold=4294967296:glibc.malloc.mmap_threshold=33554432
dotnet run --project src/Samples -c Release -- "${1:-digits}" "${2:-out}"
