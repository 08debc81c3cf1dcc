#!/usr/bin/env bash
# Builds kglog in release mode and runs a rule that never ends, `n(X) :- n(Y), X = Y + 1.`, with
# the default limits, three times: how long until it stops with its error, and the peak memory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/setup.sh"
program="$(mktemp --suffix=.kgl)"
trap 'rm -f "$program"' EXIT
printf 'n(0).\nn(X) :- n(Y), X = Y + 1.\n?- n(X), X < 0.\n' > "$program"
for run in 1 2 3; do
    /usr/bin/time -f "run $run: %e s, peak %M KiB" "$here/../.build/release/kglog" run "$program" 2>&1 >/dev/null \
        | grep -E "^run|error:" | sed "s|$program|runaway.kgl|" || true
done
