#!/bin/sh
# End-to-end tests of the gicsim command line.
#   cli_test.sh GICSIM JSON_CHECK SOURCE_DIR WORK_DIR
# Each check prints "ok - ..." or "not ok - ..."; the last line is the
# "N passed, M failed" summary and the exit status is non-zero on failure.
set -u
GICSIM=$1
JSON_CHECK=$2
SRC=$3
WORK=$4
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 2

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
    d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
status_is() { # status_is WANT DESCRIPTION COMMAND...
    want=$1
    d=$2
    shift 2
    "$@" >out.txt 2>err.txt
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$d (exit $got)"; else
        bad "$d: exit $got, expected $want"
        sed 's/^/#   /' err.txt
    fi
}

SC=$SRC/configs/scenarios

# ---- Usage -------------------------------------------------------------------------
status_is 0 "--help" "$GICSIM" --help
check "--help prints usage" grep -q "usage: gicsim run" out.txt
status_is 0 "--version" "$GICSIM" --version
check "--version prints the version" grep -q "^gicsim [0-9]" out.txt
status_is 64 "no command" "$GICSIM"
status_is 64 "unknown command" "$GICSIM" frobnicate
status_is 64 "run without a scenario" "$GICSIM" run
status_is 64 "unknown option" "$GICSIM" run "$SC/nic-load.yaml" --no-such-option
status_is 64 "-p without KEY=VALUE" "$GICSIM" run "$SC/nic-load.yaml" -p gic.pes
status_is 64 "unknown policy in --policies" "$GICSIM" compare "$SC/nic-load.yaml" --policies nope
status_is 64 "validate without files" "$GICSIM" validate

# ---- Every shipped file validates, every shipped scenario runs ---------------------------
status_is 0 "validate shipped scenarios and presets" "$GICSIM" validate "$SC"/*.yaml "$SRC"/configs/platforms/*.yaml
for f in "$SC"/*.yaml; do
    n=$(basename "$f" .yaml)
    status_is 0 "compare $n" "$GICSIM" compare "$f" -q -p run.duration=2ms
    check "compare $n delivered interrupts" grep -Eq "^interrupts delivered +[1-9]" out.txt
done

# ---- Bad configuration: file:line:column, key, exit 78 ---------------------------------
nbad=0
for f in "$SRC"/tests/scenario/bad/*.yaml; do
    nbad=$((nbad + 1))
    "$GICSIM" validate "$f" >out.txt 2>err.txt
    st=$?
    if [ "$st" -eq 78 ] && grep -Eq "^[^:]+:[0-9]+:[0-9]+: " err.txt; then
        ok "bad config $(basename "$f"): exit 78 with file:line:column"
    else
        bad "bad config $(basename "$f"): exit $st: $(head -1 err.txt)"
    fi
done
if [ "$nbad" -ge 20 ]; then ok "$nbad malformed scenario files tested"; else bad "only $nbad malformed files"; fi
status_is 78 "missing scenario file" "$GICSIM" run "$WORK/does-not-exist.yaml"
status_is 78 "bad override value" "$GICSIM" run "$SC/nic-load.yaml" -p gic.lrs=99
check "bad override names the override and the key" grep -q "^<override>:1:[0-9]*: gic.lrs: " err.txt
status_is 78 "override of an unknown key" "$GICSIM" run "$SC/nic-load.yaml" -p gic.colour=blue

# ---- compare prints one column per policy -----------------------------------------------
status_is 0 "compare with --policies" "$GICSIM" compare "$SC/nic-load.yaml" -q -p run.duration=2ms \
    --policies trap-inject,trap-inject-nomask,eoi-split
header=$(sed -n 3p out.txt)
cols=$(echo "$header" | wc -w)
if [ "$cols" -eq 3 ] && echo "$header" | grep -q "trap-inject.*trap-inject-nomask.*eoi-split"; then
    ok "compare prints one column per policy"
else
    bad "compare header: '$header'"
fi
row=$(grep "^latency p50 (ns)" out.txt | wc -w)
if [ "$row" -eq 6 ]; then ok "every row has one value per policy"; else bad "p50 row has $row words"; fi

# ---- Outputs -------------------------------------------------------------------------
status_is 0 "run with every output" "$GICSIM" run "$SC/mixed.yaml" -q -p run.duration=5ms \
    --json run.json --csv rec.csv.gz --perfetto timeline.json --vcd lines.vcd --cdf cdf.svg \
    --record arrivals.trace.gz
check "summary JSON parses" "$JSON_CHECK" run.json
check "Perfetto JSON parses" "$JSON_CHECK" timeline.json
check "Perfetto has trace events" grep -q '"traceEvents"' timeline.json
check "JSON has the resolved configuration" grep -q '"costs"' run.json
for h in '^\$timescale 1ps \$end' '^\$scope module ' '^\$var wire 1 ' '^\$enddefinitions \$end'; do
    check "VCD header line $h" grep -q "$h" lines.vcd
done
check "CDF is SVG" grep -q "<svg" cdf.svg
check "CSV is gzip" sh -c 'gzip -dc rec.csv.gz | head -1 | grep -q "^source,vm,vcpu,intid,t_assert_ps"'
status_is 0 "compare writes per-policy files" "$GICSIM" compare "$SC/nic-load.yaml" -q \
    -p run.duration=2ms --json cmp.json --csv cmp.csv --cdf cmp.svg
check "compare CSV for eoi-split" test -s cmp.eoi-split.csv
check "compare CSV for trap-inject" test -s cmp.trap-inject.csv
check "compare JSON parses" "$JSON_CHECK" cmp.json
check "compare CDF has a curve per policy" sh -c '[ "$(grep -c "<polyline" cmp.svg)" -ge 2 ]'

# ---- Record and replay: identical results ------------------------------------------------
sed -e "s|arrival: {kind: poisson, period: 20us}|arrival: {kind: trace, file: $WORK/arrivals.trace.gz}|" \
    -e "s|arrival: {kind: poisson, period: 200us}|arrival: {kind: trace, file: $WORK/arrivals.trace.gz}|" \
    -e "s|arrival: {kind: periodic, period: 500us}|arrival: {kind: trace, file: $WORK/arrivals.trace.gz}|" \
    "$SC/mixed.yaml" >"$WORK/replay.yaml"
status_is 0 "replay the recorded trace" "$GICSIM" run "$WORK/replay.yaml" -q -p run.duration=5ms --json replay.json
sed -n '/"results"/,$p' run.json >a.txt
sed -n '/"results"/,$p' replay.json >b.txt
check "replayed results are identical to the recorded run" cmp -s a.txt b.txt
check "the replay was driven by the trace" grep -q '"kind": "trace"' replay.json

# ---- Bad trace data: exit 65 ---------------------------------------------------------
printf '#gicsim-trace 1\n100 nic fire\n50 nic fire\n' >backwards.trace
sed "s|$WORK/arrivals.trace.gz|$WORK/backwards.trace|g" "$WORK/replay.yaml" >badtrace.yaml
status_is 65 "a trace going backwards in time" "$GICSIM" run "$WORK/badtrace.yaml" -q -p run.duration=1ms
check "the trace error names file and line" grep -q "backwards.trace:3: " err.txt

# ---- Determinism: the same scenario twice gives byte-identical outputs -------------------
"$GICSIM" run "$SC/mixed.yaml" -q -p run.duration=5ms --json d1.json --csv d1.csv >/dev/null 2>&1
"$GICSIM" run "$SC/mixed.yaml" -q -p run.duration=5ms --json d2.json --csv d2.csv >/dev/null 2>&1
check "identical runs give identical JSON" cmp -s d1.json d2.json
check "identical runs give identical CSV" cmp -s d1.csv d2.csv
"$GICSIM" run "$SC/mixed.yaml" -q -p run.duration=5ms -p run.seed=2 --csv d3.csv >/dev/null 2>&1
check "a different seed gives different arrivals" sh -c '! cmp -s d1.csv d3.csv'

# ---- Conformance scripts -------------------------------------------------------------
status_is 0 "a passing script" "$GICSIM" script "$SRC/tests/scenario/scripts/pass.yaml"
status_is 1 "a failing expectation" "$GICSIM" script "$SRC/tests/scenario/scripts/fail.yaml"
check "the failure names the step and both values" grep -q "step 5 (line 10): .*expected 0x28, got 0x3ff" err.txt

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
