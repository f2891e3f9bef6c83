#!/bin/sh
# End-to-end tests of the gicsim command line.
#   cli_test.sh GICSIM JSON_CHECK SOURCE_DIR WORK_DIR
# Each check prints "ok - ..." or "not ok - ..."; the last line is the
# "N passed, M failed" summary and the exit status is non-zero on failure.
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

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
    # Every CPU cost 0 (a jitter factor of 0): simulated time must still
    # advance (a stale physical IRQ once made lr-pressure exit and re-enter
    # forever at one instant).
    status_is 0 "compare $n with every CPU cost 0 terminates" timeout 60 "$GICSIM" compare "$f" -q \
        -p run.duration=2ms -p platform_overrides.variation.jitter.all=0
done
status_is 0 "lr-pressure with every CPU cost 0 runs 5ms" timeout 60 "$GICSIM" run "$SC/lr-pressure.yaml" \
    -p run.duration=5ms -p platform_overrides.variation.jitter.all=0
check "... and delivers every interrupt" grep -Eq "^dev11 +49 " out.txt

# ---- The micro-bench scenario ------------------------------------------------------------
MB=$SRC/configs/microbench/micro-bench.yaml
status_is 0 "validate the micro-bench scenario" "$GICSIM" validate "$MB"
status_is 0 "run the micro-bench scenario" "$GICSIM" run "$MB" -p microbench.iterations=64 --json mb.json
check "micro-bench: hvc near the Altra figure" grep -Eq "^hvc +[0-9.]+ +306\.0 .*[-+][0-2]\.[0-9]% .*fitted" out.txt
check "micro-bench: ipi_hw predicted" grep -Eq "^ipi_hw .* predicted" out.txt
check "micro-bench: its JSON is valid" "$JSON_CHECK" mb.json
status_is 0 "micro-bench scenario on another preset" "$GICSIM" run "$MB" \
    -p platform=neoverse-n1-kvm-vhe -p 'microbench.tests=[eoi]'
check "micro-bench: the N1 eoi" grep -Eq "^eoi +29\.0 +29\.0" out.txt
status_is 0 "micro-bench scenario with a platform override" "$GICSIM" run "$MB" \
    -p platform_overrides.costs.icv_eoir_write=42 -p 'microbench.tests=[eoi]'
# eoi is counter_read + icv_eoir_write: 42 cycles of EOI put it well above 14 ns.
check "micro-bench: the override applies" grep -Eq "^eoi +([2-9][0-9]|1[6-9])\.[0-9] +14\.0" out.txt
status_is 64 "compare refuses a micro-bench scenario" "$GICSIM" compare "$MB"
status_is 0 "micro-bench: seed 004's tests under a spread that overruns periods" "$GICSIM" run "$MB" \
    -p 'platform_overrides.variation.jitter.all={dist: lognormal, median: 1, sigma: 2}' \
    -p 'microbench.tests=[timer_bm, timer_vm]' -p microbench.iterations=500
status_is 78 "micro-bench: an unknown test" "$GICSIM" run "$MB" -p 'microbench.tests=[hvc2]'

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
header=$(grep -m1 '^  ' out.txt) # the column header: the first line that starts blank
cols=$(echo "$header" | wc -w)
if [ "$cols" -eq 3 ] && echo "$header" | grep -q "trap-inject.*trap-inject-nomask.*eoi-split"; then
    ok "compare prints one column per policy"
else
    bad "compare header: '$header'"
fi
row=$(grep "^latency p50 (ns)" out.txt | wc -w)
if [ "$row" -eq 6 ]; then ok "every row has one value per policy"; else bad "p50 row has $row words"; fi

# ---- GICv4.1 schemes and GICv5 side by side (docs/gicv5.md, "Comparing with GICv4.1") -----
status_is 0 "compare a GICv4.1 scheme with GICv5 ones" "$GICSIM" compare "$SC/nic-spi-vs-vlpi.yaml" \
    -q -p run.duration=2ms --policies gicv41-vsgi,gicv5-direct,gicv5-did --json v5.json
check "compare says the GICv5 policies run on a GICv5" \
    grep -q "^GIC v5 for: gicv5-direct, gicv5-did (the architecture the policy drives)$" out.txt
check "the GICv5 columns deliver" grep -Eq "^interrupts delivered +[1-9][0-9]* +[1-9][0-9]* +[1-9]" out.txt
check "compare JSON with GICv5 runs parses" "$JSON_CHECK" v5.json
status_is 0 "run a v3 scenario's VM under a GICv5 policy" "$GICSIM" run "$SC/mixed.yaml" -q \
    -p run.duration=2ms -p vms.0.policy=gicv5-direct
check "run says its VMs' policies run on a GICv5" grep -q "^GIC v5 for: the VMs' policies" out.txt
status_is 0 "a GICv5 scenario under a GICv3/v4 policy" "$GICSIM" compare "$SC/mixed.yaml" -q \
    -p run.duration=2ms -p gic.version=v5 --policies eoi-split,gicv5-direct
check "the GICv3/v4 policy runs on a GICv4.1" grep -q "^GIC v4.1 for: eoi-split" out.txt

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
status_is 1 "--all runs every step" "$GICSIM" script --all "$SRC/tests/scenario/scripts/fail.yaml"
check "--all prints each failure and a summary" grep -q "1 of 7 steps failed; first: step 5 (line 10)" err.txt
status_is 0 "the shipped ITS and GICv4 scripts" "$GICSIM" script --all \
    "$SRC/tests/scenario/scripts/its-trigger.yaml" "$SRC/tests/scenario/scripts/gicv41-vsgi.yaml"

# ---- microbench and calibrate ------------------------------------------------------------
MB_TESTS="hvc mmio_read_user mmio_read_vgic eoi ipi ipi_hw lpi timer_10ms timer_bm timer_vm vcpu_load doorbell_enable msi_inject"
status_is 0 "microbench on the generic preset" "$GICSIM" microbench --platform generic --json mb.json
check "microbench header counts measured and predicted values" \
    grep -q "^generic: fitted to 0 measured values, predicts 0$" out.txt
rows=0
for t in $MB_TESTS; do
    grep -Eq "^$t +[0-9]+\.[0-9] " out.txt && rows=$((rows + 1))
done
if [ "$rows" -eq 13 ]; then ok "microbench prints a row per test"; else bad "microbench: $rows rows"; fi
check "microbench JSON parses" "$JSON_CHECK" mb.json
status_is 0 "microbench --tests" "$GICSIM" microbench --tests hvc,eoi --iterations 16
check "microbench --tests runs only those" sh -c '[ "$(grep -Ec "^(hvc|eoi) " out.txt)" -eq 2 ] && ! grep -q "^ipi " out.txt'
status_is 64 "microbench with an unknown test" "$GICSIM" microbench --tests hvc,nope
status_is 64 "microbench with a bad --iterations" "$GICSIM" microbench --iterations 0
status_is 78 "microbench with an unknown preset" "$GICSIM" microbench --platform no-such-preset
check "the unknown preset error names the key" grep -q "platform: unknown platform" err.txt

# Round trip: generic's simulated figures as MEASURED, fitted from a base
# whose default fit costs are doubled, come back to generic's costs.
sed -n 's/.*"test": "\([a-z_0-9]*\)", "simulated_ns": \([0-9.]*\),.*/  \1: \2/p' mb.json >figures.txt
{ echo 'reference: "gicsim microbench on generic"'; echo "measured:"; cat figures.txt; } >measured.yaml
mkdir -p plat
# Each test's default fit cost (gicsim_calib_default_cost) doubled, plus 100
# cycles (idle_exit is 0 in generic).
DEFAULT_FIT="hvc_handle vmm_mmio vgic_mmio icv_eoir_write vcpu_kick sgi_dispatch its_cmd_emulate timer_irq idle_exit sched_wakeup vpe_resident doorbell_enable its_cache_op"
cp "$SRC/configs/platforms/generic.yaml" plat/doubled.yaml
sed -i 's/^name: generic$/name: doubled/' plat/doubled.yaml
for c in $DEFAULT_FIT; do
    v=$(sed -n "s/^  $c: \([0-9]*\)$/\1/p" plat/doubled.yaml)
    sed -i "s/^  $c: $v$/  $c: $((2 * v + 100))/" plat/doubled.yaml
done
check "the doubled base differs from generic" sh -c '[ "$(diff "$0" plat/doubled.yaml | grep -c "^>")" -eq 14 ]' \
    "$SRC/configs/platforms/generic.yaml"
status_is 0 "calibrate a YAML MEASURED file (exact)" "$GICSIM" calibrate measured.yaml --platform "$WORK/plat/doubled.yaml" --no-priors -o fitted.yaml
check "calibrate prints the residuals" grep -Eq "^lpi +[0-9.]+ ±3% +[0-9.]+ +[-+]0\.0%" err.txt
for c in hvc_handle vmm_mmio vcpu_kick its_cmd_emulate sched_wakeup doorbell_enable; do
    v=$(sed -n "s/^  $c: \([0-9]*\)$/\1/p" "$SRC/configs/platforms/generic.yaml")
    check "calibrate brings $c back to $v" grep -Eq "^  $c: $v  # fitted$" fitted.yaml
done
status_is 0 "the calibrated preset validates" "$GICSIM" validate fitted.yaml
status_is 0 "microbench --check on the calibrated preset" "$GICSIM" microbench --check --platform fitted.yaml
check "microbench on a calibrated preset counts its values" \
    grep -q "^fitted: fitted to 13 measured values, predicts 0$" out.txt
check "microbench shows the fitted role and an interval" grep -Eq "^hvc +[0-9.]+ +[0-9.]+ ±3% +[-+]0\.0% +[0-9.]+ \.\. [0-9.]+ +fitted$" out.txt
sed -e 's/^name: "fitted"$/name: off/' -e 's/^  hvc: .*/  hvc: 100/' fitted.yaml >off.yaml
status_is 1 "microbench --check on a preset off by more than 10%" "$GICSIM" microbench --check --platform off.yaml
check "--check names the test that is off" grep -q "check: hvc: .* off by more than 10%" err.txt
# A preset whose variation draws one factor per run (Altra's jitter.run): the
# figures are the median run's, and the fitted figure with runs gets the
# simulated run-to-run sd beside the measured one (docs/calibration.md, "Spread").
status_is 0 "microbench on a preset with a per-run factor" "$GICSIM" microbench \
    --platform ampere-altra-kvm-vhe --tests hvc,timer_10ms --json mbrun.json
check "microbench: the median run's figures" grep -Eq "^timer_10ms +902\.[0-9] +902\.0 " out.txt
check "microbench: the run-to-run sd and the measured one" \
    grep -Eq "^timer_10ms +1[0-9]\.[0-9] +14\.6$" out.txt
check "microbench --json: run_sd_ns and measured_run_sd_ns" \
    grep -Eq '"run_sd_ns": 1[0-9]\.[0-9]+, "measured_run_sd_ns": 14\.6' mbrun.json

# A kvm-unit-tests arm/micro-bench log as MEASURED, with a test gicsim does not model.
{
    echo "Timer Frequency 25000000 Hz (Output in microseconds)"
    printf "\n%-30s%18s%13s%18s%13s\n" "name" "total ns" "" "avg ns" ""
    for t in hvc mmio_read_user mmio_read_vgic eoi; do
        v=$(sed -n "s/^  $t: \([0-9]*\).*/\1/p" figures.txt)
        printf "%-30s%15d.%-15d%15d.%-15d\n" "$t" $((v * 65536)) 0 "$v" 0
    done
    echo "ipi_hw test skipped"
    printf "%-30s%15d.%-15d%15d.%-15d\n" "some_future_test" 65536 0 1 0
} >kut.log
status_is 0 "calibrate a kvm-unit-tests log" "$GICSIM" calibrate kut.log --platform generic --no-priors --name kut-fit
check "the log's unmodelled test is reported" grep -q "ignored 1 result line" err.txt
check "the preset goes to stdout" grep -q "^name: \"kut-fit\"$" out.txt
check "the log's tests are the measured ones" grep -q "^fitted: \[hvc_handle, vmm_mmio, vgic_mmio, icv_eoir_write\]$" out.txt
check "the other tests are predictions" grep -q "^predicts: \[ipi, ipi_hw, lpi, timer_10ms, timer_bm, timer_vm, vcpu_load, doorbell_enable, msi_inject\]$" out.txt
printf "%-30s%15d.%-15d%15d.%-15d\nmmio_read_user   123.0   x\n" hvc 20054016 0 306 0 >badlog.txt
status_is 65 "a malformed kvm-unit-tests log" "$GICSIM" calibrate badlog.txt --platform generic
check "the log error names file:line and the test" grep -q "badlog.txt:2:1: mmio_read_user: malformed result line" err.txt
printf 'measured:\n  hvc: 306\n  hvcc: 12\n' >badmeasured.yaml
status_is 65 "a MEASURED file with an unknown test" "$GICSIM" calibrate badmeasured.yaml --platform generic
check "the MEASURED error names file:line:column and key" grep -q "badmeasured.yaml:3:3: measured.hvcc: unknown micro-bench test" err.txt
printf 'reference: x\nmeasured:\n  timer_bm: {ns: 3900, percentiles: {p10: 4000, p90: 3800}}\n' >badpct.yaml
status_is 65 "a MEASURED file whose percentiles fall" "$GICSIM" calibrate badpct.yaml --platform generic
check "the falling percentile is named with its position" \
    grep -q "badpct.yaml:3:54: measured.timer_bm.percentiles.p90: below p10's 4000 ns" err.txt
status_is 65 "a missing MEASURED file" "$GICSIM" calibrate no-such-file.yaml --platform generic
status_is 64 "calibrate without --platform" "$GICSIM" calibrate measured.yaml
status_is 64 "calibrate with an unknown --fit cost" "$GICSIM" calibrate measured.yaml --platform generic --fit hvc_handle,nope
status_is 64 "calibrate with --name not matching -o" "$GICSIM" calibrate measured.yaml --platform generic --name a -o b.yaml
status_is 78 "calibrate with a fit set the figures cannot determine" "$GICSIM" calibrate measured.yaml \
    --platform generic --no-priors --fit hvc_handle,doorbell
check "the fit error names the cost" grep -q "doorbell has no effect on any measured test" err.txt
printf 'measured:\n  hvc: 50\n' >cannot.yaml
status_is 1 "calibrate exits 1 when a figure cannot be fitted within 10%" "$GICSIM" calibrate cannot.yaml --platform generic --no-priors -o cannot-fit.yaml
check "the unfittable figure is named" grep -q "calibrate: hvc is off by" err.txt

# MAP fits (the default), the identifiability report, intervals, cross-validation.
status_is 0 "calibrate with priors (MAP)" "$GICSIM" calibrate measured.yaml --platform generic -o map.yaml --json map.json
check "the MAP report names its method" grep -q "^gicsim: map: MAP fit of [0-9]* costs to 13 measured values" err.txt
check "the MAP report has the identifiability table" grep -Eq "^identifiability: the measured figures depend on [0-9]+ of the [0-9]+ free costs; rank [0-9]+" err.txt
check "the MAP report gives predictions' intervals" grep -Eq "^hvc +[0-9.]+ ±3% +[0-9.]+ +[-+]0\.0% +[0-9.]+ \.\. [0-9.]+ +fitted$" err.txt
check "a MAP fit of generic's own figures keeps generic's costs" sh -c \
    'for f in "$0" map.yaml; do sed -n "/^costs:/,/^[a-z]/p" "$f" | grep -E "^  [a-z_]+: [0-9]+" | sed "s/ *#.*//"; done >ab.txt; \
     [ "$(wc -l <ab.txt)" -gt 20 ] && [ "$(sort ab.txt | uniq -u | wc -l)" -eq 0 ]' \
    "$SRC/configs/platforms/generic.yaml"
check "the MAP preset records its method" grep -q "^fit_method: map$" map.yaml
check "the MAP preset records the uncertainty" grep -q "^uncertainty: 3%$" map.yaml
check "the calibrate JSON parses" "$JSON_CHECK" map.json
check "the calibrate JSON has the identifiability" grep -q '"identifiability": {"seen": ' map.json
status_is 0 "the MAP preset validates" "$GICSIM" validate map.yaml
status_is 0 "microbench --check on the MAP preset" "$GICSIM" microbench --check --platform map.yaml --json mbmap.json
check "microbench states how the intervals are made" grep -q "^intervals: over the MAP fit's" out.txt
check "microbench JSON has intervals" grep -q '"interval_ns": \[' mbmap.json
check "microbench JSON with intervals parses" "$JSON_CHECK" mbmap.json
{
    echo 'reference: "cross-validation test"'
    echo 'uncertainty: 5%'
    echo 'facts: {world_switch: 0}'
    echo 'measured:'
    echo '  hvc: {ns: 250, uncertainty: 8%, source: "made up"}'
    echo '  eoi: 30'
    echo '  ipi: 1800'
    echo '  lpi: 1500'
} >cv.yaml
status_is 0 "calibrate --cross-validate exits 0 whatever the errors" "$GICSIM" calibrate cv.yaml --platform generic --cross-validate --json cv.json
check "cross-validation prints a row per figure" sh -c '[ "$(grep -Ec "^(hvc|eoi|ipi|lpi) +[0-9.]+ ±[0-9.]+% +[0-9.]+ +[-+][0-9.]+% +[0-9.]+ \.\. [0-9.]+$" out.txt)" -eq 4 ]'
check "cross-validation prints the mean |error|" grep -Eq "^mean \|error\|: [0-9.]+% over 4 of 4 figures$" out.txt
check "cross-validation writes no preset without -o" sh -c '! grep -q "^name:" out.txt'
check "the cross-validation JSON parses" "$JSON_CHECK" cv.json
check "the cross-validation JSON has the folds" grep -q '"cross_validation": {"folds": \[' cv.json
check "the facts are reported" grep -q "world_switch = 0" err.txt
status_is 0 "calibrate with facts, uncertainties and sources" "$GICSIM" calibrate cv.yaml --platform generic -o cvfit.yaml
check "the preset keeps a figure's uncertainty and source" grep -q '^  hvc: {ns: 250, uncertainty: 8%, source: "made up"}$' cvfit.yaml
check "the preset lists its facts" grep -q "^facts: \[world_switch\]$" cvfit.yaml
check "a fact is marked in the costs" grep -q "^  world_switch: 0  # fact$" cvfit.yaml
status_is 0 "microbench on a preset with sources" "$GICSIM" microbench --platform cvfit.yaml --tests hvc,ipi_hw
check "microbench names the sources" grep -q "^  hvc: made up$" out.txt
status_is 0 "exact cross-validation with no spare figure" "$GICSIM" calibrate cv.yaml --platform generic --no-priors \
    --fit hvc_handle,icv_eoir_write,vcpu_kick,its_cmd_emulate --cross-validate
check "exact cross-validation says why a fold is refused" grep -q "not predicted: 4 costs cannot be fitted to the other 3" out.txt
status_is 64 "calibrate --json - with the preset on stdout" "$GICSIM" calibrate cv.yaml --platform generic --json -
status_is 64 "calibrate with a bad --uncertainty" "$GICSIM" calibrate cv.yaml --platform generic --uncertainty 3
printf 'measured:\n  hvc: 306\nfacts: {nope: 0}\n' >badfacts.yaml
status_is 65 "a MEASURED file with an unknown fact" "$GICSIM" calibrate badfacts.yaml --platform generic
check "the unknown fact is named" grep -q "badfacts.yaml:3:9: facts.nope: unknown cost" err.txt
printf 'uncertainty: 0%%\nmeasured:\n  hvc: 306\n' >zerounc.yaml
status_is 65 "a MEASURED file with a zero uncertainty" "$GICSIM" calibrate zerounc.yaml --platform generic

# ---- Intervals of a scenario's metrics: run/compare --intervals -------------------------------
# map.yaml (the MAP fit above, found through GICSIM_PLATFORM_PATH) is a calibrated preset;
# generic is not.
ivrun() { # ivrun JSON OUT: compare default.yaml --intervals on map.yaml, 5 ms
    GICSIM_PLATFORM_PATH=$WORK "$GICSIM" compare "$SC/default.yaml" -q -p run.duration=5ms -p platform=map \
        --intervals --json "$1" >"$2" 2>err.txt
}
check "compare --intervals on a calibrated preset" ivrun iv1.json iv1.txt
check "the table says what the intervals are" grep -q "^intervals: over the MAP fit's [0-9]* free costs of map " iv1.txt
check "an interval row under mean, p50, p99 and exits/irq" sh -c \
    '[ "$(grep -Ec "^  interval +\[[0-9.]+, [0-9.]+\] +\[[0-9.]+, [0-9.]+\]$" iv1.txt)" -eq 4 ] && \
     grep -A1 "^exits/irq: total" iv1.txt | grep -q "^  interval"'
check "the JSON with intervals parses" "$JSON_CHECK" iv1.json
check "every interval contains its value" awk -F'[:,}]' \
    '/"value": .*"lo": .*"hi": / { n++; if (!($5 + 0 <= $3 + 0 && $3 + 0 <= $7 + 0)) off++ }
     END { exit !(n == 8 && off == 0) }' iv1.json
check "the JSON counts the runs" sh -c 'f=$(sed -n "s/.*\"free_costs\": \([0-9]*\).*/\1/p" iv1.json | head -1); \
    r=$(sed -n "s/.*\"runs\": \([0-9]*\).*/\1/p" iv1.json | head -1); \
    [ "$f" -gt 0 ] && [ "$r" -gt "$f" ] && [ "$r" -le $((2 * f + 1)) ]'
check "compare --intervals again" ivrun iv2.json iv2.txt
check "the same inputs give the same table" cmp -s iv1.txt iv2.txt
check "the same inputs give the same JSON" cmp -s iv1.json iv2.json
GICSIM_PLATFORM_PATH=$WORK "$GICSIM" compare "$SC/default.yaml" -q -p run.duration=5ms -p platform=map \
    --json iv0.json >/dev/null 2>&1
check "the intervals leave the rest of the JSON alone" sh -c \
    'sed -e "/^  \"intervals\": {\$/,/^  }\$/d" -e "s/^  },\$/  }/" iv1.json >a.txt; \
     sed -e "s/^  },\$/  }/" iv0.json | cmp -s - a.txt'
status_is 0 "run --intervals" env GICSIM_PLATFORM_PATH="$WORK" "$GICSIM" run "$SC/default.yaml" -q -p run.duration=2ms \
    -p platform=map --intervals --json ivrun.json
check "run --intervals: the JSON has them" grep -q '^  "intervals": {$' ivrun.json
status_is 78 "--intervals on an uncalibrated preset" "$GICSIM" compare "$SC/default.yaml" -q \
    -p run.duration=2ms --intervals --json ivbad.json
check "--intervals names the uncalibrated preset" grep -q "platform generic has no measured figures" err.txt
check "a refused --intervals leaves no output" test ! -e ivbad.json

# ---- Spread: variation, replications, the spread fit (docs/calibration.md, "Spread") ------------
status_is 0 "list settings" "$GICSIM" list settings
check "list settings: the table's paths" grep -Eq "^variation\.jitter\.all +default none; " out.txt
check "list settings: every setting" sh -c '[ "$(wc -l <out.txt)" -eq 21 ]'
S4=$SC/seed004-timer.yaml
status_is 0 "run with replications" "$GICSIM" run "$S4" -q -p run.duration=20ms -p run.replications=3 --json rep.json
check "replications: the header says what the rows are" grep -q "^replications: 3 runs per policy" out.txt
check "replications: a 95% CI row under each latency row" sh -c \
    '[ "$(grep -Ec "^  95% CI \(3 seeds\) +\[[0-9.]+, [0-9.]+\]$" out.txt)" -eq 7 ]'
check "replications: the JSON parses" "$JSON_CHECK" rep.json
check "replications: the JSON has the seeds and intervals" grep -q '"replications": {' rep.json
status_is 0 "run with replications again" "$GICSIM" run "$S4" -q -p run.duration=20ms -p run.replications=3 --json rep2.json
check "replications: one seed, one output" cmp -s rep.json rep2.json
status_is 0 "compare with replications" "$GICSIM" compare "$S4" -q -p run.duration=20ms -p run.replications=3 \
    --policies eoi-split,gicv4-direct,direct-vtimer --json repc.json
check "compare: the differences from the first policy" grep -q "^differences from eoi-split" out.txt
check "compare: a difference row per metric" grep -Eq "^latency_p50_ns +[-+][0-9.]+ ±[0-9.]+" out.txt
check "compare: the JSON has vs_first" grep -q '"within_noise": ' repc.json
check "compare with replications: the JSON parses" "$JSON_CHECK" repc.json
status_is 0 "one run's files" "$GICSIM" run "$S4" -q -p run.duration=20ms --csv rep1.csv --cdf rep1.svg
status_is 0 "... and with replications" "$GICSIM" run "$S4" -q -p run.duration=20ms -p run.replications=3 \
    --csv rep3.csv --cdf rep3.svg
check "replications: the files are replication 0's, byte for byte" sh -c 'cmp -s rep1.csv rep3.csv && cmp -s rep1.svg rep3.svg'
status_is 78 "replications 1001" "$GICSIM" run "$S4" -q -p run.replications=1001
status_is 0 "replications 1000 (the limit)" "$GICSIM" run "$S4" -q -p run.duration=200us -p run.replications=1000
check "... runs them" grep -q "^replications: 1000 runs per policy" out.txt
status_is 78 "replications out of range" "$GICSIM" run "$S4" -q -p run.replications=0
status_is 78 "a variation with an unknown key" "$GICSIM" run "$S4" -q -p platform_overrides.variation.jitter.alll=1.1
check "the unknown variation key is named" grep -q "<override>:1:.*platform_overrides.variation.jitter.alll: unknown key" err.txt
status_is 0 "microbench on a preset with a spread" "$GICSIM" microbench --platform jetson-xavier-nx-vhe \
    --tests timer_bm --iterations 1000 --json mbs.json
check "microbench prints the spread" grep -Eq "^timer_bm +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+  p10 3722\.7, p90 4077\.3$" out.txt
check "microbench JSON has the percentiles" grep -q '"percentiles_ns": {"p10": ' mbs.json
{
    echo 'reference: "spread test"'
    echo 'clocks: {cpu: 1.9GHz}'
    echo 'measured:'
    echo '  timer_bm: {ns: 3900, percentiles: {p10: 3720, p90: 4080}}'
    echo 'variation:'
    echo '  idle: {states: [{name: C1, exit: 1us, residency: 1us}]}'
    echo '  jitter: {all: {dist: lognormal, median: 1, sigma: 0.02}}'
    echo 'spread_fit: [jitter.all.sigma]'
} >spread.yaml
status_is 0 "calibrate fits the spread" "$GICSIM" calibrate spread.yaml --platform generic -o spreadfit.yaml
check "calibrate reports the spread fit" grep -Eq "^  jitter\.all\.sigma +0\.02 -> 0\.0[3-9]" err.txt
check "the preset has the variation and the percentiles" sh -c \
    'grep -q "^variation:" spreadfit.yaml && grep -q "percentiles: {p10: 3720, p90: 4080}" spreadfit.yaml && \
     grep -q "^spread_fitted: \[jitter.all.sigma\]$" spreadfit.yaml'
status_is 0 "the spread preset passes its check" "$GICSIM" microbench --check --platform spreadfit.yaml --iterations 2000
status_is 64 "calibrate --spread with an unknown parameter" "$GICSIM" calibrate spread.yaml --platform generic --spread jitter.all.nope
sed 's/percentiles: {p10: 3720, p90: 4080}/runs: [3900, 3950, 3880, 3920]/' spread.yaml >spreadruns.yaml
status_is 0 "calibrate fits the spread to runs alone (the search passes points whose ticks merge)" \
    "$GICSIM" calibrate spreadruns.yaml --platform generic -o spreadrunsfit.yaml
check "... to a sigma that gives the runs' sd" grep -Eq "^  timer_bm +sd of runs +29\.9 " err.txt
status_is 78 "calibrate --spread with a parameter twice" "$GICSIM" calibrate spread.yaml --platform generic \
    --spread jitter.all.sigma,jitter.all.sigma
check "... says so" grep -q 'spread: "jitter.all.sigma" is listed twice' err.txt
printf 'measured:\n  hvc: {ns: 306, percentiles: {p90: 300, p10: 200}}\n' >badpct.yaml
status_is 65 "percentiles out of order" "$GICSIM" calibrate badpct.yaml --platform generic

finish
