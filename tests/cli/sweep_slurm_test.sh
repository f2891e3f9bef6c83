#!/bin/sh
# The sweep on a real Slurm (docs/sweeps.md): a one-node cluster on this
# machine (munged, slurmctld and slurmd started here, in a temporary
# directory, on their own ports and munge socket), the sweep submitted as a
# job array by the script of `gicsim sweep --emit-slurm` and waited for
# (sbatch --wait), its shards merged and compared byte for byte with the
# one-machine run; then one shard's run is deleted, the script resubmits
# exactly that shard, and the merge is the same again. The daemons it
# started are stopped by their process ids; every wait is bounded.
#   sweep_slurm_test.sh GICSIM SOURCE_DIR WORK_DIR
# Needs root and the Debian packages slurmctld slurmd slurm-client munge
# (scripts/setup.sh --slurm). Skipped (77) without them, except in CI, where
# it fails.
set -u
GICSIM=$1
SRC=$2
WORK=$3
. "$SRC/tests/cli/sweep_lib.sh"

[ "$(id -u)" -eq 0 ] || skip "the Slurm test runs the daemons as root"
for cmd in munged slurmctld slurmd sbatch sinfo runuser timeout; do
    command -v "$cmd" >/dev/null 2>&1 ||
        skip "$cmd is missing (scripts/setup.sh --slurm installs slurmctld slurmd slurm-client munge)"
done
id munge >/dev/null 2>&1 || skip "no munge user (the munge package creates it)"

# Everything of the cluster lives in T; munged wants its socket directory
# searchable by all and owned by its user.
T=$(mktemp -d /tmp/gicsim-slurm.XXXXXX)
chmod 755 "$T"
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log"
chown munge:munge "$T/munge"
chmod 755 "$T/munge"
pids=
stop() {
    for f in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
        [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    # wait (bounded) for them to go, then make sure
    n=0
    while [ $n -lt 50 ]; do
        alive=
        for f in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
            [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && alive=1
        done
        [ -z "$alive" ] && break
        sleep 0.2
        n=$((n + 1))
    done
    for f in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
        [ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
    done
    rm -rf "$T"
}
trap stop EXIT
trap 'exit 1' INT TERM

# The munge key: the package's, owned by munge, mode 400 (created if missing).
if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
# (the daemons' standard streams go to /dev/null: none may hold the test's pipes)
check "munged starts as user munge" runuser -u munge -- munged --socket="$T/munge/socket" \
    --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" \
    --seed-file="$T/munge/munged.seed" --key-file=/etc/munge/munge.key </dev/null >/dev/null 2>&1

H=$(hostname)
N=$(nproc)
P=$((20000 + ($$ % 5000) * 2))
cat >"$T/slurm.conf" <<CONF_EOF
ClusterName=gicsim-test
SlurmctldHost=$H(127.0.0.1)
SlurmctldPort=$P
SlurmdPort=$((P + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
NodeName=$H NodeAddr=127.0.0.1 CPUs=$N State=UNKNOWN
PartitionName=gicsim Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF_EOF
export SLURM_CONF="$T/slurm.conf"
check "slurmctld starts" slurmctld -f "$SLURM_CONF" </dev/null >/dev/null 2>&1
check "slurmd starts" slurmd -f "$SLURM_CONF" -N "$H" </dev/null >/dev/null 2>&1
deadline=$(($(date +%s) + 60))
until [ "$(timeout 5 sinfo -h -o %t 2>/dev/null)" = idle ] || [ "$(date +%s)" -ge "$deadline" ]; do
    sleep 1
done
if ! check "the node is idle within 60 s" [ "$(date +%s)" -lt "$deadline" ]; then
    sed 's/^/#   /' "$T"/log/*.log "$T/munge/munged.log" | tail -30
    finish
    exit 1
fi

status_is 0 "the one-machine run" "$GICSIM" sweep "$SPEC" -o local -j 2 -q
status_is 0 "--emit-slurm, 3 shards" "$GICSIM" sweep "$SPEC" -o "$WORK/cluster" \
    --emit-slurm "$WORK/job.sh" --shards 3
status_is 0 "submit the job array and wait for it" timeout 240 sh "$WORK/job.sh" --wait
check "it submitted every shard" grep -q "submitting shards 0,1,2 of 3" out.txt
status_is 0 "merge the shards" timeout 60 sh "$WORK/job.sh" --merge
check "Slurm's sweep equals the one-machine run" same_sweep cluster local
status_is 0 "nothing left to submit" timeout 60 sh "$WORK/job.sh"
check "the script says every shard is complete" grep -q "every shard is complete" out.txt

# A lost result: the script resubmits its shard alone.
gone=$(ls cluster/shards/1/runs | head -1)
rm "cluster/shards/1/runs/$gone"
status_is 0 "resubmit the incomplete shard" timeout 240 sh "$WORK/job.sh" --wait
check "only shard 1 was submitted" grep -q "submitting shards 1 of 3" out.txt
check "the run is back" test -s "cluster/shards/1/runs/$gone"
status_is 0 "merge again" timeout 60 sh "$WORK/job.sh" --merge
check "still equal to the one-machine run" same_sweep cluster local
if [ "$fail" -ne 0 ]; then
    tail -20 "$T"/log/*.log | sed 's/^/#   /'
    cat cluster/slurm/*.log 2>/dev/null | tail -20 | sed 's/^/#   /'
fi
finish
