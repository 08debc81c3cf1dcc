#!/usr/bin/env bash
# Builds kglog in release mode, sets up DuckDB in the benchmarks' virtual environment (once), and
# runs bench/answers.py: all answers written as TSV and aggregate counts, beside DuckDB.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
swift build -c release --static-swift-stdlib --product kglog
if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/python" -c "import duckdb" 2>/dev/null || "$here/.venv/bin/pip" install --quiet duckdb
exec python3 "$here/answers.py" "$@"
