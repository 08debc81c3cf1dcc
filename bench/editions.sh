#!/usr/bin/env bash
# Builds kglog in release mode, sets up DuckDB in the benchmarks' virtual environment (once), and
# runs bench/editions.py: dated editions loaded a report at a time, then questions about them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/setup.sh" duckdb
exec "$here/.venv/bin/python" "$here/editions.py" "$@"
