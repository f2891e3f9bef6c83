#!/usr/bin/env bash
# The installed API is what the shared library exports: every function the
# public headers declare with GICSIM_API must be a defined dynamic symbol of
# libgicsim.so, and the library exports nothing without the gicsim_ prefix
# (hidden visibility by default: a GICSIM_API declaration the defining file
# does not see is silently hidden).
#   scripts/check-exports.sh LIBGICSIM_SO [INCLUDE_DIR]
# Prints each problem and exits 1 if there is any; needs nm (binutils).
set -euo pipefail
lib=${1:?usage: check-exports.sh LIBGICSIM_SO [INCLUDE_DIR]}
inc=${2:-"$(dirname "$0")/../include/gicsim"}
command -v nm >/dev/null 2>&1 || { echo "check-exports: nm not found" >&2; exit 2; }
declared=$(cat "$inc"/*.h | tr '\n' ' ' | grep -oE 'GICSIM_API[^;]*;' |
    grep -oE 'gicsim_[a-z0-9_]+ *\(' | tr -d ' (' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TW]$/ {print $3}' | sort -u)
rc=0
for f in $declared; do
    grep -qx "$f" <<<"$exported" || { echo "check-exports: $f is declared GICSIM_API but not exported"; rc=1; }
done
for f in $exported; do
    case $f in gicsim_*) ;; _init | _fini) ;; *) echo "check-exports: $f is exported without the gicsim_ prefix"; rc=1 ;; esac
done
echo "check-exports: $(wc -w <<<"$declared") declared, $(wc -w <<<"$exported") exported"
exit $rc
