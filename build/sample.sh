#!/usr/bin/env bash
# Runs a sample on the data shipped in the repository (default: digits); PNGs go to ./out.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
dotnet run --project src/Samples -c Release -- "${1:-digits}" "${2:-out}"
