# What the gicsim command-line tests share (sourced by cli_test.sh and
# cli_robust.sh, with their arguments GICSIM JSON_CHECK SOURCE_DIR WORK_DIR):
# it empties WORK_DIR and makes it the current directory; each check prints
# "ok - ..." or "not ok - ..." and counts in $pass and $fail; finish prints
# "N passed, M failed" and gives the exit status.
set -u
GICSIM=$1
JSON_CHECK=$2
SRC=$3
WORK=$4
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 2
SC=$SRC/configs/scenarios

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
    d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
status_is() { # status_is WANT DESCRIPTION COMMAND...: stdout in out.txt, stderr in err.txt
    want=$1
    d=$2
    shift 2
    "$@" >out.txt 2>err.txt
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$d (exit $got)"; else
        bad "$d: exit $got, expected $want"
        sed 's/^/#   /' err.txt | head -20
    fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
