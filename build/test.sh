#!/usr/bin/env bash
# Runs the test suite (MSTest) after installing what a fresh machine lacks. Extra arguments go to dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
rm -rf TestResults
dotnet test Autoencoders.MLNet.sln -c Release --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory TestResults "$@"
