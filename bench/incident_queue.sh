#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The incident queue over mutual TLS: GET /api/v1/incidents?state=open&limit=50
# (the portal's default page) at 64 keep-alive connections, measured with
# bench_portal (p50/p99), on a store made from the demo data (or generated
# Suricata alerts when the demo is missing), from a server answering every
# request from the database (--no-cache); the event page beside it for
# comparison; and the dashboard's statistics (GET /api/v1/stats, 30 days,
# from the roll-ups) timed one request at a time with curl.
#
# With GEN=N the store is instead N generated Suricata alerts over the last
# 30 days against one site (198.18.0.0/16), ingested durably: the summary
# figure on a larger store.
#
# usage: bench/incident_queue.sh BUILD_DIR
#   env: DURATION=5 WARMUP=1 CONNS=64 THREADS=2 (tocsin serve --threads) GEN=0
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
TOCSIN=$BUILD/tocsin
CLIENT=$BUILD/bench/bench_portal
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
GEN=${GEN:-0}
[ -x "$TOCSIN" ] && [ -x "$CLIENT" ] || { echo "build tocsin and bench_portal first" >&2; exit 2; }

T=$(mktemp -d /tmp/tocsin-bench.XXXXXX)
PID=
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
export TOCSIN_DB=$T/tocsin.db
CA=$T/tocsin.db.ca

if [ "$GEN" -gt 0 ]; then
    "$TOCSIN" site add bench-site --network 198.18.0.0/16 >/dev/null
    python3 - "$T/eve.json" "$GEN" <<'EOF'
import json, sys, time
n = int(sys.argv[2])
now = int(time.time())
with open(sys.argv[1], "w") as f:
    for i in range(n):
        t = time.gmtime(now - 30 * 86400 + i * (30 * 86400) // n)
        f.write(json.dumps({"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000000+0000", t),
            "event_type": "alert", "src_ip": "203.0.113.%d" % (i % 200 + 1), "src_port": 40000 + i % 20000,
            "dest_ip": "198.18.%d.%d" % (i // 250 % 256, i % 250 + 1), "dest_port": 22, "proto": "TCP",
            "alert": {"action": "allowed", "gid": 1, "signature_id": 2001219 + i % 20, "rev": 1,
                      "signature": "ET SCAN bench %d" % (i % 20), "category": "Attempted Information Leak",
                      "severity": 2}}) + "\n")
EOF
    START=$(date +%s%N)
    "$TOCSIN" ingest --format eve "$T/eve.json" >/dev/null 2>&1
    echo "ingested $GEN alerts in $(( ($(date +%s%N) - START) / 1000000 )) ms"
    SITE=bench-site
elif [ -f "$SRC/demo/constituency.json" ] && python3 "$SRC/demo/generate.py" --out "$T/demo-data" >/dev/null; then
    "$TOCSIN" constituency import "$SRC/demo/constituency.json" >/dev/null
    "$TOCSIN" ingest --format eve "$T/demo-data/sensor1-eve.json" >/dev/null 2>&1
    "$TOCSIN" ingest --format intelmq "$T/demo-data/shadowserver-intelmq.jsonl" >/dev/null 2>&1
    SITE=uni-north
else
    echo "demo data missing" >&2
    exit 2
fi
"$TOCSIN" ca init >/dev/null
"$TOCSIN" cert issue --site "$SITE" --name bench --out "$T/client" >/dev/null
CERT=$T/client/$SITE-bench.pem
KEY=$T/client/$SITE-bench.key
EVENTS=$("$TOCSIN" events --format json | wc -l)
INCIDENTS=$("$TOCSIN" incidents --format csv | tail -n +2 | wc -l)
MINE=$("$TOCSIN" incidents --site "$SITE" --state open --format csv | tail -n +2 | wc -l)

"$TOCSIN" serve --listen 127.0.0.1:0 --port-file "$T/port" --threads "$THREADS" --no-cache \
    >"$T/serve.log" 2>&1 &
PID=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "tocsin serve did not start:" >&2; cat "$T/serve.log" >&2; exit 1; }
BASE=https://127.0.0.1:$(cat "$T/port")
echo "store: $EVENTS events, $INCIDENTS incidents ($MINE open of $SITE); serve --threads $THREADS --no-cache"
for q in '/api/v1/incidents?state=open&limit=50' '/api/v1/events?limit=50'; do
    "$CLIENT" --url "$BASE$q" --cert "$CERT" --key "$KEY" --cacert "$CA/ca.pem" \
        --connections "$CONNS" --duration "$DURATION" --warmup "$WARMUP" --label "$q"
done
# The dashboard's statistics, one request at a time (TLS connection reused).
args=()
for _ in $(seq 20); do args+=(-o /dev/null "$BASE/api/v1/stats"); done
curl -sS --fail --cacert "$CA/ca.pem" --cert "$CERT" --key "$KEY" -w '%{time_starttransfer}\n' \
    "${args[@]}" | sort -n | awk '{a[NR]=$1} END {printf "GET /api/v1/stats (30 days): median %.1f ms, max %.1f ms over %d requests\n", a[int((NR+1)/2)]*1000, a[NR]*1000, NR}'
