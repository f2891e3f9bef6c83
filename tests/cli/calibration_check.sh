#!/bin/sh
# `gicsim microbench --check` on every platform preset that has a measured
# block, so a new calibrated preset is covered as soon as it is added.
#   calibration_check.sh GICSIM PLATFORM_DIR
# Prints each preset's table; fails when a measured figure is simulated more
# than 10% off (or a preset does not load or run).
set -u
GICSIM=$1
DIR=$2

checked=0
failed=0
for f in "$DIR"/*.yaml; do
    [ -f "$f" ] || continue
    grep -q '^measured:' "$f" || continue
    checked=$((checked + 1))
    echo "== $(basename "$f")"
    if "$GICSIM" microbench --check --platform "$f" 2>&1; then
        echo "ok - $(basename "$f")"
    else
        failed=$((failed + 1))
        echo "not ok - $(basename "$f")"
    fi
    echo
done
echo "$checked preset(s) with measured values checked, $failed failed"
[ "$failed" -eq 0 ]
