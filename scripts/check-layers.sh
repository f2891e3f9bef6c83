#!/usr/bin/env bash
# Check that every #include follows the layer order of docs/architecture.md:
#
#   engine <- gic <- models <- {config, output} <- calibrate <- umbrella <- sim <- bench
#
# A file may include the headers of its own layer and of the layers to its
# left, never one to its right; config and output are siblings and never
# include each other. "umbrella" is <gicsim/gicsim.h>, which includes every
# public header: only sim/, bench/ and the library's users include it.
#
# Files checked: every .c and .h under lib/, models/, sim/ and bench/, and the
# public headers include/gicsim/*.h (and version.h.in). A file's layer:
#   lib/LAYER/...      LAYER (engine, gic, config, output, calibrate)
#   models/...         models (policies/ included)
#   sim/..., bench/... sim, bench
#   include/gicsim/X   the table PUBLIC_LAYERS below
# An include's target:
#   #include "X"          resolved as the compiler finds it: next to the
#                         including file, then under lib/, models/, include/
#                         and sim/ (bench/ uses sim/baremetal.h); an "X" found
#                         nowhere is an error;
#   #include <gicsim/X>   include/gicsim/X, its layer from PUBLIC_LAYERS (a
#                         public header missing from the table is an error);
#   other <...>           system and third-party headers: not checked.
# One more rule: sim/ builds against the installed library, so its files
# include only <gicsim/...> headers and files of sim/.
#
# Usage: scripts/check-layers.sh [--list] [ROOT]
#   ROOT    the source tree (default: this script's parent directory)
#   --list  also print every include checked: FILE:LINE: FROM -> TO  X (TARGET)
# Prints one "FILE:LINE: ..." line per violation and a summary. Exit status:
# 0 when every include is in order, 1 otherwise, 2 on a usage error.
# Needs only bash, find and a POSIX awk (mawk or gawk). CTest runs it as the
# test "check_layers" (label "layout", tests/CMakeLists.txt).
set -euo pipefail

list=0
root=
for arg in "$@"; do
    case $arg in
    --list) list=1 ;;
    -h | --help)
        sed -n '2,33p' "$0"
        exit 0
        ;;
    -*)
        echo "check-layers: unknown option: $arg" >&2
        exit 2
        ;;
    *)
        if [ -n "$root" ]; then
            echo "check-layers: more than one ROOT" >&2
            exit 2
        fi
        root=$arg
        ;;
    esac
done
cd "${root:-$(dirname "$0")/..}"
for d in lib models include/gicsim; do
    if [ ! -d "$d" ]; then
        echo "check-layers: $(pwd) has no $d/: not a gicsim source tree" >&2
        exit 2
    fi
done

# The layers, lowest first, with their rank; equal ranks are siblings.
LAYER_RANKS='engine 0 gic 1 models 2 config 3 output 3 calibrate 4 umbrella 5 sim 6 bench 7'
# The folders of lib/ and the layer each is.
LIB_FOLDERS='engine gic config output calibrate'
# The public headers of include/gicsim/ by layer: a header belongs to the
# layer that implements it (see docs/architecture.md).
PUBLIC_LAYERS='
engine    common.h export.h engine.h timing.h histogram.h version.h variation.h
gic       gic.h gicv5.h its.h memory.h vcpu_interface.h
models    system.h hypervisor.h microbench.h invariants.h
config    scenario.h platform.h trace.h sweep.h
output    output.h
calibrate calibrate.h validate.h
umbrella  gicsim.h
'

dirs=(lib models include/gicsim)
for d in sim bench; do
    if [ -d "$d" ]; then dirs+=("$d"); fi
done
files=$(find "${dirs[@]}" -type f \( -name '*.c' -o -name '*.h' -o -name '*.h.in' \) |
    LC_ALL=C sort)

# awk reads the list of files first (to resolve "X" includes), then each file.
# shellcheck disable=SC2086 # the file names have no blanks
printf '%s\n' "$files" | awk -v list="$list" -v ranks="$LAYER_RANKS" \
    -v libdirs="$LIB_FOLDERS" -v public="$PUBLIC_LAYERS" '
function norm(p,    n, a, s, k, i, out) {
    n = split(p, a, "/")
    k = 0
    for (i = 1; i <= n; i++) {
        if (a[i] == "" || a[i] == ".")
            continue
        if (a[i] == "..") {
            if (k == 0)
                return ""
            k--
            continue
        }
        s[++k] = a[i]
    }
    out = ""
    for (i = 1; i <= k; i++)
        out = out (i > 1 ? "/" : "") s[i]
    return out
}
function dirname(p) {
    if (p !~ /\//)
        return "."
    sub(/\/[^\/]*$/, "", p)
    return p
}
function layer_of(p,    d, h) {
    if (p ~ /^lib\/[^\/]+\//) {
        d = substr(p, 5)
        sub(/\/.*/, "", d)
        return (d in libdir) ? d : ""
    }
    if (p ~ /^models\//) return "models"
    if (p ~ /^sim\//) return "sim"
    if (p ~ /^bench\//) return "bench"
    if (p ~ /^include\/gicsim\//) {
        h = substr(p, 16)
        sub(/\.in$/, "", h)
        return (h in pub) ? pub[h] : ""
    }
    return ""
}
function allowed_from(l,    out, x) {
    out = ""
    for (x = 0; x < nlayers; x++)
        if (order[x] == l || rank[order[x]] < rank[l])
            out = out (out == "" ? "" : ", ") order[x]
    return out
}
function problem(msg) {
    print FILENAME ":" FNR ": " msg
    bad++
}
BEGIN {
    n = split(ranks, r, " ")
    nlayers = 0
    for (i = 1; i < n; i += 2) {
        rank[r[i]] = r[i + 1] + 0
        order[nlayers++] = r[i]
    }
    n = split(libdirs, r, " ")
    for (i = 1; i <= n; i++)
        libdir[r[i]] = 1
    n = split(public, lines, "\n")
    for (i = 1; i <= n; i++) {
        m = split(lines[i], w, " ")
        for (j = 2; j <= m; j++)
            pub[w[j]] = w[1]
    }
    nsearch = split("lib models include sim", search, " ")
    bad = 0
    nfiles = 0
    nincl = 0
}
FILENAME == "-" {
    known[$0] = 1
    if (layer_of($0) == "") {
        if ($0 ~ /^include\/gicsim\//)
            print $0 ":1: public header in no layer: add it to PUBLIC_LAYERS in scripts/check-layers.sh"
        else
            print $0 ":1: file in no layer: lib/ has the folders " libdirs " (LIB_FOLDERS in scripts/check-layers.sh)"
        bad++
    }
    next
}
FNR == 1 {
    nfiles++
    from = layer_of(FILENAME)
}
/^[ \t]*#[ \t]*include[ \t]*[<"]/ {
    if (from == "")
        next
    spec = $0
    sub(/^[ \t]*#[ \t]*include[ \t]*/, "", spec)
    quoted = substr(spec, 1, 1) == "\""
    name = substr(spec, 2)
    end = index(name, quoted ? "\"" : ">")
    if (end == 0) {
        problem("cannot read this #include")
        next
    }
    name = substr(name, 1, end - 1)
    shown = quoted ? "\"" name "\"" : "<" name ">"
    target = ""
    if (quoted) {
        cand = norm(dirname(FILENAME) "/" name)
        if (cand in known)
            target = cand
        for (i = 1; target == "" && i <= nsearch; i++) {
            cand = norm(search[i] "/" name)
            if (cand in known)
                target = cand
        }
        if (target == "") {
            problem("#include " shown " names no file next to it or under lib/, models/, include/, sim/")
            next
        }
    } else if (name ~ /^gicsim\//) {
        target = "include/" name
    } else {
        next
    }
    to = layer_of(target)
    if (to == "") {
        if (target ~ /^include\/gicsim\//)
            problem("#include " shown ": public header in no layer: add it to PUBLIC_LAYERS in scripts/check-layers.sh")
        else
            problem("#include " shown " (" target ") is in no layer")
        next
    }
    nincl++
    if (list)
        print FILENAME ":" FNR ": " from " -> " to "  " shown " (" target ")"
    if (from == "sim" && target !~ /^(sim|include\/gicsim)\//)
        problem("#include " shown " (" target "): sim/ uses only the installed API, <gicsim/...>, and its own files")
    else if (to != from && rank[to] > rank[from])
        problem("#include " shown " (" target ", layer " to ") goes up from layer " from "; " from " may include " allowed_from(from))
    else if (to != from && rank[to] == rank[from])
        problem("#include " shown " (" target ", layer " to ") goes sideways from layer " from ": " from " and " to " never include each other")
}
END {
    printf "check-layers: %d files, %d includes checked, %d problem%s\n", nfiles, nincl, bad, bad == 1 ? "" : "s"
    exit bad > 0
}
' - $files
