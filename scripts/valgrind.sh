#!/usr/bin/env bash
# Memory checks with valgrind memcheck (not part of CI; see docs/invariants.md).
#   ./scripts/valgrind.sh [BUILD_DIR]     default: build-valgrind/
# Configures and builds BUILD_DIR without sanitizers (valgrind cannot run
# AddressSanitizer binaries), then runs under memcheck with
# --error-exitcode=1 --leak-check=full:
#   - the CLI: validate every shipped file, `compare` every shipped scenario
#     for 2 ms under its policies, `run` one scenario with every output, the
#     micro-bench on every preset and one calibration;
#   - the test programs that build whole systems (scenarios, outputs, traces,
#     the ITS, the invariant checker, determinism).
# Prints one line per check and exits non-zero if any of them failed.
set -uo pipefail

cd "$(dirname "$0")/.."
build_dir=${1:-build-valgrind}

if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind.sh: valgrind not found (apt-get install valgrind)" >&2
    exit 2
fi

cmake -S . -B "$build_dir" -DGICSIM_SANITIZE=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
    exit 2
cmake --build "$build_dir" -j"$(nproc)" >/dev/null || exit 2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vg=(valgrind --quiet --error-exitcode=1 --leak-check=full --track-origins=yes)
cli="$build_dir/sim/gicsim"
pass=0
fail=0

check() { # check DESCRIPTION COMMAND...
    local d=$1
    shift
    if "${vg[@]}" "$@" >"$work/out.txt" 2>"$work/err.txt"; then
        pass=$((pass + 1))
        echo "ok - $d"
    else
        fail=$((fail + 1))
        echo "not ok - $d"
        sed 's/^/#   /' "$work/err.txt" | head -40
    fi
}

check "validate shipped files" "$cli" validate configs/scenarios/*.yaml configs/platforms/*.yaml
for f in configs/scenarios/*.yaml; do
    check "compare $(basename "$f" .yaml)" "$cli" compare "$f" -q -p run.duration=2ms
done
check "run mixed with every output" "$cli" run configs/scenarios/mixed.yaml -q \
    -p run.duration=2ms --json "$work/o.json" --csv "$work/o.csv" \
    --perfetto "$work/o.perfetto.json" --vcd "$work/o.vcd" --cdf "$work/o.svg"
check "compare nic-load with every output" "$cli" compare configs/scenarios/nic-load.yaml -q \
    -p run.duration=2ms --json "$work/c.json" --csv "$work/c.csv.gz" --cdf "$work/c.svg"

for p in configs/platforms/*.yaml; do
    check "microbench $(basename "$p" .yaml)" "$cli" microbench --platform "$p" --iterations 64
done
check "calibrate the X-Gene figures" "$cli" calibrate configs/measured/xgene-kvm-nonvhe.yaml \
    --platform generic --fit world_switch -o "$work/xgene.yaml"

for t in test_system test_gicv4_system test_policies test_scenario test_output test_trace \
    test_its test_lpi test_invariants test_determinism test_microbench test_host_timer \
    test_nnls test_calibrate; do
    exe="$build_dir/tests/$t"
    [ -x "$exe" ] || continue
    check "$t" "$exe"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
