#!/usr/bin/env bash
# Sourced by the benchmark scripts: builds kglog in release mode and makes sure the benchmarks'
# virtual environment (bench/.venv) has the Python packages given as arguments.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
swift build -c release --static-swift-stdlib --product kglog
[ -x "$here/.venv/bin/python" ] || python3 -m venv "$here/.venv"
for package in "$@"; do
    module="${package//-/_}"
    [ "$package" = cozo-embedded ] && module=cozo_embedded
    "$here/.venv/bin/python" -c "import $module" 2>/dev/null || "$here/.venv/bin/pip" install --quiet "$package"
done
