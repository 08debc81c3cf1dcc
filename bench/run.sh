#!/usr/bin/env bash
# Builds kglog in release mode, sets up the peers' virtual environment (once), and runs the
# side-by-side benchmark. Arguments go to bench.py, e.g. `bench/run.sh --reps 5 --workloads tc`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
swift build -c release --static-swift-stdlib --product kglog
if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install --quiet duckdb pyoxigraph cozo-embedded pycozo clingo
fi
exec python3 "$here/bench.py" "$@"
