#!/usr/bin/env bash
# Makes sure the C compilers (the host's and the linux-arm64 cross compiler) and the .NET SDK
# are there; installs only what is missing,
# from the distribution's packages, so `make demo` and `make test` work on a fresh machine.
set -euo pipefail

missing=()
command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
command -v make >/dev/null 2>&1 || missing+=(make)
# Tests: tini is the reference init the contract tests run side by side with posixprocs-init;
# unshare (util-linux) makes the PID namespaces they run in.
command -v tini >/dev/null 2>&1 || missing+=(tini)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
command -v unzip >/dev/null 2>&1 || missing+=(unzip) # the package test lists the packages' contents
# The packages carry the shim for linux-arm64 too: cross-compiled on x86-64 Linux, checked with readelf.
if [ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ]; then
    command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
    command -v readelf >/dev/null 2>&1 || missing+=(binutils)
fi
if ! command -v dotnet >/dev/null 2>&1; then
    missing+=(dotnet-sdk-10.0)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
    echo "missing: ${missing[*]}; install them with your package manager (Xcode command-line tools and the .NET 10 SDK on macOS)." >&2
    exit 1
fi
