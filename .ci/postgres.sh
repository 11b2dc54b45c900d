#!/usr/bin/env bash
# Sourced by .ci/run: starts a throw-away PostgreSQL cluster on a loopback port and exports
# QUILL_TEST_POSTGRES_URL, so the store tests also run against PostgreSQL. Never fatal: when
# PostgreSQL cannot be installed or started, it says why and the PostgreSQL cases are skipped
# (the store tests then run against H2 only and print that they did).

quill_start_postgres() {
    local bindir=""
    for d in /usr/local/bin /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir="$d"; break; fi
    done
    if [ -z "$bindir" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "ci: installing PostgreSQL with apt-get (binaries go to /usr/lib/postgresql/<major>/bin)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
            || echo "ci: apt-get install postgresql failed"
        for d in /usr/lib/postgresql/*/bin; do
            if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir="$d"; break; fi
        done
    fi
    if [ -z "$bindir" ]; then
        echo "ci: no PostgreSQL found or installable; PostgreSQL store tests will be skipped"
        return 0
    fi
    # initdb and postgres refuse to run as root: run them as the postgres user (made if missing).
    local as=()
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres 2>/dev/null || true
        if ! id postgres >/dev/null 2>&1; then
            echo "ci: running as root and no postgres user could be made; PostgreSQL store tests will be skipped"
            return 0
        fi
        as=(runuser -u postgres --)
    fi
    local dir port
    dir="$(mktemp -d /tmp/quill-ci-pg.XXXXXX)"
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(( 20000 + RANDOM % 20000 ))
    if ! "${as[@]}" "$bindir/initdb" -D "$dir/data" -U quill --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1; then
        echo "ci: initdb failed (see $dir/initdb.log); PostgreSQL store tests will be skipped"
        return 0
    fi
    if ! "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-h 127.0.0.1 -p $port -k $dir" start >/dev/null 2>&1; then
        echo "ci: PostgreSQL did not start (see $dir/server.log); PostgreSQL store tests will be skipped"
        return 0
    fi
    # The cluster's own "postgres" database is used: no createdb needed (not every install has it on
    # the path), and the tests keep apart by random name prefixes.
    QUILL_CI_PG_STOP=("${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop)
    QUILL_CI_PG_DIR="$dir"
    trap 'quill_stop_postgres' EXIT
    export QUILL_TEST_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$port/postgres?user=quill"
    echo "ci: PostgreSQL from $bindir on 127.0.0.1:$port; QUILL_TEST_POSTGRES_URL=$QUILL_TEST_POSTGRES_URL"
}

quill_stop_postgres() {
    if [ -n "${QUILL_CI_PG_STOP+x}" ]; then
        "${QUILL_CI_PG_STOP[@]}" >/dev/null 2>&1 || true
        rm -rf "$QUILL_CI_PG_DIR"
    fi
}

quill_start_postgres
