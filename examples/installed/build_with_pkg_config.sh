#!/bin/sh
# Build and run examples/installed/main.c against an installed gicsim found
# through pkg-config (run by the example_pkg_config test).
# Usage: build_with_pkg_config.sh PREFIX LIBDIR OUTDIR [CC [EXTRA_CFLAGS]]
#   LIBDIR is relative to PREFIX (e.g. lib) or absolute.
set -eu

prefix=$1
libdir=$2
outdir=$3
cc=${4:-cc}
extra_cflags=${5:-}
here=$(cd "$(dirname "$0")" && pwd)

case $libdir in
/*) ;;
*) libdir=$prefix/$libdir ;;
esac

PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
pkg_config=${PKG_CONFIG:-pkg-config}

flags=$("$pkg_config" --cflags --libs gicsim)
echo "pkg-config --cflags --libs gicsim: $flags"

mkdir -p "$outdir"
# $extra_cflags and $flags are word-split on purpose.
# shellcheck disable=SC2086
"$cc" $extra_cflags "$here/main.c" -o "$outdir/gicsim_example_pkg_config" $flags

LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "$outdir/gicsim_example_pkg_config"
