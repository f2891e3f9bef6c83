#!/usr/bin/env bash
# Set up, build and run the tests (the command CI runs).
#   ./scripts/test.sh              build/       -DGICSIM_WERROR=ON
#   ./scripts/test.sh --sanitize   build-asan/  -DGICSIM_WERROR=ON -DGICSIM_SANITIZE=ON
# The exit code is ctest's.
set -euo pipefail

cd "$(dirname "$0")/.."

sanitize=0
for arg in "$@"; do
    case $arg in
    --sanitize) sanitize=1 ;;
    -h | --help)
        sed -n '2,5p' "$0"
        exit 0
        ;;
    *)
        echo "test.sh: unknown argument: $arg" >&2
        exit 2
        ;;
    esac
done

./scripts/setup.sh

if [ "$sanitize" -eq 1 ]; then
    build_dir=build-asan
    options=(-DGICSIM_WERROR=ON -DGICSIM_SANITIZE=ON)
else
    build_dir=build
    options=(-DGICSIM_WERROR=ON)
fi

cmake -S . -B "$build_dir" "${options[@]}"
cmake --build "$build_dir" -j"$(nproc)"

rc=0
ctest --test-dir "$build_dir" --output-on-failure -j2 || rc=$?
exit "$rc"
