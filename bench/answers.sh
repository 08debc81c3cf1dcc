#!/usr/bin/env bash
# Builds kglog in release mode, sets up DuckDB in the benchmarks' virtual environment (once), and
# runs bench/answers.py: all answers written as TSV and aggregate counts, beside DuckDB.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/setup.sh" duckdb
exec python3 "$here/answers.py" "$@"
