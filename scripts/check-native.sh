#!/usr/bin/env bash
# Proves that every shim under DIR/RID/ is built for the machine its RID names: an x86-64
# library in linux-arm64/ would load nowhere and fail only on a user's Raspberry Pi.
# Linux shims are checked with readelf (ELF class and machine), macOS ones with `file`.
set -euo pipefail
root=${1:?usage: check-native.sh ARTIFACTS/native}
checked=0
for library in "$root"/*/libposixprocs.*; do
    [ -e "$library" ] || continue
    rid=$(basename "$(dirname "$library")")
    case "$rid" in
        linux-x64)   expected="Advanced Micro Devices X86-64" ;;
        linux-arm64) expected="AArch64" ;;
        osx-x64)     expected="x86_64" ;;
        osx-arm64)   expected="arm64" ;;
        *) echo "check-native: unknown runtime identifier folder '$rid' ($library)" >&2; exit 1 ;;
    esac
    case "$rid" in
        linux-*)
            header=$(readelf -h "$library")
            machine=$(printf '%s\n' "$header" | sed -n 's/^ *Machine: *//p')
            class=$(printf '%s\n' "$header" | sed -n 's/^ *Class: *//p')
            if [ "$machine" != "$expected" ] || [ "$class" != "ELF64" ]; then
                echo "check-native: $library is '$class $machine', expected 'ELF64 $expected'" >&2
                exit 1
            fi
            described="$class $machine" ;;
        osx-*)
            described=$(file -b "$library")
            case "$described" in
                *"$expected"*) ;;
                *) echo "check-native: $library is '$described', expected $expected" >&2; exit 1 ;;
            esac ;;
    esac
    echo "check-native: $rid/$(basename "$library"): $described"
    checked=$((checked + 1))
done
if [ "$checked" -eq 0 ]; then
    echo "check-native: no shim under $root (run make native)" >&2
    exit 1
fi
