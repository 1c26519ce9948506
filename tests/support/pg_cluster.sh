#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A throwaway PostgreSQL 15 cluster for the tests and the benchmark.
#   start DIR   initdb in a new directory under /tmp (named in DIR/datadir:
#               the server's user must reach it, which a build tree under
#               /root would not allow, and its socket path must stay short),
#               start the server on 127.0.0.1 on a free port, write the admin
#               URI (with a random password) to DIR/uri
#   stop DIR    stop it and remove both directories
#   pause DIR   stop the server; resume DIR starts it again on its port (the
#               outage tests)
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# unprivileged system user tocsin-pg (created on first use). No fixed port
# and no global path: tests running at the same time each have their own.
# fsync is off: the tests kill clients, never the server, and this cluster
# holds nothing worth keeping. TS_PG_FSYNC=on turns it on (benchmarks of
# durably stored events).
set -euo pipefail
cmd=${1:?start|stop|pause|resume}
dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/pg_ctl" ] || { echo "pg_cluster: no PostgreSQL server installed" >&2; exit 1; }
data=
[ -f "$dir/datadir" ] && data=$(cat "$dir/datadir")

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u tocsin-pg -- "$@"
    else
        "$@"
    fi
}

stop() {
    if [ -n "$data" ] && [ -f "$data/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$data/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [ -n "$data" ]; then rm -rf "$data"; fi
    rm -rf "$dir"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_start() {
    as_owner "$bin/pg_ctl" -D "$data/data" -l "$data/log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$1 -c unix_socket_directories='$data/data'
            -c fsync=${TS_PG_FSYNC:-off} -c full_page_writes=${TS_PG_FSYNC:-off}
            -c max_connections=200" >/dev/null 2>&1
}

case "$cmd" in
stop)
    stop
    ;;
pause)
    as_owner "$bin/pg_ctl" -D "$data/data" -m fast -w stop >/dev/null 2>&1
    ;;
resume)
    server_start "$(cat "$dir/port")"
    ;;
start)
    stop # a cluster left by an interrupted run
    mkdir -p "$dir"
    data=$(mktemp -d /tmp/tocsin-pg-XXXXXX)
    echo "$data" >"$dir/datadir"
    trap 'echo "pg_cluster: start failed:" >&2; cat "$data/initdb.log" "$data/log" >&2 2>/dev/null; stop' ERR
    if [ "$(id -u)" -eq 0 ]; then
        id tocsin-pg >/dev/null 2>&1 ||
            useradd --system --no-create-home --shell /usr/sbin/nologin tocsin-pg
        chown tocsin-pg "$data"
    fi
    pass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s\n' "$pass" >"$data/pw"
    chmod 600 "$data/pw"
    if [ "$(id -u)" -eq 0 ]; then chown tocsin-pg "$data/pw"; fi
    as_owner "$bin/initdb" -D "$data/data" -U tocsin --pwfile="$data/pw" --auth=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >"$data/initdb.log" 2>&1
    rm -f "$data/pw"
    for _ in 1 2 3 4 5; do
        port=$(free_port)
        if server_start "$port"; then
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
