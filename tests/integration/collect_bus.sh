# SPDX-License-Identifier: Apache-2.0
# The flow collector past one machine: `tocsin collect --bus` publishes its
# detections to NATS JetStream and a writer commits them to PostgreSQL.
# 300 scanners each sweep 8 hosts of a site; the writer is killed (SIGKILL)
# while batches flow and started again; NATS is restarted while the
# collector runs. Every scan must be stored exactly once, routed to the
# scanned site, with the collector's input checkpoint at the detections
# committed, and the collector must log its pause and resumption.
source "$(dirname "$0")/lib.inc"
source "$(dirname "$0")/pgnats.inc"

expect_rc "collect --replicas 0" 2 "$TOCSIN" collect --netflow 127.0.0.1:0 --bus nats://127.0.0.1:1 --replicas 0
expect_rc "collect --node with a space" 2 "$TOCSIN" collect --netflow 127.0.0.1:0 --node "a b"

pgnats_start 1
"$TOCSIN" site add site1 --network 10.1.0.0/16 >/dev/null
"$TOCSIN" site add site2 --network 10.2.0.0/16 >/dev/null

start_writer() {
    TOCSIN_LOG=info "$TOCSIN" serve --node writer --bus "$NATS" --replicas 1 --role writer \
        >>"$WORK/writer.log" 2>&1 &
    WRITER=$!
    PIDS+=($!)
}
start_writer
TOCSIN_LOG=info "$TOCSIN" collect --netflow 127.0.0.1:0 --bus "$NATS" --replicas 1 --node c1 \
    --window 1 --scan-hosts 5 --stats-interval 500 2>"$WORK/collect.log" &
COLLECTOR=$!
PIDS+=($!)
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*collecting NetFlow\/IPFIX on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/collect.log" 2>/dev/null || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] && ok || fail "collector reports its port: $(cat "$WORK/collect.log")"

# NetFlow v5: 3 scanners per datagram (8 SYN flows each to hosts of site1),
# scanners 198.18.0.1 .. 198.18.1.44; a round of 10 datagrams every 0.4 s.
cat >"$WORK/gen.py" <<'PY'
import socket, struct, sys, time
port, first, last = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
seq = first * 8
uptime = 3600000
for base in range(first, last, 3):
    recs = b""
    n = 0
    for k in range(base, min(base + 3, last)):
        src = (198 << 24) | (18 << 16) | (k + 1)
        for h in range(8):
            dst = (10 << 24) | (1 << 16) | ((k % 200) << 8) | (h + 1)
            recs += struct.pack("!IIIHHIIIIHHBBBBHHBBH", src, dst, 0, 1, 2, 1, 44,
                                uptime - 10, uptime - 10, 40000 + h, 80, 0, 0x02, 6, 0,
                                0, 0, 24, 24, 0)
            n += 1
    hdr = struct.pack("!HHIIIIBBH", 5, n, uptime, int(time.time()), 0, seq, 0, 0, 0)
    seq += n
    s.sendto(hdr + recs, ("127.0.0.1", port))
    if (base // 3) % 10 == 9:
        time.sleep(0.4)
PY
TOTAL=300
python3 "$WORK/gen.py" "$port" 0 150
# The writer dies with batches in flight; NATS keeps what it did not ack.
sleep 1.5
kill -9 "$WRITER"
wait "$WRITER" 2>/dev/null || true
python3 "$WORK/gen.py" "$port" 150 220
start_writer
# NATS goes away for a while: the collector keeps its detections in memory.
bash "$SUPPORT/nats_cluster.sh" kill "$WORK/nats" 1
python3 "$WORK/gen.py" "$port" 220 "$TOTAL"
sleep 7 # longer than a publish waits for its acknowledgement (5 s)
bash "$SUPPORT/nats_cluster.sh" restart "$WORK/nats" 1
for _ in $(seq 1 300); do
    n=$(sql "SELECT count(*) FROM events WHERE identifier = 'flow-addressscan'" 2>/dev/null || echo 0)
    [ "$n" -ge "$TOTAL" ] && break
    sleep 0.2
done
sleep 1 # a duplicate still in flight would land now
kill -TERM "$COLLECTOR"
rc=0
wait "$COLLECTOR" || rc=$?
expect_eq "the collector stops cleanly" 0 "$rc"
sleep 1
kill -TERM "$WRITER"
wait "$WRITER" 2>/dev/null || true

expect_eq "scans stored" "$TOTAL" "$(sql "SELECT count(*) FROM events WHERE identifier = 'flow-addressscan'")"
expect_eq "each scanner once" "$TOTAL" \
    "$(sql "SELECT count(DISTINCT src_ip) FROM events WHERE identifier = 'flow-addressscan'")"
expect_eq "routed to the scanned site" "$TOTAL" \
    "$(sql "SELECT count(DISTINCT l.event_id) FROM event_links l JOIN sites s ON s.id = l.site_id JOIN events e ON e.id = l.event_id WHERE s.name = 'site1' AND e.identifier = 'flow-addressscan'")"
expect_eq "nothing for site2" "0" \
    "$(sql "SELECT count(*) FROM event_links l JOIN sites s ON s.id = l.site_id WHERE s.name = 'site2'")"
expect_eq "the collector's input" "collector:c1:127.0.0.1:0 netflow" \
    "$(sql "SELECT name || ' ' || format FROM inputs WHERE name LIKE 'collector:%'")"
ckpt=$(sql "SELECT line FROM inputs WHERE name LIKE 'collector:%'")
events=$(sql "SELECT count(*) FROM events e JOIN inputs i ON i.id = e.input_id WHERE i.name LIKE 'collector:%'")
expect_eq "checkpoint at the detections committed" "$events" "$ckpt"
grep -q "publishing detections to NATS as the input collector:c1" "$WORK/collect.log" && ok ||
    fail "no publishing line: $(head -5 "$WORK/collect.log")"
grep -q "collector paused: NATS is unavailable" "$WORK/collect.log" && ok ||
    fail "the collector did not log the NATS outage"
grep -q "collector resumed" "$WORK/collect.log" && ok || fail "the collector did not log its resumption"
grep -q '"version":5' <("$TOCSIN" flows stats --format json) && ok || fail "exporter counters saved"
finish
