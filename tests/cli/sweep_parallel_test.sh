#!/bin/sh
# The sweep through GNU parallel: `gicsim sweep --list` piped into parallel,
# then `gicsim sweep --resume` writes the tables; the directory equals the
# one-machine run byte for byte (docs/sweeps.md).
#   sweep_parallel_test.sh GICSIM SOURCE_DIR WORK_DIR
# Skipped (77) without GNU parallel, except in CI, where it fails.
set -u
GICSIM=$1
SRC=$2
WORK=$3
. "$SRC/tests/cli/sweep_lib.sh"

parallel --version 2>/dev/null | grep -q "GNU parallel" ||
    skip "GNU parallel is not installed (Debian package parallel; scripts/setup.sh --slurm)"

status_is 0 "the one-machine run" "$GICSIM" sweep "$SPEC" -o local -j 2 -q
status_is 0 "--list" "$GICSIM" sweep "$SPEC" -o viapar --list
cp out.txt commands.txt
check "a command per run" sh -c '[ "$(wc -l <commands.txt)" -eq 16 ]'
status_is 0 "GNU parallel runs the listed commands" timeout 300 parallel --will-cite -j 2 \
    --halt now,fail=1 -a commands.txt
check "every run has its result" sh -c '[ "$(ls viapar/runs | grep -c "\.json$")" -eq 16 ]'
status_is 0 "--resume writes the tables" "$GICSIM" sweep "$SPEC" -o viapar --resume
check "--resume had nothing left to run" grep -q "(0 run now, 0 failed)" err.txt
check "GNU parallel's sweep equals the one-machine run" same_sweep viapar local
finish
