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

. "$SRC/tests/cli/checks.sh"
