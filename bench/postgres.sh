#!/usr/bin/env bash
# Builds kglog in release mode, starts a private PostgreSQL server (scripts/postgres.sh, which
# installs PostgreSQL when it is missing), and runs bench/postgres.py against it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
swift build -c release --static-swift-stdlib --product kglog >/dev/null
source scripts/postgres.sh >/dev/null
python3 "$here/postgres.py" "$@"
