#!/bin/sh
# Run the gicsim libFuzzer harnesses for a bounded time (docs/fuzzing.md).
#
#   run.sh [-t SECONDS] [-r RUNS] [-b BINDIR] [-o OUTDIR] [HARNESS...]
#
#   -t SECONDS  time per harness (-max_total_time); default $FUZZ_TIME or 30
#   -r RUNS     also stop each harness after RUNS inputs (-runs); default none
#   -b BINDIR   where the harness executables are; default: build/tests/fuzz
#               under the source tree
#   -o OUTDIR   working corpora (OUTDIR/corpus/HARNESS, new inputs go here)
#               and crash artifacts (OUTDIR/artifacts/HARNESS/); default
#               BINDIR/fuzz-out
#   HARNESS     fuzz_scenario fuzz_validate fuzz_override fuzz_sweep fuzz_trace
#               fuzz_its fuzz_registers fuzz_script fuzz_gicv5 (default: all)
#
# The seed corpus tests/fuzz/corpus/HARNESS is read, never written; so are, for
# fuzz_script, the shipped scripts in tests/scenario/scripts (and bad/). Extra
# libFuzzer flags can be given in $FUZZ_FLAGS. Exits non-zero if a harness
# found a crash, a leak or a timeout (the input is in the artifacts directory).
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
time=${FUZZ_TIME:-30}
runs=
bindir=$src/build/tests/fuzz
outdir=

while getopts t:r:b:o:h opt; do
    case $opt in
    t) time=$OPTARG ;;
    r) runs=$OPTARG ;;
    b) bindir=$OPTARG ;;
    o) outdir=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ -n "$outdir" ] || outdir=$bindir/fuzz-out
harnesses=${*:-fuzz_scenario fuzz_validate fuzz_override fuzz_sweep fuzz_trace fuzz_its fuzz_registers fuzz_script fuzz_gicv5}

# Largest input per harness (each harness also ignores bigger ones).
max_len() {
    case $1 in
    fuzz_scenario) echo 8192 ;;
    fuzz_validate) echo 8192 ;;
    fuzz_override) echo 4096 ;;
    fuzz_sweep) echo 4096 ;;
    fuzz_trace) echo 8192 ;;
    fuzz_its) echo 4096 ;;
    fuzz_registers) echo 2048 ;;
    fuzz_script) echo 8192 ;;
    fuzz_gicv5) echo 4096 ;;
    *) echo 4096 ;;
    esac
}

status=0
for h in $harnesses; do
    exe=$bindir/$h
    if [ ! -x "$exe" ]; then
        echo "run.sh: $exe not found (configure with -DGICSIM_FUZZ=ON, CC=clang)" >&2
        exit 2
    fi
    mkdir -p "$outdir/corpus/$h" "$outdir/artifacts/$h"
    dict=
    [ -f "$here/dict/$h.dict" ] && dict=-dict=$here/dict/$h.dict
    seeds=
    [ "$h" = fuzz_script ] && seeds=$src/tests/scenario/scripts
    echo "== $h: ${time}s${runs:+, at most $runs runs}"
    # shellcheck disable=SC2086
    "$exe" -max_total_time="$time" ${runs:+-runs=$runs} -max_len="$(max_len "$h")" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$outdir/artifacts/$h/" $dict ${FUZZ_FLAGS:-} \
        "$outdir/corpus/$h" "$here/corpus/$h" $seeds 2>"$outdir/$h.log"
    rc=$?
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' \
        "$outdir/$h.log" | sed 's/^/   /'
    if [ $rc -ne 0 ]; then
        echo "   FAILED (exit $rc): see $outdir/$h.log and $outdir/artifacts/$h/" >&2
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$outdir/$h.log" | head -5 >&2
        status=1
    fi
done
exit $status
