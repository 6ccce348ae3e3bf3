#!/usr/bin/env bash
# The package test: what a new user gets from the packed packages, nothing else.
# Requires `make pack` (artifacts/packages). Builds tests/PackageConsumer with its own NuGet
# cache under artifacts/ and only the local folder plus the normal registry as sources, runs it
# (fork + channel, spawn, a pool map under each start method, a SharedQueue across a fork, the
# README's examples), then installs the posixprocs tool from the folder and runs a lab.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
packages=$root/artifacts/packages
work=$root/artifacts/package-test
consumer=$root/tests/PackageConsumer
export NUGET_PACKAGES=$work/nuget-cache
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

pool_package=$(ls "$packages"/PosixProcs.Pool.*.nupkg 2>/dev/null | grep -v '\.snupkg$' | head -n 1 || true)
if [ -z "$pool_package" ]; then
    echo "package-test: no PosixProcs.Pool package in $packages (run make pack)" >&2
    exit 1
fi
version=$(basename "$pool_package" .nupkg); version=${version#PosixProcs.Pool.}
echo "package-test: PosixProcs $version from $packages"

# The packages are rebuilt under the same version: drop their old copies from this test's
# cache (and only theirs, so the registry's packages stay cached between runs).
mkdir -p "$NUGET_PACKAGES"
rm -rf "$NUGET_PACKAGES"/posixprocs* "$consumer/obj" "$consumer/bin"

echo "package-test: the package contents"
for package in "$packages"/PosixProcs*.nupkg; do
    echo "  $(basename "$package"):"
    unzip -Z1 "$package" | grep -E '^(runtimes|buildTransitive|tools|lib)/|^(LICENSE|README.md)$' | sort | sed 's/^/    /'
done

scripts/readme-examples.sh README.md "$consumer/obj/ReadmeExamples.g.cs"
dotnet build "$consumer/PackageConsumer.csproj" -c Release -nologo -v:q -clp:NoSummary \
    -p:PosixProcsVersion="$version" -warnaserror
output=$consumer/bin/Release/net10.0
for file in PosixProcs.Pool.Worker.dll PosixProcs.Pool.Worker.runtimeconfig.json PosixProcs.Pool.Worker.deps.json \
            runtimes/linux-x64/native/libposixprocs.so runtimes/linux-arm64/native/libposixprocs.so \
            runtimes/linux-x64/native/posixprocs-init runtimes/linux-arm64/native/posixprocs-init; do
    [ -e "$output/$file" ] || { echo "package-test: the consumer's output lacks $file" >&2; exit 1; }
done
grep -q '"System.Runtime.EnableWriteXorExecute": false' "$output/PackageConsumer.runtimeconfig.json" || {
    echo "package-test: the fork switches did not reach the consumer's runtimeconfig.json" >&2; exit 1; }
timeout 300 dotnet "$output/PackageConsumer.dll"

# Without the worker host's runtimeconfig.json the pool must name the missing file.
broken=$work/worker-missing
rm -rf "$broken"
cp -r "$output" "$broken"
rm "$broken/PosixProcs.Pool.Worker.runtimeconfig.json"
timeout 120 dotnet "$broken/PackageConsumer.dll" worker-missing

echo "package-test: the posixprocs tool from the folder"
tools=$work/tools
rm -rf "$tools"
dotnet tool install PosixProcs.Cli --tool-path "$tools" --version "$version" \
    --add-source "$packages" --ignore-failed-sources >/dev/null
tool_store=$(find "$tools/.store" -type d -path '*/tools/net10.0/any' | head -n 1)
for rid in linux-x64 linux-arm64; do
    for file in libposixprocs.so posixprocs-init; do
        [ -e "$tool_store/runtimes/$rid/native/$file" ] || {
            echo "package-test: the tool lacks runtimes/$rid/native/$file" >&2; exit 1; }
    done
done
"$tools/posixprocs" --help | head -n 3
# The init the tool execs, as NuGet extracted it (the package's zip keeps no execute bit).
set +e
timeout 60 "$tools/posixprocs" init -- sh -c 'exit 7'
code=$?
set -e
[ $code -eq 7 ] || { echo "package-test: posixprocs init -- sh -c 'exit 7' exited $code" >&2; exit 1; }
echo "package-test: posixprocs init ran its program and kept its exit code"
lab=$(cd "$work" && timeout 120 "$tools/posixprocs" lab fork --json)
printf '%s\n' "$lab" | grep -q '"holds": true' || { echo "package-test: lab fork did not hold:" >&2; printf '%s\n' "$lab" >&2; exit 1; }
echo "package-test: posixprocs lab fork --json: the claim held"
echo "package-test: passed"
