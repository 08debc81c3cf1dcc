#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh machine, builds, runs
# every test (against a private PostgreSQL server it starts, too), then runs the sample and
# compares it with its checked-in output. Nothing is skipped: with CI set, a missing part fails
# the test that needs it.
set -euo pipefail
cd "$(dirname "$0")/.."

# libsqlite3-dev: sqlite3.h and the library the CSQLite target links. python3: drives the
# pseudo-terminal tests and writes SQLite files of other programs. e2fsprogs: chattr, for the
# read-only file tests.
missing=()
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
command -v python3 >/dev/null || missing+=(python3)
command -v chattr >/dev/null || missing+=(e2fsprogs)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# The W3C suites live in ../shared/testdata; their test fails when CI is set and they are missing.
export CI="${CI:-true}"

# python3-venv: the browser tests' virtual environment.
python3 -c "import venv, ensurepip" 2>/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; }

# PostgreSQL (the server and libpq-dev, whose headers the CLibPQ target builds with): installed when missing,
# a private server started for the tests and stopped when this script ends.
source scripts/postgres.sh

swift build
swift test
# The knowledge-base suites again, every knowledge base on the PostgreSQL server this time: one
# suite, run over each store (the server's API too).
KGLOG_TEST_STORE=postgresql swift test --skip-build --filter "KGLogTests|KGEngineTests|KGShellTests|KGServerTests.ServerTests"
# And the engine's and knowledge base's suites a third time, every query that can be evaluated in
# the database evaluated there (the others, on the client, as with --evaluate auto).
KGLOG_TEST_STORE=postgresql KGLOG_TEST_EVALUATE=server swift test --skip-build --filter "KGLogTests|KGEngineTests"
# The explorer in a real browser: headless Chromium and its driver from apt, Selenium from PyPI
# in a virtual environment of the build's own.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi
if [ ! -x .build/browser-venv/bin/python ]; then
    python3 -m venv .build/browser-venv
    .build/browser-venv/bin/pip install -q selenium
fi
.build/browser-venv/bin/python Tests/Browser/explorer_test.py "$(swift build --show-bin-path)/kglog"
# The README's main command on the sample, compared with the checked-in output.
swift run kglog run --format table samples/csto.kgl samples/queries.kgl | diff - samples/queries.expected
echo "the sample's output matches samples/queries.expected"
