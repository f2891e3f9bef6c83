# The check helpers every command-line test script shares (sourced by
# common.sh and sweep_lib.sh): each check prints "ok - ..." or "not ok - ..."
# and counts in $pass and $fail; status_is keeps the command's stdout in
# out.txt and stderr in err.txt; finish prints "N passed, M failed" and gives
# the exit status.
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
        sed 's/^/#   /' err.txt | head -20
    fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
