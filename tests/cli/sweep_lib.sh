# Shared by the sweep tests (sweep_test.sh, sweep_parallel_test.sh,
# sweep_slurm_test.sh): the check helpers, and the small sweep they all run.
# Source it after setting GICSIM, SRC and WORK; it changes to WORK.
# Each check prints "ok - ..." or "not ok - ..."; finish prints the
# "N passed, M failed" line and sets the exit status.
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 2

. "$SRC/tests/cli/checks.sh"
# skip WHY: not this machine's test (CTest's SKIP_RETURN_CODE); in CI it
# fails instead, so a missing package cannot pass unnoticed.
skip() {
    if [ "${CI:-}" = true ]; then
        bad "$*"
        finish
        exit 1
    fi
    echo "skipped: $*"
    exit 77
}
# same_sweep A B: the two directories hold the same sweep results, byte for byte.
same_sweep() {
    diff -r -x shards -x slurm "$1" "$2" >diff.txt 2>&1
}

# The tiny sweep: 2 rates x 2 list-register counts x 2 policies x 2
# replications = 16 runs of a 2 ms NIC scenario.
SPEC=$WORK/tiny.yaml
cat >"$SPEC" <<SPEC_EOF
scenario: $SRC/configs/scenarios/nic-load.yaml
set:
  run.duration: 2ms
  sources.0.arrival: {kind: poisson}
axes:
  sources.0.arrival.rate: [50k/s, 200k/s]
  gic.lrs: [1, 4]
policies: [trap-inject, eoi-split]
replications: 2
SPEC_EOF
