#!/usr/bin/env bash
# Builds kglog in release mode, sets up DuckDB in the benchmarks' virtual environment (once), and
# runs bench/textsearch.py: text-match over a million strings against LIKE scans and FTS5.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/setup.sh" duckdb
exec "$here/.venv/bin/python" "$here/textsearch.py" "$@"
