# SPDX-License-Identifier: Apache-2.0
# Past one machine, with faults (issue 18): a 3-node NATS JetStream cluster
# (stream replicas 3) and a PostgreSQL 15 cluster on loopback, two ingest
# nodes following one EVE file each while a generator appends to them, one
# writer, one portal. During the ingest it kills -9 one NATS node, then the
# writer, then one ingest node, restarting each; then it stops the whole NATS
# cluster and then PostgreSQL for a few seconds (inputs and the writer pause
# and resume). At the end every event must be stored exactly once, the
# per-site counts must be those the generator wrote, and the portal must have
# answered throughout (its errors are counted and printed).
#
# As integration/cluster it runs 2 x 15,000 events (every build, the
# sanitizers' too); integration/cluster_1m runs it with the issue's 1M
# events (see docs/scale-out.md).
source "$(dirname "$0")/lib.inc"
PGNATS_BEFORE_CLEANUP='touch "$WORK/stop-probe"'
source "$(dirname "$0")/pgnats.inc"

EVENTS=${TS_CLUSTER_EVENTS:-15000} # per ingest node
RATE=${TS_CLUSTER_RATE:-600}       # lines/s appended to each input (CI: 25 s of appends)
pgnats_start 3

for s in 1 2 3; do "$TOCSIN" site add "site$s" --network "10.$s.0.0/16" >/dev/null; done
"$TOCSIN" ca init --dir "$WORK/ca" >/dev/null
"$TOCSIN" cert issue --csirt --name duty --out "$WORK/certs" --ca "$WORK/ca" >/dev/null
CERT=$(ls "$WORK"/certs/*.pem | head -1)
KEY=${CERT%.pem}.key

# declare -A of the node processes, so a node can be killed and restarted.
declare -A NODE_PID NODE_ARGS
start_node() {
    local name=$1
    shift
    [ $# -gt 0 ] && NODE_ARGS[$name]="$*"
    # shellcheck disable=SC2086
    TOCSIN_LOG=info "$TOCSIN" serve --node "$name" --bus "$NATS" ${NODE_ARGS[$name]} \
        >>"$WORK/$name.log" 2>&1 &
    NODE_PID[$name]=$!
    PIDS+=($!)
}

start_node writer --role writer
start_node portal --role portal --listen 127.0.0.1:0 --port-file "$WORK/port" --ca "$WORK/ca"
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
URL=https://127.0.0.1:$(cat "$WORK/port")
: >"$WORK/a.json"
: >"$WORK/b.json"
start_node ingest-a --role ingest --input "eve:$WORK/a.json"
start_node ingest-b --role ingest --input "eve:$WORK/b.json"

# The generator: EVENTS alert lines per file at RATE lines/s, and the
# per-site counts it wrote.
python3 "$SUPPORT/gen_eve.py" "$WORK/expected" "$EVENTS" "$RATE" "$WORK/a.json" "$WORK/b.json" &
GEN=$!
PIDS+=($GEN)

# The probers, every 100 ms each: a page of events (the CSIRT's certificate)
# and health (no certificate); one line per answer: time, what, code.
probe() {
    while [ ! -e "$WORK/stop-probe" ]; do
        echo "$(date +%s.%N) $1 $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
            --cacert "$WORK/ca/ca.pem" "${@:3}" "$URL/api/v1/$2" || true)"
        sleep 0.1
    done
}
probe events "events?limit=20" --cert "$CERT" --key "$KEY" >"$WORK/probe-events.log" &
PIDS+=($!)
probe health health >"$WORK/probe-health.log" &
PIDS+=($!)

# The faults happen while the files grow: at fixed shares of the
# generator's run, measured from its start.
T0=$(date +%s.%N)
DURATION=$(python3 -c "print($EVENTS / $RATE)")
phase() { echo "$(date +%T) $*"; }
at() { sleep "$(python3 -c "import time; print(max(0.0, $T0 + $1 * $DURATION - time.time()))")"; }

at 0.1
phase "kill -9 NATS node n1"
bash "$SUPPORT/nats_cluster.sh" kill "$WORK/nats" 1
sleep 2
bash "$SUPPORT/nats_cluster.sh" restart "$WORK/nats" 1

at 0.25
phase "kill -9 the writer"
kill -9 "${NODE_PID[writer]}"
sleep 1
start_node writer

at 0.4
phase "kill -9 ingest-a"
kill -9 "${NODE_PID[ingest-a]}"
sleep 1
start_node ingest-a

at 0.55
phase "NATS cluster down (all three stopped) for 3 s"
for i in 1 2 3; do kill "$(cat "$WORK/nats/n$i/pid")"; done
sleep 3
RESTARTS=()
for i in 1 2 3; do
    bash "$SUPPORT/nats_cluster.sh" restart "$WORK/nats" "$i" &
    RESTARTS+=($!)
done
wait "${RESTARTS[@]}"
sleep 1

at 0.75
phase "PostgreSQL down for 3 s"
date +%s.%N >"$WORK/pg-down"
bash "$SUPPORT/pg_cluster.sh" pause "$WORK/pg"
sleep 3
bash "$SUPPORT/pg_cluster.sh" resume "$WORK/pg"
date +%s.%N >>"$WORK/pg-down"

wait "$GEN"
TOTAL=$((2 * EVENTS))
phase "generator done: waiting for $TOTAL events"
n=0
for _ in $(seq 1 600); do
    n=$(sql "SELECT count(*) FROM events" 2>/dev/null || echo 0)
    [ "$n" -ge "$TOTAL" ] && break
    sleep 0.5
done
sleep 2 # anything still in flight would land now
phase "stored: $(sql "SELECT count(*) FROM events")"
# Health lists the nodes from their heartbeats (every 5 s), once the bucket
# is readable again after the NATS restart and each node wrote to it again.
for _ in $(seq 1 20); do
    HEALTH=$(curl -s --max-time 10 --cacert "$WORK/ca/ca.pem" "$URL/api/v1/health")
    all=1
    for name in ingest-a ingest-b writer portal; do
        echo "$HEALTH" | grep -q "\"name\":\"$name\"" || all=0
    done
    [ "$all" = 1 ] && break
    sleep 1
done
# The same in /metrics (set with each heartbeat, every 5 s), for a CSIRT certificate;
# the restarted NATS node's replica of the stream catches up in its own time.
for _ in $(seq 1 60); do
    METRICS=$(curl -s --max-time 10 --cacert "$WORK/ca/ca.pem" --cert "$CERT" --key "$KEY" "$URL/metrics")
    grep -q '^tocsin_bus_consumer_pending 0$' <<<"$METRICS" && grep -q '^tocsin_bus_consumer_ack_pending 0$' <<<"$METRICS" &&
        grep -q '^tocsin_bus_nodes 4$' <<<"$METRICS" &&
        grep -q '^tocsin_bus_stream_replicas_current 3$' <<<"$METRICS" && break
    sleep 1
done
touch "$WORK/stop-probe"
for name in ingest-a ingest-b writer portal; do kill -TERM "${NODE_PID[$name]}" 2>/dev/null || true; done
for name in ingest-a ingest-b writer portal; do wait "${NODE_PID[$name]}" 2>/dev/null || true; done

# Exactly once: every generated line is there, once.
expect_eq "events stored" "$TOTAL" "$(sql "SELECT count(*) FROM events")"
expect_eq "distinct events" "$TOTAL" "$(sql "SELECT count(DISTINCT identifier) FROM events")"
expect_eq "one event per input line" "$TOTAL" \
    "$(sql "SELECT count(*) FROM (SELECT DISTINCT input_id, line FROM events) x")"
while read -r site want; do
    got=$(sql "SELECT count(*) FROM event_links l JOIN sites s ON s.id = l.site_id WHERE s.name = '$site'")
    expect_eq "events of $site" "$want" "$got"
done <"$WORK/expected"
# Each input's checkpoint is at its end.
for f in a b; do
    size=$(stat -c %s "$WORK/$f.json")
    expect_eq "checkpoint of $f.json" "$size" \
        "$(sql "SELECT byte_offset FROM inputs WHERE name = '$WORK/$f.json'")"
done

# What the operators saw: the pauses and the resumptions were logged.
grep -q "paused: NATS is unavailable" "$WORK"/ingest-*.log && ok || fail "no input paused while NATS was down"
grep -q "resumed: NATS is back" "$WORK"/ingest-*.log && ok || fail "no input resumed after NATS"
grep -q "writer paused: the store is unavailable" "$WORK/writer.log" && ok ||
    fail "the writer did not log the PostgreSQL outage"
grep -q "writer resumed" "$WORK/writer.log" && ok || fail "the writer did not log its resumption"
if grep -h "$(sed 's|.*//tocsin:\([^@]*\)@.*|\1|' <<<"$TOCSIN_DB")" "$WORK"/*.log >/dev/null; then
    fail "a log shows the database password"
else
    ok
fi

# Health: the lag is gone, the nodes are listed.
echo "$HEALTH" | grep -q '"pending":0' && ok || fail "health: the writer still lags: $HEALTH"
for name in ingest-a ingest-b writer portal; do
    echo "$HEALTH" | grep -q "\"name\":\"$name\"" && ok || fail "health does not list $name: $HEALTH"
done

for m in 'tocsin_bus_connected 1' 'tocsin_bus_consumer_pending 0' 'tocsin_bus_consumer_ack_pending 0' \
    'tocsin_bus_nodes 4'; do
    grep -q "^$m\$" <<<"$METRICS" && ok || fail "metrics: no '$m': $(grep '^tocsin_bus' <<<"$METRICS" | tr '\n' ' ')"
done
# The stream's replicas: all three, or a quorum while the restarted node's
# copy is still catching up (it can take longer than the wait above).
grep -Eq '^tocsin_bus_stream_replicas_current [23]$' <<<"$METRICS" && ok ||
    fail "metrics: the stream has no quorum of current replicas: $(grep '^tocsin_bus_stream' <<<"$METRICS" | tr '\n' ' ')"

# The portal answered throughout: no gap of 5 s without a page of events,
# but while PostgreSQL was down, when it cannot (health answers, slower
# while NATS elects leaders, are counted apart).
python3 - "$WORK/pg-down" "$WORK"/probe-*.log <<'EOF' || fail "the portal stopped answering"
import sys
down, up = (float(l) for l in open(sys.argv[1]))
rows = [l.split() for f in sys.argv[2:] for l in open(f) if len(l.split()) == 3]
pages = sorted(float(t) for t, what, code in rows if what == "events" and code == "200"
               and not down <= float(t) <= up + 5)
pages = sorted(pages + [down, up + 5])
n = {w: sum(1 for r in rows if r[1] == w) for w in ("events", "health")}
err = {w: sum(1 for r in rows if r[1] == w and r[2] != "200") for w in ("events", "health")}
gaps = [b - a for a, b in zip(pages, pages[1:]) if (a, b) != (down, up + 5)]
worst = max(gaps) if gaps else float("inf")
print(f"portal: {n['events']} page requests, {err['events']} errors, longest gap between"
      f" answers {worst:.1f} s; {n['health']} health requests, {err['health']} errors")
sys.exit(0 if pages and worst < 5.0 else 1)
EOF
finish
