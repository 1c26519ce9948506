# SPDX-License-Identifier: Apache-2.0
# A batch lost from the stream (what a power loss of every NATS node can
# do): the input's later batches cannot be committed past the hole, and the
# writer must say so (an error naming the input and what to do, and
# tocsin_bus_blocked_inputs in /metrics) instead of waiting in silence. The
# loss is made by taking the first batch's records and checkpoint out of the
# store once it committed them; restarting the ingest node, as the message
# says, publishes them again from the committed checkpoint, and the input
# goes on with every record once.
source "$(dirname "$0")/lib.inc"
source "$(dirname "$0")/pgnats.inc"
pgnats_start 1
"$TOCSIN" site add site1 --network 10.1.0.0/16 >/dev/null

F=$WORK/feed.json
lines() { # FIRST LAST: IntelMQ records, one scanner each
    for i in $(seq "$1" "$2"); do
        printf '{"feed.name": "gap", "classification.type": "scanner", "source.ip": "10.1.%d.%d", "time.source": "2026-11-27T09:00:00+00:00"}\n' \
            $((i / 250)) $((i % 250 + 1))
    done
}
start() { # NAME ARGS...
    local name=$1
    shift
    TOCSIN_LOG=info "$TOCSIN" serve --node "$name" --bus "$NATS" --replicas 1 "$@" \
        >>"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    eval "PID_$name=$!"
}
wait_for() { # SECONDS CONDITION...
    local end=$((SECONDS + $1))
    shift
    while [ $SECONDS -lt $end ]; do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}
at_offset() { [ "$(sql "SELECT byte_offset FROM inputs" 2>/dev/null)" = "$1" ]; }

lines 1 100 >"$F"
start writer --role writer
start ingest --role ingest --input "intelmq:$F"
wait_for 60 at_offset "$(stat -c %s "$F")" && ok || fail "the first records were not committed"
kill -TERM "$PID_writer"
wait "$PID_writer" || true
# The first batch "never reached the store".
sql "DELETE FROM events; UPDATE inputs SET byte_offset = 0, line = 0" >/dev/null
lines 101 200 >>"$F"
size=$(stat -c %s "$F")
sleep 1.5 # the ingest node follows the file and publishes the rest
TOCSIN_BUS_GAP_WARN_S=2 start writer --role writer --metrics-listen 127.0.0.1:0
wait_for 60 grep -q "has waited .* before line 101, which never arrived" "$WORK/writer.log" && ok ||
    fail "the writer did not say that the input is blocked: $(tail -3 "$WORK/writer.log")"
grep -q "restart the ingest node of this input" "$WORK/writer.log" && ok || fail "no advice given"
expect_eq "nothing committed past the hole" 0 "$(sql "SELECT count(*) FROM events")"
SCRAPE=$(sed -n 's/.*metrics on \(http:[^ ]*\).*/\1/p' "$WORK/writer.log" | head -1)
curl -sS "$SCRAPE" | grep -q '^tocsin_bus_blocked_inputs 1$' && ok ||
    fail "metrics: $(curl -sS "$SCRAPE" | grep blocked)"

# As the message says: the ingest node, restarted, publishes again.
kill -TERM "$PID_ingest"
wait "$PID_ingest" || true
start ingest --role ingest --input "intelmq:$F"
wait_for 60 at_offset "$size" && ok || fail "the input did not go on: $(sql "SELECT byte_offset FROM inputs")"
wait_for 20 grep -q "input .* goes on: the missing records arrived" "$WORK/writer.log" && ok ||
    fail "the writer did not say the input goes on"
curl -sS "$SCRAPE" | grep -q '^tocsin_bus_blocked_inputs 0$' && ok || fail "still counted as blocked"
kill -TERM "$PID_ingest" "$PID_writer"
wait "$PID_ingest" "$PID_writer" || true
expect_eq "every record" 200 "$(sql "SELECT count(*) FROM events")"
expect_eq "each once" 200 "$(sql "SELECT count(DISTINCT src_ip) FROM events")"
finish
