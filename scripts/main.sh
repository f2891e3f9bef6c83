#!/usr/bin/env bash
# Set up, build and run the main job: build/sim/gicsim-demo with this
# script's arguments.
set -euo pipefail

cd "$(dirname "$0")/.."

./scripts/setup.sh

if [ ! -f sim/demo.c ]; then
    echo "main.sh: sim/demo.c does not exist yet" >&2
    exit 1
fi

cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" --target gicsim-demo >/dev/null

exec build/sim/gicsim-demo "$@"
