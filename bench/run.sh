#!/usr/bin/env bash
# Builds kglog in release mode, sets up the peers' virtual environment (once), and runs the
# side-by-side benchmark. Arguments go to bench.py, e.g. `bench/run.sh --reps 5 --workloads tc`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/setup.sh" duckdb pyoxigraph cozo-embedded pycozo clingo
exec python3 "$here/bench.py" "$@"
