#!/usr/bin/env bash
# Runs the test suite (MSTest) after installing what a fresh machine lacks. Extra arguments go to dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
# The AnnData tests check files this library writes with the anndata package itself (Debian's python3-anndata).
if ! /usr/bin/python3 -c "import anndata" 2>/dev/null; then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "test: installing python3-anndata (the AnnData tests' reference reader)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-anndata >/dev/null \
    || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-anndata >/dev/null; }
fi
export AE_REQUIRE_ANNDATA=1
# ONNX Runtime writes a telemetry session file (.ses) into TMPDIR unless told not to (docs/conventions.md#files).
export ORT_DISABLE_TELEMETRY=1
rm -rf TestResults
dotnet test Autoencoders.MLNet.sln -c Release --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory TestResults "$@"
