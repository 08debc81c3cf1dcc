#!/usr/bin/env bash
# Builds kglog in release mode, starts a private PostgreSQL server (scripts/postgres.sh, which
# installs PostgreSQL when it is missing), and runs against it bench/postgres.py (imports beside
# psql's \copy) and bench/postgres_queries.py (evaluation on the server beside hand-written
# WITH RECURSIVE, and on the client beside the SQLite file). `bench/postgres.sh import` or
# `bench/postgres.sh queries [--reps N] [--workloads tc,tcbound,sg]` runs one of them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
swift build -c release --static-swift-stdlib --product kglog >/dev/null
source scripts/postgres.sh >/dev/null
what="${1:-both}"
[ $# -gt 0 ] && shift
if [ "$what" = import ] || [ "$what" = both ]; then python3 "$here/postgres.py" "$@"; fi
if [ "$what" = queries ] || [ "$what" = both ]; then python3 "$here/postgres_queries.py" "$@"; fi
