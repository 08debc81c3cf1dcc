#!/usr/bin/env bash
# Builds kglog in release mode, sets up DuckDB in the benchmarks' virtual environment (once), and
# runs bench/lubm.py: a LUBM-style workload, load and the 14 queries, beside DuckDB.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/setup.sh" duckdb
exec python3 "$here/lubm.py" "$@"
