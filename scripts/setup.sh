#!/usr/bin/env bash
# Install the Debian packages needed to build and test gicsim, if any is
# missing. Quiet and quick when everything is already there.
set -euo pipefail

# ./scripts/setup.sh --fuzz also installs clang and its libFuzzer runtime;
# --slurm installs a Slurm node (controller, daemon, client, munge) and GNU
# parallel, for the sweep tests that run on them (docs/sweeps.md). Both may
# be given.
packages=(cmake make gcc libc6-dev libcmocka-dev libyaml-dev zlib1g-dev pkg-config)
for arg in "$@"; do
    case $arg in
    --fuzz) packages+=(clang libclang-rt-dev) ;;
    --slurm) packages+=(slurmctld slurmd slurm-client munge parallel) ;;
    *)
        echo "setup: unknown option $arg (--fuzz, --slurm)" >&2
        exit 2
        ;;
    esac
done

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

echo "setup: installing ${missing[*]}" >&2

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "setup: not root and sudo is not available; install: ${missing[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
