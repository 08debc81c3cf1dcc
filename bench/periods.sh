#!/usr/bin/env bash
# Builds kglog in release mode, sets up DuckDB in the benchmarks' virtual environment (once), and
# runs bench/periods.py: memberships with periods, asked about a day and counted per period.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/setup.sh" duckdb
exec "$here/.venv/bin/python" "$here/periods.py" "$@"
