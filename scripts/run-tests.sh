#!/usr/bin/env bash
# Runs every test project of the solution, then the package test and the format check, and ends with the plain line
# "N passed, N failed, N skipped", summed over all projects from their TRX reports.
# Exits non-zero if any test failed or if no test ran at all.
set -uo pipefail
cd "$(dirname "$0")/.."
configuration=${1:-Release}
results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

# One project at a time, each with its own report name: default TRX names are timestamps,
# and two projects finishing in the same second would overwrite each other's counts.
status=0
for project in tests/*.Tests/*.Tests.csproj; do
    name=$(basename "$project" .csproj)
    dotnet test "$project" -c "$configuration" --no-build --nologo \
        --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
        --results-directory "$results" || status=1
done

passed=0 failed=0 skipped=0 reports=0 package_failed=0 format_failed=0

# The package test (needs `make pack`): one test in the totals, its output in the log.
echo "package test (scripts/package-test.sh):"
if scripts/package-test.sh > "$results/package-test.log" 2>&1; then
    passed=$((passed + 1))
    grep -E '^(ok|FAIL) |^package-test: ' "$results/package-test.log" | sed 's/^/  /'
else
    failed=$((failed + 1))
    package_failed=1
    status=1
    sed 's/^/  /' "$results/package-test.log"
fi
# The layout rules of .editorconfig (one test in the totals): whitespace only, which needs no
# build; `dotnet format --verify-no-changes` checks style and analyzers too, and is slow.
echo "format check (dotnet format whitespace --verify-no-changes):"
if dotnet format whitespace PosixProcs.sln --verify-no-changes -v q > "$results/format.log" 2>&1; then
    passed=$((passed + 1))
    echo "  ok"
else
    failed=$((failed + 1))
    format_failed=1
    status=1
    sed 's/^/  /' "$results/format.log"
fi
for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    reports=$((reports + 1))
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    value() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
    total=$(value total); executed=$(value executed)
    passed=$((passed + $(value passed)))
    failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
    skipped=$((skipped + total - executed))
done

if [ "$reports" -eq 0 ] || [ $((passed + failed)) -eq 0 ]; then
    echo "no test ran" >&2
    status=1
fi
[ "$failed" -gt 0 ] && status=1

# The failed tests by name, last, next to the totals: a CI log is often read from its tail.
if [ "$failed" -gt 0 ]; then
    echo
    echo "failed tests:"
    for trx in "$results"/*.trx; do
        [ -e "$trx" ] || continue
        grep -o '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"[^>]*>' "$trx" \
            | grep -o 'testName="[^"]*"' | sed 's/^testName="\(.*\)"$/  \1/'
    done
    [ "$package_failed" -eq 1 ] && echo "  package test (scripts/package-test.sh)"
    [ "$format_failed" -eq 1 ] && echo "  format check (dotnet format whitespace)"
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
