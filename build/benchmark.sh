#!/usr/bin/env bash
# Runs a benchmark (test/Microsoft.ML.Autoencoders.Benchmarks/README.md): build/benchmark.sh <benchmark> [threads].
# Launched as build/sample.sh launches the samples: PLAIN=1 measures a process launched without the allocator setting.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
# ONNX Runtime writes a telemetry session file (.ses) into TMPDIR unless told not to (docs/conventions.md#files).
export ORT_DISABLE_TELEMETRY=1
# glibc's malloc would return each training step's memory to the kernel and fault it back (docs/conventions.md#memory-on-linux).
[[ "${PLAIN:-0}" == 1 ]] || export GLIBC_TUNABLES=glibc.malloc.trim_threshold=4294967296:glibc.malloc.mmap_threshold=33554432
dotnet run -c Release --project test/Microsoft.ML.Autoencoders.Benchmarks -- "$@"
