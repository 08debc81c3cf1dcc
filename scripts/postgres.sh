#!/usr/bin/env bash
# Starts a private PostgreSQL server for the tests and prints the connection URI the tests read
# from KGLOG_TEST_POSTGRES. Sourced by scripts/test.sh:
#
#     source scripts/postgres.sh      # installs PostgreSQL when missing, starts it, exports the URI
#
# The server lives in a new temporary folder, listens on 127.0.0.1 only (on a free port) and on
# a socket in that folder, trusts local connections (it is reachable from this machine only, and
# holds nothing but test data), and is stopped and removed when the calling shell exits.
# PostgreSQL refuses to run as root: as root, the server runs as the 'postgres' user that
# Debian's package creates.

kglog_postgres_start() {
    local missing=()
    [ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    KGLOG_POSTGRES_DIR="$(mktemp -d /tmp/kglog-postgres.XXXXXX)"
    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    local run=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$KGLOG_POSTGRES_DIR"
        run=(runuser -u postgres --)
    fi
    "${run[@]}" "$bin/initdb" -D "$KGLOG_POSTGRES_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    "${run[@]}" "$bin/pg_ctl" -D "$KGLOG_POSTGRES_DIR/data" -l "$KGLOG_POSTGRES_DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $KGLOG_POSTGRES_DIR -c fsync=off" start >/dev/null
    export KGLOG_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
    KGLOG_POSTGRES_STOP=("${run[@]}" "$bin/pg_ctl" -D "$KGLOG_POSTGRES_DIR/data" -m fast stop)
    trap 'kglog_postgres_stop' EXIT
    echo "PostgreSQL for the tests: $KGLOG_TEST_POSTGRES"
}

kglog_postgres_stop() {
    "${KGLOG_POSTGRES_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$KGLOG_POSTGRES_DIR"
}

kglog_postgres_start
