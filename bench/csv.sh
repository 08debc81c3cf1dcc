#!/usr/bin/env bash
# Builds kglog in release mode and runs `bench/sizes.py csv` (see its description).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
swift build -c release --static-swift-stdlib --product kglog
exec python3 "$here/sizes.py" csv "$@"
