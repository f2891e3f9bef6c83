#!/usr/bin/env bash
# Set up, build and run the main job: compare the delivery schemes on the
# default scenario (extra arguments go to gicsim compare, e.g. --json out.json).
set -euo pipefail

cd "$(dirname "$0")/.."

./scripts/setup.sh

cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" --target gicsim-cli >/dev/null

exec build/sim/gicsim compare configs/scenarios/default.yaml "$@"
