#!/usr/bin/env bash
# Runs the test suite (MSTest) after installing what a fresh machine lacks. Extra arguments go to dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
# ONNX Runtime writes a telemetry session file (.ses) into TMPDIR unless told not to (docs/conventions.md#files).
export ORT_DISABLE_TELEMETRY=1
rm -rf TestResults
dotnet test Autoencoders.MLNet.sln -c Release --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory TestResults "$@"
