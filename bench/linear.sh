#!/usr/bin/env bash
# Builds kglog in release mode and runs `bench/sizes.py linear` (see its description).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/setup.sh"
exec python3 "$here/sizes.py" linear "$@"
