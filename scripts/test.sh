#!/usr/bin/env bash
# Set up, build and run the tests.
#   ./scripts/test.sh              build/       -DGICSIM_WERROR=ON
#   ./scripts/test.sh --sanitize   build-asan/  -DGICSIM_WERROR=ON -DGICSIM_SANITIZE=ON
#   ./scripts/test.sh --fuzz       build-fuzz/  CC=clang -DGICSIM_FUZZ=ON: the fuzz harnesses
#                                  on their seed corpora, then 10 s of fuzzing each (fuzz_smoke)
#   ./scripts/test.sh --all        all three in turn (the command CI runs)
# The exit code is ctest's (with --all: the first failure's).
set -euo pipefail

cd "$(dirname "$0")/.."

mode=normal
for arg in "$@"; do
    case $arg in
    --sanitize) mode=sanitize ;;
    --fuzz) mode=fuzz ;;
    --all) mode=all ;;
    -h | --help)
        sed -n '2,8p' "$0"
        exit 0
        ;;
    *)
        echo "test.sh: unknown argument: $arg" >&2
        exit 2
        ;;
    esac
done

if [ "$mode" = all ]; then
    "$0" && "$0" --sanitize && "$0" --fuzz
    exit $?
fi

if [ "$mode" = fuzz ]; then
    ./scripts/setup.sh --fuzz
else
    ./scripts/setup.sh
fi

env=()
case $mode in
sanitize)
    build_dir=build-asan
    options=(-DGICSIM_WERROR=ON -DGICSIM_SANITIZE=ON)
    ;;
fuzz)
    build_dir=build-fuzz
    options=(-DGICSIM_WERROR=ON -DGICSIM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
    env=(CC=clang)
    ;;
*)
    build_dir=build
    options=(-DGICSIM_WERROR=ON)
    ;;
esac

env "${env[@]}" cmake -S . -B "$build_dir" "${options[@]}"
cmake --build "$build_dir" -j"$(nproc)"

rc=0
if [ "$mode" = fuzz ]; then
    ctest --test-dir "$build_dir" --output-on-failure -L fuzz || rc=$?
else
    ctest --test-dir "$build_dir" --output-on-failure -j2 || rc=$?
fi
exit "$rc"
