#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The portal against nginx serving the same bytes as a static file, both with
# mutual TLS (client certificate required and checked against the same CA and
# CRL, TLS 1.2+) on 127.0.0.1, measured with the same client (bench_portal:
# keep-alive HTTP/1.1, one request in flight per connection, server verified).
#
# tocsin answers GET /api/v1/events?limit=50 from its database (a query, JSON
# encoding, certificate-to-site mapping per request); nginx sends a file of the
# identical body. The ratio is thus "dynamic API vs. the fastest static
# server", an upper bound to aim at, not a like-for-like comparison.
#
# usage: bench/portal_vs_nginx.sh BUILD_DIR
#   env: RUNS=3 DURATION=3 WARMUP=1 CONNS="1 16 64" THREADS=2 (tocsin serve --threads)
# Takes about RUNS * |CONNS| * 3 * (DURATION + WARMUP + ramp) seconds (~2 min).
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
TOCSIN=$BUILD/tocsin
CLIENT=$BUILD/bench/bench_portal
RUNS=${RUNS:-3}
DURATION=${DURATION:-3}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-"1 16 64"}
THREADS=${THREADS:-2}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$TOCSIN" ] && [ -x "$CLIENT" ] || { echo "build tocsin and bench_portal first" >&2; exit 2; }
[ -x "$NGINX" ] || { echo "nginx not installed" >&2; exit 2; }

T=$(mktemp -d /tmp/tocsin-bench.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
export TOCSIN_DB=$T/tocsin.db
CA=$T/tocsin.db.ca
# nginx's workers may run as another user: they need to reach the static
# file (not the keys, which the master reads).
chmod 711 "$T"

# ---- Data, CA, a site certificate -----------------------------------------------
if [ -f "$SRC/demo/constituency.json" ] && python3 "$SRC/demo/generate.py" --out "$T/demo-data"; then
    "$TOCSIN" constituency import "$SRC/demo/constituency.json" >/dev/null
    "$TOCSIN" ingest --format eve "$T/demo-data/sensor1-eve.json" >/dev/null 2>&1
    "$TOCSIN" ingest --format intelmq "$T/demo-data/shadowserver-intelmq.jsonl" >/dev/null 2>&1
    SITE=uni-north
else
    # No demo: a site and generated Suricata alerts against it.
    "$TOCSIN" site add bench-site --network 198.18.0.0/16 >/dev/null
    python3 - "$T/eve.json" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(2000):
        f.write(json.dumps({"timestamp": "2026-11-26T%02d:%02d:%02d.000000+0000" % (i // 3600 % 24, i // 60 % 60, i % 60),
            "event_type": "alert", "src_ip": "203.0.113.%d" % (i % 250 + 1), "src_port": 40000 + i,
            "dest_ip": "198.18.%d.%d" % (i % 200, i % 250 + 1), "dest_port": 22, "proto": "TCP",
            "alert": {"action": "allowed", "gid": 1, "signature_id": 2001219, "rev": 20,
                      "signature": "ET SCAN Potential SSH Scan", "category": "Attempted Information Leak",
                      "severity": 2}}) + "\n")
EOF
    "$TOCSIN" ingest --format eve "$T/eve.json" >/dev/null 2>&1
    SITE=bench-site
fi
"$TOCSIN" ca init >/dev/null
"$TOCSIN" cert issue --site "$SITE" --name bench --out "$T/client" >/dev/null
CERT=$T/client/$SITE-bench.pem
KEY=$T/client/$SITE-bench.key

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- tocsin ----------------------------------------------------------------------------
"$TOCSIN" serve --listen 127.0.0.1:0 --port-file "$T/port" --threads "$THREADS" \
    >"$T/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "tocsin serve did not start:" >&2; cat "$T/serve.log" >&2; exit 1; }
TPORT=$(cat "$T/port")
# A second server on the same database answers every request from it
# (--no-cache): the first reuses an answer while the database is unchanged,
# which is what an idle store measures; the second is the cost of a query.
"$TOCSIN" serve --listen 127.0.0.1:0 --port-file "$T/port-nc" --threads "$THREADS" --no-cache \
    >"$T/serve-nc.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/port-nc" ] && break; sleep 0.1; done
[ -s "$T/port-nc" ] || { echo "tocsin serve --no-cache did not start:" >&2; cat "$T/serve-nc.log" >&2; exit 1; }
NPORT=$(cat "$T/port-nc")
PATHQ='/api/v1/events?limit=50'
curl -sS --fail --cacert "$CA/ca.pem" --cert "$CERT" --key "$KEY" \
    "https://127.0.0.1:$TPORT$PATHQ" -o "$T/body.json"
BODY=$(stat -c %s "$T/body.json")
EVENTS=$(grep -o '"id":' "$T/body.json" | wc -l)

# ---- nginx: the same body as a static file, worker_processes 1 and auto ----------------
mkdir -p "$T/www/api/v1"
cp "$T/body.json" "$T/www/api/v1/events"
chmod -R a+rX "$T/www"
start_nginx() { # NAME WORKERS PORT
    local d=$T/nginx-$1
    mkdir -p "$d/logs"
    cat >"$d/nginx.conf" <<EOF
worker_processes $2;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 60s;
    keepalive_requests 1000000;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    server {
        listen 127.0.0.1:$3 ssl;
        ssl_certificate $CA/server.pem;
        ssl_certificate_key $CA/server.key;
        ssl_client_certificate $CA/ca.pem;
        ssl_verify_client on;
        ssl_verify_depth 1;
        ssl_crl $CA/crl.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $T/www;
        location / {
            default_type application/json;
            add_header Cache-Control no-store;
            add_header X-Content-Type-Options nosniff;
        }
    }
}
EOF
    "$NGINX" -e "$d/logs/error.log" -p "$d" -c "$d/nginx.conf" &
    PIDS+=($!)
    for _ in $(seq 50); do
        curl -s -o /dev/null --cacert "$CA/ca.pem" --cert "$CERT" --key "$KEY" \
            "https://127.0.0.1:$3/api/v1/events" && return 0
        sleep 0.1
    done
    echo "nginx ($1) did not start:" >&2
    cat "$d/logs/error.log" >&2
    exit 1
}
P1=$(free_port)
start_nginx w1 1 "$P1"
PA=$(free_port)
while [ "$PA" = "$P1" ]; do PA=$(free_port); done
start_nginx auto auto "$PA"
NBODY=$(curl -sS --cacert "$CA/ca.pem" --cert "$CERT" --key "$KEY" \
    "https://127.0.0.1:$P1/api/v1/events" | wc -c)
[ "$NBODY" = "$BODY" ] || { echo "nginx body $NBODY != $BODY bytes" >&2; exit 1; }
# nginx refuses a client without a certificate, as tocsin does.
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA/ca.pem" "https://127.0.0.1:$P1/api/v1/events" || true)
[ "$code" = 400 ] || { echo "nginx without client cert: HTTP $code, expected 400" >&2; exit 1; }

echo "# $(date -u +%FT%TZ) $(nproc) CPUs; body $BODY bytes ($EVENTS events); tocsin --threads $THREADS;"
echo "# $RUNS runs x ${DURATION}s after a ${WARMUP}s warm-up (and all connections up); medians"

# ---- Runs ----------------------------------------------------------------------------------
bench() { # LABEL URL CONNS
    "$CLIENT" --url "$2" --cert "$CERT" --key "$KEY" --cacert "$CA/ca.pem" --connections "$3" \
        --duration "$DURATION" --warmup "$WARMUP" --label "$1" || true
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2}'; }
: >"$T/results"
for c in $CONNS; do
    for r in $(seq "$RUNS"); do
        bench tocsin "https://127.0.0.1:$TPORT$PATHQ" "$c" | sed "s/^/run=$r /" >>"$T/results"
        bench tocsin-nocache "https://127.0.0.1:$NPORT$PATHQ" "$c" | sed "s/^/run=$r /" >>"$T/results"
        bench nginx-w1 "https://127.0.0.1:$P1/api/v1/events" "$c" | sed "s/^/run=$r /" >>"$T/results"
        bench nginx-auto "https://127.0.0.1:$PA/api/v1/events" "$c" | sed "s/^/run=$r /" >>"$T/results"
    done
done
[ -n "${KEEP_RAW:-}" ] && cat "$T/results"

printf '%-6s %-11s %9s %8s %8s %9s %7s %8s\n' conns server req/s p50_ms p99_ms max_ms errors ramp_ms
for c in $CONNS; do
    for s in tocsin tocsin-nocache nginx-w1 nginx-auto; do
        rows=$(grep " $s conns=$c " "$T/results" || true)
        printf '%-6s %-11s %9s %8s %8s %9s %7s %8s\n' "$c" "$s" \
            "$(echo "$rows" | field rps | median)" "$(echo "$rows" | field p50_ms | median)" \
            "$(echo "$rows" | field p99_ms | median)" "$(echo "$rows" | field max_ms | median)" \
            "$(echo "$rows" | field errors | awk '{s+=$1} END {print s+0}')" \
            "$(echo "$rows" | field ramp_ms | median)"
    done
    # Ratios within each run (same machine state), then their median.
    for pair in tocsin:nginx-w1 tocsin:nginx-auto tocsin-nocache:nginx-w1 tocsin-nocache:nginx-auto; do
        ts=${pair%%:*} s=${pair#*:}
        ratio=$(for r in $(seq "$RUNS"); do
            t=$(grep "^run=$r $ts conns=$c " "$T/results" | field rps)
            n=$(grep "^run=$r $s conns=$c " "$T/results" | field rps)
            [ -n "$t" ] && [ -n "$n" ] && awk -v t="$t" -v n="$n" 'BEGIN {if (n > 0) printf "%.3f\n", t / n}'
        done | median)
        printf '%-6s %s/%-10s req/s ratio %s\n' "$c" "$ts" "$s" "$ratio"
    done
done
