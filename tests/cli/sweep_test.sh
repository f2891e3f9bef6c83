#!/bin/sh
# End-to-end tests of gicsim sweep, sweep merge and plot (docs/sweeps.md).
#   sweep_test.sh GICSIM SOURCE_DIR WORK_DIR
# A run equals `gicsim run` with its overrides; results do not depend on -j;
# shards merged equal the one-machine run, byte for byte; --resume, --list,
# failures, --emit-slurm, plots and usage errors.
set -u
GICSIM=$1
SRC=$2
WORK=$3
. "$SRC/tests/cli/sweep_lib.sh"
SC=$SRC/configs/scenarios

# ---- Usage and spec errors ---------------------------------------------------------
status_is 64 "sweep without a spec" "$GICSIM" sweep -o x
status_is 64 "sweep without -o" "$GICSIM" sweep "$SPEC"
status_is 64 "a bad -j" "$GICSIM" sweep "$SPEC" -o x -j 0
status_is 64 "a bad --shard" "$GICSIM" sweep "$SPEC" -o x --shard 3/3
status_is 64 "--run with --list" "$GICSIM" sweep "$SPEC" -o x --run 0 --list
status_is 64 "merge without -o" "$GICSIM" sweep merge x
status_is 64 "SLURM variables that are no shard" env SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_COUNT=2 \
    "$GICSIM" sweep "$SPEC" -o x
printf 'scenario: %s/nic-load.yaml\naxes:\n  gic.lrs: [1, 99]\n' "$SC" >bad.yaml
status_is 78 "a bad axis value" "$GICSIM" sweep bad.yaml -o badout
check "the error names spec:line:column and key" grep -q "^bad.yaml:3:16: gic.lrs: 99 is out of range" err.txt
check "nothing ran for a bad spec" test ! -e badout
status_is 64 "--run of an unknown id" "$GICSIM" sweep "$SPEC" -o x --run 000000000000

# ---- A local sweep ---------------------------------------------------------------------
status_is 0 "sweep -j 2" "$GICSIM" sweep "$SPEC" -o j2 -j 2
check "sweep reports what it ran" grep -q "16 of 16 runs in j2 (16 run now, 0 failed)" err.txt
check "plan.csv: a header and 16 runs" sh -c '[ "$(wc -l <j2/plan.csv)" -eq 17 ]'
check "results.csv: all + nic-rx per run" sh -c '[ "$(wc -l <j2/results.csv)" -eq 33 ]'
check "summary.csv: all + nic-rx per point and policy" sh -c '[ "$(wc -l <j2/summary.csv)" -eq 17 ]'
check "a JSON per run" sh -c '[ "$(ls j2/runs | grep -c "^[0-9a-f]\{12\}\.json$")" -eq 16 ]'
check "no leftovers in runs/" sh -c '[ "$(ls j2/runs | wc -l)" -eq 16 ]'
check "no failures.csv" test ! -e j2/failures.csv
check "results.csv has the rate's numeric twin" \
    grep -q "^index,id,sources.0.arrival.rate,gic.lrs,sources.0.arrival.rate_hz,platform,policy,replication,seed,source,asserted,delivered" j2/results.csv
check "summary.csv has mean and ci95" grep -q ",latency_p99_ns_mean,latency_p99_ns_ci95," j2/summary.csv
status_is 0 "the same sweep with -j 1" "$GICSIM" sweep "$SPEC" -o j1 -j 1 -q
check "-j 1 and -j 2 give the same bytes" same_sweep j1 j2

# A run is gicsim run with its overrides (plan.csv has its seed).
id=$(sed -n 4p j2/plan.csv | cut -d, -f2)
seed=$(sed -n 4p j2/plan.csv | cut -d, -f8)
check "run 2 is 50k/s, 1 LR, eoi-split, replication 0" sh -c "sed -n 4p j2/plan.csv | grep -q '^2,$id,50k/s,1,generic,eoi-split,0,'"
status_is 0 "gicsim run of run 2" "$GICSIM" run "$SC/nic-load.yaml" -q --json run2.json \
    -p run.duration=2ms -p 'sources.0.arrival={kind: poisson}' -p sources.0.arrival.rate=50k/s \
    -p gic.lrs=1 -p vms.0.policy=eoi-split -p run.seed="$seed"
check "the sweep's run equals gicsim run, byte for byte" cmp run2.json "j2/runs/$id.json"

# ---- Shards and merge --------------------------------------------------------------------
for k in 0 1 2; do
    status_is 0 "shard $k/3" "$GICSIM" sweep "$SPEC" -o "sh$k" --shard "$k/3" -q
done
check "shard 1/3 has runs 1, 4, 7, ..." sh -c '[ "$(ls sh1/runs | wc -l)" -eq 5 ]'
status_is 0 "merge 3 shards" "$GICSIM" sweep merge sh0 sh1 sh2 -o merged
check "merged shards equal the one-machine run" same_sweep merged j2
status_is 0 "the shard from the Slurm variables" env SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3 \
    "$GICSIM" sweep "$SPEC" -o env1 -q
check "SLURM_ARRAY_TASK_ID/COUNT give --shard 1/3" same_sweep env1 sh1
status_is 1 "merge with a shard missing" "$GICSIM" sweep merge sh0 sh2 -o partial
check "merge says how many runs are missing" grep -q "merged 11 of 16 runs .*5 without a result" err.txt
printf 'scenario: %s/nic-load.yaml\naxes:\n  gic.lrs: [1, 2]\nset: {run.duration: 1ms}\n' "$SC" >other.yaml
"$GICSIM" sweep other.yaml -o other -q >/dev/null 2>&1
status_is 65 "merge of two different sweeps" "$GICSIM" sweep merge sh0 other -o nope

# ---- --resume and --list -------------------------------------------------------------------
cp -r j2 res
rm "res/runs/$id.json" res/results.csv
status_is 0 "--list --resume" "$GICSIM" sweep "$SPEC" -o res --list --resume
check "--list --resume lists the one missing run" sh -c "[ \"\$(wc -l <out.txt)\" -eq 1 ] && grep -q -- '--run $id' out.txt"
status_is 0 "--resume" "$GICSIM" sweep "$SPEC" -o res --resume
check "--resume ran one run" grep -q "(1 run now, 0 failed)" err.txt
check "--resume completes the same sweep" same_sweep res j2
status_is 0 "--list" "$GICSIM" sweep "$SPEC" -o listed --list
check "--list prints a command per run" sh -c '[ "$(wc -l <out.txt)" -eq 16 ]'
head -2 out.txt >two.sh
status_is 0 "two listed commands run on their own" sh two.sh
check "a listed command writes its run only" sh -c '[ "$(ls listed/runs | wc -l)" -eq 2 ] && [ ! -e listed/results.csv ]'

# ---- SIGTERM (Ctrl-C, scancel): the running runs stop and leave nothing behind ------------
sed 's/run.duration: 2ms/run.duration: 100ms/' "$SPEC" >slow.yaml
"$GICSIM" sweep slow.yaml -o slow -j 1 -q >/dev/null 2>slow-err.txt &
pid=$!
n=0
until ls slow/runs/*.json >/dev/null 2>&1 || [ $n -ge 300 ]; do
    sleep 0.1
    n=$((n + 1))
done
kill -TERM $pid
wait $pid
st=$?
if [ $st -eq 143 ]; then ok "a stopped sweep exits 128 + SIGTERM"; else bad "a stopped sweep exited $st"; fi
check "it says how to go on" grep -q "stopped by signal 15 after .*--resume goes on" slow-err.txt
check "no half-written run, log or failure is left" sh -c '! ls slow/runs | grep -v "\.json$"'
status_is 0 "--resume after the stop" "$GICSIM" sweep slow.yaml -o slow -q --resume
status_is 0 "the same sweep uninterrupted" "$GICSIM" sweep slow.yaml -o slow-ref -q
check "stopped and resumed equals uninterrupted" same_sweep slow slow-ref

# ---- A failing run is recorded and the others go on -----------------------------------------
printf '#gicsim-trace 1\n100000 nic-rx fire\n900000 nic-rx fire\n' >good.trace
printf '#gicsim-trace 1\n100000 nic-rx fire\n50000 nic-rx fire\n' >bad.trace
cat >fails.yaml <<FAILS_EOF
scenario: $SC/nic-load.yaml
set: {run.duration: 1ms}
axes:
  sources.0.arrival: [{kind: trace, file: $WORK/good.trace}, {kind: trace, file: $WORK/bad.trace}]
policies: [eoi-split]
FAILS_EOF
status_is 1 "a sweep with a failing run exits 1" "$GICSIM" sweep fails.yaml -o fails -j 2
check "the failure is reported" grep -q "run 1 (.*) failed (exit 65): .*bad.trace:3: " err.txt
check "failures.csv lists it" grep -q '^1,[0-9a-f]*,65,".*bad.trace:3: ' fails/failures.csv
check "its .err keeps its exit code and stderr" sh -c 'grep -q "^exit 65" fails/runs/*.err'
check "the other run has its results" sh -c '[ "$(wc -l <fails/results.csv)" -eq 3 ]'
cp good.trace bad.trace
status_is 0 "--resume after fixing the input" "$GICSIM" sweep fails.yaml -o fails --resume
check "the failure is gone" sh -c '[ ! -e fails/failures.csv ] && ! ls fails/runs/*.err 2>/dev/null'

# ---- --emit-slurm -----------------------------------------------------------------------
status_is 0 "--emit-slurm" "$GICSIM" sweep "$SPEC" -o slurmout --emit-slurm job.sh --shards 4 -j 2
check "the script is executable shell" sh -n job.sh
check "an array of 4 shards" grep -q "^#SBATCH --array=0-3$" job.sh
check "2 CPUs per task" grep -q "^#SBATCH --cpus-per-task=2$" job.sh
check "the log directory exists" test -d slurmout/slurm
check "a task runs its shard with --resume" grep -q -- '--shard "$SLURM_ARRAY_TASK_ID/$N" --resume' job.sh
status_is 64 "--shards without --emit-slurm" "$GICSIM" sweep "$SPEC" -o x --shards 2

# ---- plot ------------------------------------------------------------------------------
status_is 0 "plot p99 against the rate" "$GICSIM" plot j2 --x sources.0.arrival.rate --y p99 \
    --by policy --where gic.lrs=4 --log-x -o p99.svg --title "tiny" --width 500 --height 360 --font-size 11
check "a line per policy" sh -c '[ "$(grep -c "<polyline" p99.svg)" -eq 2 ]'
check "confidence bands" grep -q 'fill-opacity="0.15"' p99.svg
check "axis labels with units" sh -c 'grep -q ">sources.0.arrival.rate (1/s, log scale)<" p99.svg && grep -q ">p99 latency (ns)<" p99.svg'
check "the asked size" grep -q 'width="500" height="360"' p99.svg
status_is 0 "plot a summary.csv, two metrics, one source" "$GICSIM" plot j2/summary.csv --x gic.lrs \
    --y p50,p99 --by policy --source nic-rx --where sources.0.arrival.rate=200k/s --log-y --no-ci -o lr.svg
check "a line per policy and metric" sh -c '[ "$(grep -c "<polyline" lr.svg)" -eq 4 ]'
status_is 78 "plot with a column left varying" "$GICSIM" plot j2 --x sources.0.arrival.rate --y p99 --by policy -o x.svg
check "the error names the column and the ways out" grep -q 'gic.lrs.*--where gic.lrs=VALUE.*--by gic.lrs' err.txt
status_is 78 "plot an unknown metric" "$GICSIM" plot j2 --x gic.lrs --y p98 -o x.svg
status_is 64 "plot without --y" "$GICSIM" plot j2 --x gic.lrs -o x.svg
status_is 64 "plot with a bad --width" "$GICSIM" plot j2 --x gic.lrs --y p99 --width 0 -o x.svg
status_is 78 "plot a missing directory" "$GICSIM" plot nowhere --x gic.lrs --y p99 -o x.svg

# plot's choice of rows and lines, on a summary made for it
cat >sum.csv <<'SUM_EOF'
rate,rate_hz,lrs,platform,policy,source,replications,latency_p99_ns_mean,latency_p99_ns_ci95,latency_p50_ns_mean,latency_p50_ns_ci95
10k/s,10000,1,generic,a,all,3,100.000,10.000,50.000,1.000
10k/s,10000,1,generic,b,all,3,100.000,10.000,50.000,1.000
100k/s,100000,1,generic,a,all,3,200.000,20.000,60.000,
100k/s,100000,1,generic,b,all,3,200.000,20.000,60.000,
1M/s,1000000,1,generic,a,all,3,400.000,0.000,70.000,
1M/s,1000000,1,generic,b,all,3,,,,
10k/s,10000,1,generic,a,disk,3,1.000,0.000,1.000,0.000
10k/s,10000,2,generic,a,disk,3,1.000,0.000,1.000,0.000
100k/s,100000,2,generic,a,disk,3,2.000,0.000,1.000,0.000
SUM_EOF
status_is 0 "plot two identical policies" "$GICSIM" plot sum.csv --x rate --y p99 --by policy --log-x -o id.svg
check "both lines are drawn, each with its band" \
    sh -c '[ "$(grep -c "<polyline" id.svg)" -eq 2 ] && [ "$(grep -c "fill-opacity=\"0.15\"" id.svg)" -eq 2 ]'
check "the rate's twin gives numbers and a unit" grep -q ">rate (1/s, log scale)<" id.svg
check "a missing value leaves the point out" sh -c '[ "$(grep -c "<circle" id.svg)" -eq 4 ]'
status_is 0 "plot categories on x" "$GICSIM" plot sum.csv --x policy --y p50,p99 --where rate=10k/s -o cat.svg
check "the categories label x" sh -c 'grep -q ">a</text>" cat.svg && grep -q ">b</text>" cat.svg'
check "one line per metric" sh -c 'grep -q ">p50</text>" cat.svg && grep -q ">p99</text>" cat.svg'
status_is 78 "a column varying along a line" "$GICSIM" plot sum.csv --x rate --y p99 --source disk -o x.svg
check "the error is at the second row and names the column" \
    grep -q '^sum.csv:9:1: lrs: lines 8 and 9 are both at x = 10k/s of one line: column "lrs" varies ("1", "2")' err.txt
status_is 0 "fixed with --where" "$GICSIM" plot sum.csv --x rate --y p99 --source disk --where lrs=2 -o x.svg
status_is 78 "a log x axis of categories" "$GICSIM" plot sum.csv --x policy --y p99 --log-x --where rate=10k/s -o x.svg
status_is 78 "a filter on an unknown column" "$GICSIM" plot sum.csv --x rate --y p99 --where colour=red -o x.svg
status_is 78 "a source with no rows" "$GICSIM" plot sum.csv --x rate --y p99 --source nobody -o x.svg
status_is 64 "a filter without =" "$GICSIM" plot sum.csv --x rate --y p99 --where lrs -o x.svg
printf 'a,b\n1\n' >broken.csv
status_is 65 "plot a malformed CSV" "$GICSIM" plot broken.csv --x a --y b -o x.svg

finish
