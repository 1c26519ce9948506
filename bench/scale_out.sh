#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Events per second durably stored, and CPU per event of each process, in
# one run, for four setups fed the same generated EVE alerts:
#   sqlite      `tocsin ingest` into a SQLite file (WAL, synchronous=FULL)
#   postgresql  `tocsin ingest` into PostgreSQL 15 (fsync on, synchronous_commit on)
#   cluster-1   one ingest node -> NATS JetStream (3 nodes, R3) -> writer -> PostgreSQL
#   cluster-2   the same with two ingest nodes, each with half of the events
# Durably stored = committed to the store: the clock stops when the last
# event's transaction has committed (the input's checkpoint reached the end
# of its file). CPU is utime + stime of each process from /proc/PID/stat
# (10 ms ticks), read as it exits; PostgreSQL's is the postmaster's with its
# backends' (reaped and alive), NATS's the sum of the three servers'. With
# `tocsin ingest` alone, one process reads and writes: its CPU is in the
# ingest column.
#
# Usage: [RUNS=n] bench/scale_out.sh BUILD_DIR [EVENTS]
# (default 200000 events, RUNS=3; the setups alternate within each run and
# the summary gives medians). Everything runs on loopback under a temporary
# directory that is removed at the end.
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR [EVENTS]}
EVENTS=${2:-200000}
RUNS=${RUNS:-3}
TOCSIN=$(cd "$BUILD" && pwd)/tocsin
SUPPORT=$(cd "$(dirname "$0")/../tests/support" && pwd)
TMP=$(mktemp -d /tmp/tocsin-scale-XXXXXX)
chmod 755 "$TMP"
PIDS=()
cleanup() {
    # cluster() runs in a command substitution: its processes are in the file.
    for p in "${PIDS[@]}" $(cat "$TMP/pids" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    bash "$SUPPORT/nats_cluster.sh" stop "$TMP/nats" >/dev/null 2>&1 || true
    bash "$SUPPORT/pg_cluster.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

TS_PG_FSYNC=on bash "$SUPPORT/pg_cluster.sh" start "$TMP/pg"
bash "$SUPPORT/nats_cluster.sh" start "$TMP/nats" 3
ADMIN=$(cat "$TMP/pg/uri")
NATS=$(cat "$TMP/nats/urls")
python3 "$SUPPORT/gen_eve.py" "$TMP/expected" "$EVENTS" 0 "$TMP/all.json"
python3 "$SUPPORT/gen_eve.py" "$TMP/expected2" $((EVENTS / 2)) 0 "$TMP/half-a.json" "$TMP/half-b.json"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
# PostgreSQL: the postmaster's own and its reaped children's CPU (a backend
# ends with its connection), plus the children alive now.
pg_ticks() {
    local pm total p
    pm=$(head -1 "$(cat "$TMP/pg/datadir")/data/postmaster.pid")
    total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
    for p in $(pgrep -P "$pm" || true); do total=$((total + $(ticks "$p"))); done
    echo "$total"
}
nats_ticks() {
    local total=0 i
    for i in 1 2 3; do total=$((total + $(ticks "$(cat "$TMP/nats/n$i/pid")"))); done
    echo "$total"
}
now() { date +%s.%N; }

fresh_pg() { # a new database, its URI on stdout
    local db=b$RANDOM$RANDOM
    psql -qX "$ADMIN" -c "CREATE DATABASE $db" >/dev/null
    echo "${ADMIN%/postgres}/$db"
}
sites() {
    for s in 1 2 3; do "$TOCSIN" --db "$1" site add "site$s" --network "10.$s.0.0/16" >/dev/null; done
}
committed_to_end() { # DB FILE...: every file's checkpoint at its end
    local f
    for f in "${@:2}"; do
        [ "$(psql -qXAt "$1" -c "SELECT byte_offset FROM inputs WHERE name = '$f'" 2>/dev/null)" = \
            "$(stat -c %s "$f")" ] || return 1
    done
}

# Runs `tocsin ingest` to the end of the file; prints "seconds cpu_ticks".
single() {
    local db=$1 t0 pid
    t0=$(now)
    "$TOCSIN" --db "$db" ingest --format eve "$TMP/all.json" >/dev/null 2>&1 &
    pid=$!
    local last=0
    while kill -0 "$pid" 2>/dev/null; do last=$(ticks "$pid"); sleep 0.05; done
    wait "$pid"
    echo "$(python3 -c "print($(now) - $t0)") $last"
}

# The cluster with N ingest nodes; prints "seconds ingest_ticks writer_ticks pg_ticks nats_ticks".
cluster() {
    local n=$1 db files=() t0 pg0 nats0 db_tag
    db=$(fresh_pg)
    db_tag=${db##*/}
    sites "$db"
    # Copies under new names: a batch's Msg-Id is its input's id (1 in each
    # fresh database) and its file's inode and offset, and the stream keeps
    # ids for 2 minutes; the same file again would be dropped as duplicates.
    if [ "$n" = 1 ]; then files=("$TMP/all.json"); else files=("$TMP/half-a.json" "$TMP/half-b.json"); fi
    local copies=() f
    for f in "${files[@]}"; do
        cp "$f" "$f.$db_tag"
        copies+=("$f.$db_tag")
    done
    files=("${copies[@]}")
    pg0=$(pg_ticks)
    nats0=$(nats_ticks)
    t0=$(now)
    "$TOCSIN" --db "$db" serve --role writer --bus "$NATS" --node "w$RANDOM" >>"$TMP/cluster.log" 2>&1 &
    local wpid=$!
    echo "$wpid" >>"$TMP/pids"
    local ipids=()
    for f in "${files[@]}"; do
        "$TOCSIN" --db "$db" serve --role ingest --bus "$NATS" --input "eve:$f" \
            --node "i$RANDOM" >>"$TMP/cluster.log" 2>&1 &
        ipids+=($!)
        echo "$!" >>"$TMP/pids"
    done
    local deadline=$(($(date +%s) + 600))
    until committed_to_end "$db" "${files[@]}"; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "cluster-$n: not done in 600 s" >&2; return 1; }
        sleep 0.05
    done
    local secs
    secs=$(python3 -c "print($(now) - $t0)")
    local iticks=0 wticks p
    for p in "${ipids[@]}"; do iticks=$((iticks + $(ticks "$p"))); done
    wticks=$(ticks "$wpid")
    local pgt natst
    pgt=$(($(pg_ticks) - pg0))
    natst=$(($(nats_ticks) - nats0))
    kill -TERM "${ipids[@]}" "$wpid" 2>/dev/null || true
    wait "${ipids[@]}" "$wpid" 2>/dev/null || true
    local stored
    stored=$(psql -qXAt "$db" -c "SELECT count(*) FROM events")
    [ "$stored" = "$EVENTS" ] || echo "cluster-$n: stored $stored of $EVENTS events" >&2
    rm -f "${files[@]}"
    echo "$secs $iticks $wticks $pgt $natst"
}

: >"$TMP/results"
for run in $(seq 1 "$RUNS"); do
    db="$TMP/run$run.db"
    sites "$db"
    read -r s c <<<"$(single "$db")"
    echo "sqlite $s $c 0 0 0" >>"$TMP/results"

    db=$(fresh_pg)
    sites "$db"
    pg0=$(pg_ticks)
    read -r s c <<<"$(single "$db")"
    echo "postgresql $s $c 0 $(($(pg_ticks) - pg0)) 0" >>"$TMP/results"

    for n in 1 2; do
        echo "cluster-$n $(cluster "$n")" >>"$TMP/results"
    done
    echo "run $run done" >&2
done

python3 - "$TMP/results" "$EVENTS" "$hz" "$RUNS" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
n, hz, runs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"{n} events per setup, medians of {runs} runs (setups alternated within each run)")
print(f"{'setup':<12}{'events/s':>10}{'ingest us/ev':>14}{'writer us/ev':>14}"
      f"{'postgres us/ev':>16}{'nats us/ev':>12}")
for setup in ("sqlite", "postgresql", "cluster-1", "cluster-2"):
    r = [list(map(float, x[1:])) for x in rows if x[0] == setup]
    med = lambda i: statistics.median(v[i] for v in r)
    us = lambda i: med(i) / hz * 1e6 / n
    rate = statistics.median(n / v[0] for v in r)
    print(f"{setup:<12}{rate:>10.0f}{us(1):>14.1f}{us(2):>14.1f}{us(3):>16.1f}{us(4):>12.1f}")
EOF
