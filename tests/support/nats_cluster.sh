#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# NATS JetStream servers on 127.0.0.1 for the tests, the fault test and the
# benchmark: free ports, everything under DIR, nothing global.
#   start DIR N     N servers (1, or 3 as a cluster); writes DIR/urls (the
#                   client URLs, comma-separated) and DIR/n<i>/{conf,pid,log}
#   kill DIR I      kill -9 server I (1-based)
#   restart DIR I   start server I again with its configuration and store
#   stop DIR        stop every server and remove DIR
# max_payload is 8 MiB: an ingest batch is one message (cmd_serve.c).
set -euo pipefail
cmd=${1:?start|kill|restart|stop}
dir=${2:?directory}

free_ports() {
    python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

start_one() {
    local i=$1
    nats-server -c "$dir/n$i/conf" >>"$dir/n$i/log" 2>&1 &
    echo $! >"$dir/n$i/pid"
}

wait_up() {
    local i=$1 port
    port=$(sed -n 's/^listen: 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/n$i/conf")
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "nats_cluster: server $i did not start, see $dir/n$i/log" >&2
    return 1
}

stop_all() {
    for pidf in "$dir"/n*/pid; do
        [ -f "$pidf" ] || continue
        kill "$(cat "$pidf")" 2>/dev/null || true
    done
    for pidf in "$dir"/n*/pid; do
        [ -f "$pidf" ] || continue
        for _ in $(seq 1 50); do kill -0 "$(cat "$pidf")" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$(cat "$pidf")" 2>/dev/null || true
    done
    rm -rf "$dir"
}

case "$cmd" in
start)
    n=${3:-1}
    command -v nats-server >/dev/null || { echo "nats_cluster: nats-server is not installed" >&2; exit 1; }
    [ -d "$dir" ] && stop_all
    mkdir -p "$dir"
    trap 'stop_all' ERR
    read -r -a ports <<<"$(free_ports $((n * 3)))"
    routes=""
    for i in $(seq 1 "$n"); do
        routes="$routes${routes:+, }nats://127.0.0.1:${ports[$((n + i - 1))]}"
    done
    urls=""
    for i in $(seq 1 "$n"); do
        mkdir -p "$dir/n$i/js"
        {
            echo "server_name: n$i"
            echo "listen: 127.0.0.1:${ports[$((i - 1))]}"
            echo "http: 127.0.0.1:${ports[$((2 * n + i - 1))]}"
            echo "max_payload: 8MB"
            echo "jetstream { store_dir: \"$dir/n$i/js\" }"
            if [ "$n" -gt 1 ]; then
                echo "cluster { name: tocsin, listen: 127.0.0.1:${ports[$((n + i - 1))]}, routes: [ $routes ] }"
            fi
        } >"$dir/n$i/conf"
        urls="$urls${urls:+,}nats://127.0.0.1:${ports[$((i - 1))]}"
        start_one "$i"
    done
    for i in $(seq 1 "$n"); do wait_up "$i"; done
    echo "$urls" >"$dir/urls"
    ;;
kill)
    kill -9 "$(cat "$dir/n$3/pid")"
    ;;
restart)
    start_one "$3"
    wait_up "$3"
    ;;
stop)
    stop_all
    ;;
*)
    echo "usage: $0 start DIR [N] | kill DIR I | restart DIR I | stop DIR" >&2
    exit 2
    ;;
esac
