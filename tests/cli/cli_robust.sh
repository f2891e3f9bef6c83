#!/bin/sh
# The gicsim command line as a new user and as a careless or hostile one:
# help and list, validate, the output lifecycle (created early, renamed on
# success, nothing left after a failure, exit 73/74), input limits, trace
# bytes, ranges and positions, the summary header, compare's skips and
# warnings, compare's CSV policy column, the Perfetto and VCD tracks, a run
# that runs out of memory.
#   cli_robust.sh GICSIM JSON_CHECK SOURCE_DIR WORK_DIR
# Prints "ok - ..." / "not ok - ..." and "N passed, M failed"; non-zero
# exit on failure.
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

# A directory holding only the listed names (no output, no temporary file).
only_has() { # only_has DIR NAME...
    dir=$1
    shift
    want=
    [ $# -eq 0 ] || want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
    [ "$(ls -A "$dir" | sort | tr '\n' ' ')" = "$want" ]
}

# ---- 1. help and list ----------------------------------------------------------------
for c in run compare validate script microbench calibrate list; do
    status_is 0 "$c --help" "$GICSIM" "$c" --help
    check "$c --help shows its synopsis" grep -q "^usage: gicsim $c" out.txt
    status_is 0 "help $c" "$GICSIM" help "$c"
done
status_is 0 "help run" "$GICSIM" help run
check "run --help lists its options" grep -q -- "--perfetto FILE" out.txt
status_is 0 "-h after a scenario" "$GICSIM" run "$SC/mixed.yaml" -h
status_is 0 "help" "$GICSIM" help
check "help lists the exit codes 73 and 74" grep -q "73 an output cannot be" out.txt
status_is 64 "help of an unknown command" "$GICSIM" help rnu
status_is 64 "an unknown command" "$GICSIM" rnu
check "an unknown command suggests the nearest" grep -q "did you mean 'run'" err.txt
status_is 64 "an unknown option" "$GICSIM" run "$SC/mixed.yaml" --jsno x.json
check "an unknown option suggests the nearest" grep -q "did you mean '--json'" err.txt
status_is 0 "list policies" "$GICSIM" list policies
pols=$(awk '{print $1}' out.txt | grep -E '^[a-z0-9-]+$' | paste -sd, -)
check "list policies: one policy per line, the name first" \
    sh -c '[ "$(wc -l <out.txt)" -eq "$(echo "$0" | tr , "\n" | wc -l)" ] && echo "$0" | grep -q "^trap-inject,.*eoi-split.*did"' "$pols"
check "list policies: what each needs" grep -q "^did .*\[needs GICv4.0 or later with an ITS\]" out.txt
status_is 0 "every listed policy is one compare knows" "$GICSIM" compare "$SC/nic-spi-vs-vlpi.yaml" \
    -q -p run.duration=1ms --policies "$pols"
status_is 0 "list platforms" "$GICSIM" list platforms
check "list platforms: generic with its description" grep -q "^generic .*gicsim defaults" out.txt
status_is 0 "list scenarios" "$GICSIM" list scenarios
check "list scenarios: every shipped scenario" \
    sh -c '[ "$(grep -c "" out.txt)" -eq "$(ls "$0"/*.yaml | wc -l)" ]' "$SC"
status_is 0 "list costs" "$GICSIM" list costs
check "list costs: clock and default" grep -Eq "^sched_wakeup +1500 cpu cycles: " out.txt
status_is 0 "list tests" "$GICSIM" list tests
check "list tests: hvc" grep -q "^hvc " out.txt
status_is 64 "list of an unknown topic" "$GICSIM" list polices
check "an unknown topic suggests the nearest" grep -q "did you mean 'policies'" err.txt
status_is 64 "an unknown policy" "$GICSIM" compare "$SC/mixed.yaml" --policies eoi-splt
check "an unknown policy suggests and lists" grep -q "did you mean 'eoi-split'? known: trap-inject," err.txt
status_is 78 "an unknown policy in a scenario" "$GICSIM" run "$SC/mixed.yaml" -p vms.0.policy=eoi-splt
check "... suggests the nearest" grep -q 'did you mean "eoi-split"' err.txt
status_is 78 "an unknown platform" "$GICSIM" run "$SC/mixed.yaml" -p platform=genric
check "... suggests and lists the presets" grep -q 'did you mean "generic".*presets: .*generic' err.txt
status_is 64 "an unknown micro-bench test" "$GICSIM" microbench --tests hvcc
check "... suggests the nearest" grep -q "did you mean 'hvc'" err.txt

# ---- 2. validate: the kind from the parsed keys, the run loaders -----------------------
cat >multi.yaml <<'EOF'
name: multi
description: "a description over two lines
script: this continuation line is text, not a key"
vms:
  - {name: vm0, vcpus: 1}
run: {duration: 1ms}
EOF
status_is 0 "validate a scenario whose text has a line starting script:" "$GICSIM" validate multi.yaml
check "... as a scenario" grep -q "multi.yaml: valid scenario" out.txt
status_is 0 "run accepts it too" "$GICSIM" run multi.yaml -q
status_is 0 "validate the other kinds" "$GICSIM" validate "$SRC/configs/platforms/generic.yaml" \
    "$SRC/tests/scenario/scripts/pass.yaml" "$SRC/configs/microbench/micro-bench.yaml"
check "... a platform preset" grep -q "generic.yaml: valid platform preset" out.txt
check "... a script" grep -q "pass.yaml: valid script" out.txt
check "... a micro-bench scenario" grep -q "micro-bench.yaml: valid micro-bench scenario" out.txt
printf 'reference: "a machine"\nmeasured:\n  hvc: 306\n' >measured.yaml
status_is 0 "validate measured figures" "$GICSIM" validate measured.yaml
check "... as measured figures" grep -q "valid measured figures" out.txt
printf 'name: x\nrun: {duration: 1ms}\nvms:\n' >nullvms.yaml
status_is 78 "validate a null vms:" "$GICSIM" validate nullvms.yaml
check "... points at vms" grep -q "nullvms.yaml:3:5: vms: expected a list of VMs, got null" err.txt
status_is 64 "validate with an option" "$GICSIM" validate "$SC/mixed.yaml" -p gic.pes=2
status_is 64 "script with an option" "$GICSIM" script --all
status_is 78 "validate /dev/zero returns" timeout 20 "$GICSIM" validate /dev/zero
check "... with the input limit" grep -q "/dev/zero: larger than the input size limit" err.txt

# ---- 3. outputs: checked before the run, renamed on success, nothing after a failure ----
mkdir -p o1
status_is 73 "an output in a missing directory" "$GICSIM" run "$SC/seed004-timer.yaml" -q \
    --csv o1/a.csv --json o1/nodir/b.json
check "... names the path and the reason" grep -q "o1/nodir/b.json: cannot create: No such file or directory" err.txt
check "... fails before simulating (no table)" test ! -s out.txt
check "... and leaves nothing behind" only_has o1
status_is 73 "a directory as output" "$GICSIM" run "$SC/mixed.yaml" -q --cdf o1
check "... names it" grep -q "o1: cannot create: Is a directory" err.txt
status_is 64 "the same file twice" "$GICSIM" run "$SC/mixed.yaml" -q --csv o1/x --vcd o1/x
status_is 64 "'-' for a CSV" "$GICSIM" run "$SC/mixed.yaml" -q --csv -
status_is 0 "outputs on success" "$GICSIM" run "$SC/mixed.yaml" -q -p run.duration=1ms \
    --json o1/r.json --csv o1/r.csv.gz --perfetto o1/r.pf.json --vcd o1/r.vcd --cdf o1/r.svg \
    --record o1/r.trace.gz
check "... every output under its own name, no temporary file" \
    only_has o1 r.json r.csv.gz r.pf.json r.vcd r.svg r.trace.gz
check "... the CSV is still gzip" sh -c 'gzip -dc o1/r.csv.gz | head -1 | grep -q "^source,vm,"'
mkdir -p o2
printf '#gicsim-trace 1\n100 nic fire\n50 nic fire\n' >o2/bad.trace
sed -e "s|arrival: {kind: poisson, period: 20us}|arrival: {kind: trace, file: bad.trace}|" \
    "$SC/mixed.yaml" >o2/bad.yaml
status_is 65 "a bad trace" "$GICSIM" run o2/bad.yaml -q -p run.duration=1ms --json o2/j.json \
    --csv o2/c.csv --perfetto o2/p.json --vcd o2/v.vcd --cdf o2/c.svg --record o2/r.trace
check "... leaves no output behind" only_has o2 bad.trace bad.yaml
status_is 74 "--json - to a full device" sh -c '"$0" run "$1" -q -p run.duration=1ms --json - >/dev/full' \
    "$GICSIM" "$SC/mixed.yaml"
check "... names standard output" grep -q "standard output: cannot write: No space left on device" err.txt
status_is 74 "the table to a full device" sh -c '"$0" run "$1" -q -p run.duration=1ms >/dev/full' \
    "$GICSIM" "$SC/mixed.yaml"
status_is 74 "compare to a full device" sh -c '"$0" compare "$1" -q -p run.duration=1ms >/dev/full' \
    "$GICSIM" "$SC/mixed.yaml"
status_is 74 "microbench --json - to a full device" \
    sh -c '"$0" microbench --tests hvc --json - >/dev/full' "$GICSIM"
status_is 74 "list to a full device" sh -c '"$0" list costs >/dev/full' "$GICSIM"
status_is 74 "--json to a full device file" "$GICSIM" run "$SC/mixed.yaml" -q -p run.duration=1ms \
    --json /dev/full
status_is 0 "--json - writes only JSON to stdout" "$GICSIM" run "$SC/mixed.yaml" -q -p run.duration=1ms --json -
check "... stdout parses as JSON" "$JSON_CHECK" out.txt
check "... the table went to stderr" grep -q "^interrupts delivered" err.txt
status_is 0 "microbench --json - writes only JSON to stdout" "$GICSIM" microbench --tests hvc --json -
check "... stdout parses as JSON" "$JSON_CHECK" out.txt
mkdir -p o3
status_is 73 "calibrate -o in a missing directory fails before the fit" "$GICSIM" calibrate measured.yaml \
    --platform generic -o o3/nodir/x.yaml
check "... without a fit report" sh -c '! grep -q "fitted" err.txt'
# An interrupted run leaves no temporary file: its outputs are created
# before it opens its trace, a FIFO nobody writes, where it waits.
mkdir -p o4
mkfifo o4/fifo.trace
sed -e "s|arrival: {kind: poisson, period: 20us}|arrival: {kind: trace, file: fifo.trace}|" \
    "$SC/mixed.yaml" >o4/fifo.yaml
"$GICSIM" run o4/fifo.yaml -q --csv o4/long.csv --json o4/long.json >/dev/null 2>&1 &
pid=$!
tries=0
while [ "$(ls -A o4 | grep -c '^\.gicsim-')" -lt 2 ] && [ $tries -lt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
done
check "outputs exist under temporary names while the command runs" \
    sh -c '[ "$(ls -A o4 | grep -c "^\.gicsim-[0-9]*-[0-9]*-long\.")" -eq 2 ]'
kill -INT "$pid" 2>/dev/null
wait "$pid"
check "an interrupted run leaves nothing behind" only_has o4 fifo.trace fifo.yaml

# ---- 4. input limits and trace bytes ------------------------------------------------------
status_is 78 "GICSIM_MAX_INPUT refuses a larger file" env GICSIM_MAX_INPUT=100 "$GICSIM" validate "$SC/mixed.yaml"
check "... with the limit" grep -q "larger than the input size limit of 100 bytes" err.txt
status_is 0 "GICSIM_MAX_INPUT=1M" env GICSIM_MAX_INPUT=1M "$GICSIM" validate "$SC/mixed.yaml"
status_is 64 "a malformed GICSIM_MAX_INPUT" env GICSIM_MAX_INPUT=lots "$GICSIM" validate "$SC/mixed.yaml"
status_is 65 "calibrate /dev/zero returns" timeout 20 "$GICSIM" calibrate /dev/zero --platform generic
trace_case() { # trace_case NAME DESCRIPTION WANT_PATTERN: o5/NAME.trace replayed
    sed -e "s|arrival: {kind: poisson, period: 20us}|arrival: {kind: trace, file: $1.trace}|" \
        "$SC/mixed.yaml" >o5/"$1".yaml
    status_is 65 "$2" "$GICSIM" run o5/"$1".yaml -q -p run.duration=1ms
    check "... $3" grep -q "$3" err.txt
}
mkdir -p o5
printf '#gicsim-trace 1\n100 nic fire\n200 nic\000 fire\n' >o5/nul.trace
trace_case nul "a NUL in a trace line" "nul.trace:3: control character byte 0x00 at column 8"
printf '#gicsim-trace 1\n100 nic fire\n\000\000\000\000\n300 nic fire\n' >o5/nuls.trace
trace_case nuls "a line of NULs" "nuls.trace:3: control character byte 0x00 at column 1"
printf '#gicsim-trace 1\n# a \001 comment\n' >o5/ctl.trace
trace_case ctl "a control character in a comment" "ctl.trace:2: control character byte 0x01"
printf '#gicsim-trace 12345678901\n' >o5/ver.trace
trace_case ver "a huge trace version" "unsupported trace version 12345678901 "

# ---- 5. ranges and positions -----------------------------------------------------------
status_is 0 "gic.pes=4096 with an ITS" "$GICSIM" run "$SC/mixed.yaml" -q -p gic.pes=4096 -p run.duration=200us
check "... the header says 4096 PEs and an ITS" grep -q "GIC v3, 4096 PEs, ITS" out.txt
status_is 0 "gic.pes=4096 on GICv4.1 with vLPIs" "$GICSIM" compare "$SC/nic-spi-vs-vlpi.yaml" -q \
    -p gic.pes=4096 -p run.duration=200us --policies gicv41-vsgi
status_is 78 "gic.pes=4097" "$GICSIM" run "$SC/mixed.yaml" -q -p gic.pes=4097
check "... at the value, with its key" grep -q "^<override>:1:9: gic.pes: 4097 is out of range (1..4096)" err.txt
sed 's/^  pes: 4$/  pes: 5000/' "$SC/mixed.yaml" >pes.yaml
status_is 78 "gic.pes out of range in a file" "$GICSIM" validate pes.yaml
check "... at the value, with its key" grep -Eq "^pes.yaml:[0-9]+:8: gic.pes: 5000 is out of range" err.txt
status_is 78 "a multi-line override value" "$GICSIM" run "$SC/mixed.yaml" -q -p 'gic={pes: 2,
 spis: 100000}'
check "... on the override's line, at the value's column" grep -q "^<override>:1:21: gic.spis:" err.txt
status_is 78 "a --- override value" "$GICSIM" run "$SC/mixed.yaml" -q -p run.duration=1ms -p 'gic.pes=---
99999'
check "... on the override's line, at the value's column" grep -q "^<override>:2:13: gic.pes:" err.txt
status_is 78 "-p gic=~" "$GICSIM" run "$SC/mixed.yaml" -q -p 'gic=~'
check "... is refused where it is" grep -q "^<override>:1:5: gic: expected a mapping, got null" err.txt
status_is 78 "-p vms=" "$GICSIM" run "$SC/mixed.yaml" -q -p 'vms='

# ---- 6. the summary, compare's skips, asserted, clocks, policy warnings ----------------------
status_is 0 "run's header" "$GICSIM" run "$SC/seed004-timer.yaml" -q -p run.duration=2ms
check "... names the platform" grep -q "^platform: jetson-xavier-nx-vhe (.*jetson-xavier-nx-vhe.yaml); GIC v4.1, 2 PEs, ITS" out.txt
check "... names the policies" grep -q "^policies: vm0 eoi-split (each VM's own)" out.txt
check "... cycles at the preset's clock" grep -Eq "^latency p50 \(cycles @ 1.9 GHz\) +[0-9]" out.txt
check "... an asserted row" grep -Eq "^interrupts asserted +[1-9]" out.txt
status_is 0 "compare skips what the GIC cannot run" "$GICSIM" compare "$SC/mixed.yaml" -q \
    -p run.duration=1ms --policies trap-inject,did,gicv41-vsgi
check "... says why on stderr" grep -q "skipping policy did: it needs gic.version v4.0 or later and an ITS" err.txt
check "... and in the header" grep -q "^skipped: gicv41-vsgi (needs gic.version v4.0 or later and an ITS)" out.txt
check "... names the policies run" grep -q "^policies: trap-inject (--policies)" out.txt
check "... and what else this GIC cannot run" grep -q "^not runnable on this GIC: gicv4-direct, direct-vtimer" out.txt
status_is 78 "compare with nothing it can run" "$GICSIM" compare "$SC/mixed.yaml" -q --policies did
status_is 64 "--policies with a repeat" "$GICSIM" compare "$SC/mixed.yaml" --policies eoi-split,eoi-split
status_is 64 "--policies ,,," "$GICSIM" compare "$SC/mixed.yaml" --policies ,,,
status_is 64 "--policies with an empty name" "$GICSIM" compare "$SC/mixed.yaml" --policies eoi-split,,did
status_is 0 "did overrides wfi: trap" "$GICSIM" compare "$SC/nic-spi-vs-vlpi.yaml" -q -p run.duration=1ms \
    --policies did -p vms.0.pinned=false
check "... warned where the file says it" grep -Eq "nic-spi-vs-vlpi.yaml:[0-9]+:[0-9]+: vms.0.wfi: warning: policy did runs the guest's WFI natively" err.txt
check "... and where the override says it" grep -q "^<override>:2:14: vms.0.pinned: warning: policy did pins" err.txt

# ---- 7. compare's CSV has a policy column -------------------------------------------------
mkdir -p o6
status_is 0 "compare --csv" "$GICSIM" compare "$SC/mixed.yaml" -q -p run.duration=1ms \
    --policies trap-inject,eoi-split --csv o6/c.csv
check "... the header starts with policy" sh -c 'head -1 o6/c.eoi-split.csv | grep -q "^policy,source,vm,"'
check "... every row names its policy" sh -c '[ "$(tail -n +2 o6/c.trap-inject.csv | grep -vc "^trap-inject,")" -eq 0 ]'
status_is 0 "run --csv" "$GICSIM" run "$SC/mixed.yaml" -q -p run.duration=1ms --csv o6/r.csv
check "... has no policy column" sh -c 'head -1 o6/r.csv | grep -q "^source,vm,"'
cut -d, -f2- o6/c.eoi-split.csv >o6/stripped.csv
check "... compare's records are run's with the column" cmp -s o6/stripped.csv o6/r.csv

# ---- 8. Perfetto and VCD tracks -------------------------------------------------------------
status_is 0 "Perfetto and VCD of a GICv4 run" "$GICSIM" compare "$SC/nic-spi-vs-vlpi.yaml" -q \
    -p run.duration=2ms --policies gicv4-direct --perfetto tl.json --vcd w.vcd
check "Perfetto parses" "$JSON_CHECK" tl.gicv4-direct.json
for t in '"ITS commands"' '"ITS translations"' '"doorbells"' '"name":"PE 0 LRs"' \
    '"name":"VMAPTI","cat":"its"' '"name":"translate","cat":"its"' '"name":"doorbell","cat":"doorbell"'; do
    check "Perfetto has $t" grep -q "$t" tl.gicv4-direct.json
done
check "Perfetto: LR occupancy rises above 0" grep -q '"name":"PE [0-9]* LRs","args":{"in use":[1-9]' tl.gicv4-direct.json
check "VCD declares vLPI events" grep -q '^\$var event 1 .* vLPI \$end' w.gicv4-direct.vcd
check "VCD declares the MSI source's event" grep -q '^\$var event 1 .* nic_msi_msi \$end' w.gicv4-direct.vcd
id=$(sed -n 's/^\$var event 1 \(.*\) nic_msi_msi \$end/\1/p' w.gicv4-direct.vcd)
check "VCD: the MSI event happens" grep -qxF "1$id" w.gicv4-direct.vcd

# ---- 9. out of memory ----------------------------------------------------------------------
# Under a 20 MiB address space, a run whose memory grows runs out: an SGI
# source fires every nanosecond from a vCPU that never runs (its PE runs the
# other vCPU for a 10 s slice), so the sends queue up behind it. "out of
# memory", exit 70, no table, no output left. Skipped where the binary
# cannot start under the limit (a sanitizer's shadow memory).
mkdir oom
cat >oom.yaml <<'YAML'
name: oom
gic: {pes: 1}
vms: [{name: v, vcpus: 2, guest: busy, time_slice: 10s}]
sources: [{name: ipi, kind: sgi, vcpu: 0, sender_vcpu: 1, intid: 1, arrival: {kind: periodic, period: 1ns}}]
run: {duration: 1s}
YAML
if (ulimit -v 20000 && "$GICSIM" list policies) >/dev/null 2>&1; then
    status_is 70 "a run that runs out of memory" sh -c 'ulimit -v 20000 && exec "$0" run oom.yaml \
        -q --csv oom/r.csv --json oom/r.json' "$GICSIM"
    check "... says so" grep -qx "gicsim: out of memory" err.txt
    check "... prints no table" test ! -s out.txt
    check "... leaves no output" only_has oom
else
    ok "out of memory: skipped (the binary does not start under ulimit -v 20000)"
fi

# ---- variation: hostile values (docs/scenarios.md, "Variation") ----------------------
V=platform_overrides.variation
status_is 78 "an interference schedule whose on + off wraps past 2^64 ps" "$GICSIM" run "$SC/mixed.yaml" -q \
    -p $V.interference.multiplier=2 -p $V.interference.on=9223372036854775808ps \
    -p $V.interference.off=9223372036854775808ps
check "... names the key" grep -q "platform_overrides.variation.interference.off: on + off must be below 2^64 ps" err.txt
status_is 78 "a jitter factor of 1e300" "$GICSIM" run "$SC/mixed.yaml" -q -p $V.jitter.run=1e300
check "... is refused with its key" grep -q "platform_overrides.variation.jitter.run: a factor's distribution needs .* at most 1000" err.txt
status_is 78 "a rule's factor of 2000" "$GICSIM" run "$SC/mixed.yaml" -q -p "$V.jitter.host_irq_entry=2000"
check "... names the rule's path" grep -q "platform_overrides.variation.jitter.host_irq_entry: a factor's" err.txt
status_is 78 "a multiplier of 1e999" "$GICSIM" run "$SC/mixed.yaml" -q -p $V.cold.multiplier=1e999
check "... is out of range" grep -q "platform_overrides.variation.cold.multiplier: 1e999 is out of range" err.txt
status_is 78 "empirical weights whose sum overflows" "$GICSIM" run "$SC/mixed.yaml" -q \
    -p "$V.jitter.all={dist: empirical, points: [1, 2], weights: [1e308, 1e308]}"
check "... says so" grep -q "weights' sum must be a finite number" err.txt
status_is 0 "the host's tick under gicv5-did" "$GICSIM" run "$SC/gicv5-vs-gicv41.yaml" -q -p run.duration=2ms \
    -p vms.0.policy=gicv5-did -p "$V.housekeeping.tick={rate: 10kHz, cost: 20us, nohz: false}"
check "... makes the guest exit (it never reached the host)" sh -c \
    '! grep -Eq "^exits/irq: irq +0\.000$" out.txt'

finish
