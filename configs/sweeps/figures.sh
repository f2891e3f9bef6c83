#!/bin/sh
# Regenerate the figures of the shipped sweeps in docs/figures (docs/sweeps.md).
#   configs/sweeps/figures.sh [GICSIM] [WORK_DIR]
# GICSIM defaults to build/sim/gicsim, WORK_DIR (the sweeps' results) to a
# temporary directory. Run from anywhere; the figures are deterministic.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
gicsim=${1:-$root/build/sim/gicsim}
work=${2:-$(mktemp -d)}
fig=$root/docs/figures
"$gicsim" sweep "$root/configs/sweeps/nic-rate.yaml" -o "$work/nic-rate" -q
"$gicsim" sweep "$root/configs/sweeps/lr-pressure.yaml" -o "$work/lr-pressure" -q
for q in msi spi; do
    case $q in
    msi) what="the NIC as MSIs (vLPIs under GICv4)" ;;
    spi) what="the NIC as an edge SPI" ;;
    esac
    "$gicsim" plot "$work/nic-rate" --x "sources.$([ $q = spi ] && echo 0 || echo 1).arrival.rate" \
        --y p50,p99 --by policy --source "nic-$q" --log-x -o "$fig/sweep-nic-rate-$q.svg" \
        --title "nic-spi-vs-vlpi: $what, mean and 95% CI of 5 runs" \
        --xlabel "NIC interrupt rate (1/s, log scale)"
done
"$gicsim" plot "$work/lr-pressure" --x gic.lrs --y exits,exits_per_irq_maintenance --by policy \
    -o "$fig/sweep-lr-exits.svg" --title "lr-pressure: VM exits per interrupt" \
    --xlabel "list registers per vCPU interface (gic.lrs)"
"$gicsim" plot "$work/lr-pressure" --x gic.lrs --y p50,p99 --by policy \
    -o "$fig/sweep-lr-latency.svg" --title "lr-pressure: delivery latency" \
    --xlabel "list registers per vCPU interface (gic.lrs)"
# The CDFs of docs/calibration.md, in the same style.
"$gicsim" run "$root/configs/scenarios/seed004-timer.yaml" -q --cdf "$fig/seed004-timer-cdf.svg" >/dev/null
"$gicsim" compare "$root/configs/scenarios/seed004-timer.yaml" -q \
    --cdf "$fig/seed004-timer-compare-cdf.svg" >/dev/null
echo "figures written to $fig (sweep results in $work)"
