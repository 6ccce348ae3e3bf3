#!/usr/bin/env bash
# Writes a small launcher script: `artifacts/posixprocs ARGS` runs the published CLI with
# the machine's dotnet, wherever the repository is checked out.
set -euo pipefail
launcher=$1
target=$2
cat > "$launcher" <<LAUNCHER
#!/bin/sh
exec dotnet "\$(dirname "\$0")/$target" "\$@"
LAUNCHER
chmod +x "$launcher"
