#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A throwaway PostgreSQL 15 cluster for the tests: `start DIR` runs initdb in
# DIR, starts the server on 127.0.0.1 on a free port and writes the admin URI
# (with a random password) to DIR/uri; `stop DIR` stops it and removes DIR;
# `pause DIR` stops the server and `resume DIR` starts it again on its port
# (the outage tests).
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# unprivileged system user tocsin-pg (created on first use). No fixed port
# and no global path: tests running at the same time each have their own.
# fsync is off: the tests kill clients, never the server, and this cluster
# holds nothing worth keeping. TS_PG_FSYNC=on turns it on (benchmarks of
# durably stored events).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/pg_ctl" ] || { echo "pg_cluster: no PostgreSQL server installed" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u tocsin-pg -- "$@"
    else
        "$@"
    fi
}

stop() {
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_opts() {
    echo "-c listen_addresses=127.0.0.1 -c port=$1 -c unix_socket_directories='$dir/data'
          -c fsync=${TS_PG_FSYNC:-off} -c full_page_writes=${TS_PG_FSYNC:-off}
          -c max_connections=200"
}

case "$cmd" in
stop)
    stop
    ;;
pause)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
    ;;
resume)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start \
        -o "$(server_opts "$(cat "$dir/port")")" >/dev/null 2>&1
    ;;
start)
    stop # a cluster left by an interrupted run
    mkdir -p "$dir"
    trap 'echo "pg_cluster: start failed, see $dir/log" >&2; cat "$dir/log" >&2 2>/dev/null; stop' ERR
    if [ "$(id -u)" -eq 0 ]; then
        id tocsin-pg >/dev/null 2>&1 ||
            useradd --system --no-create-home --shell /usr/sbin/nologin tocsin-pg
        chown tocsin-pg "$dir"
    fi
    pass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s\n' "$pass" >"$dir/pw"
    chmod 600 "$dir/pw"
    [ "$(id -u)" -eq 0 ] && chown tocsin-pg "$dir/pw"
    as_owner "$bin/initdb" -D "$dir/data" -U tocsin --pwfile="$dir/pw" --auth=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    rm -f "$dir/pw"
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start \
            -o "$(server_opts "$port")" >/dev/null 2>&1; then
            echo "$port" >"$dir/port"
            printf 'postgresql://tocsin:%s@127.0.0.1:%s/postgres\n' "$pass" "$port" >"$dir/uri"
            exit 0
        fi
    done
    false
    ;;
*)
    echo "usage: $0 start|stop|pause|resume DIR" >&2
    exit 2
    ;;
esac
