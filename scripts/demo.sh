#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The main job: install what is missing, build, and run the tocsin daemon on
# the demo constituency: it takes the demo sensor and feed data in, matches
# the demo advisories against each site's platforms, and serves the portal
# (HTTPS, mutual TLS) where each site sees only what concerns it. Then it
# prints how to open the portal and keeps serving until Ctrl-C.
# Everything lives under demo-run/ (recreated on each run).
#
# On a terminal it serves until Ctrl-C. Run without a terminal (a script, a
# CI job), it leaves the daemon running in the background and says how to
# stop it. Environment: TOCSIN_DEMO_PORT (default 8443); TOCSIN_DEMO_EXIT=1
# stops the daemon after the walk-through.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${TOCSIN_DEMO_PORT:-8443}

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build/release >/dev/null
TOCSIN="$ROOT/build/release/tocsin"

RUN="$ROOT/demo-run"
# A daemon left running by an earlier demo holds the port: stop it first.
if [ -f "$RUN/serve.pid" ]; then
    kill -TERM "$(cat "$RUN/serve.pid")" 2>/dev/null || true
    sleep 1
fi
rm -rf "$RUN"
mkdir -p "$RUN/spool"
export TOCSIN_DB="$RUN/tocsin.db"
CA="$RUN/tocsin.db.ca"
P12_PASSWORD=demo

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Constituency (demo/constituency.json) and what each site runs (demo/platforms/)"
"$TOCSIN" constituency import demo/constituency.json
"$TOCSIN" site list
for f in demo/platforms/*.csv; do
    "$TOCSIN" platform import --site "$(basename "$f" .csv)" "$f" | tail -n 1
done

say "Advisories (demo/advisories/: CSAF 2.0 and CVE 5), matched against the platforms"
"$TOCSIN" advisories import demo/advisories

say "The CSIRT's certificate authority and site certificates"
"$TOCSIN" ca init --name "Example NREN CSIRT portal CA"
# The password travels in a file: a command line is visible to other users.
printf '%s\n' "$P12_PASSWORD" >"$RUN/p12-password"
chmod 600 "$RUN/p12-password"
"$TOCSIN" cert issue --csirt --name duty-officer --out "$RUN/certs" \
    --p12-password-file "$RUN/p12-password"
for site in uni-north hospital; do
    "$TOCSIN" cert issue --site "$site" --name security-team --out "$RUN/certs" \
        --p12-password-file "$RUN/p12-password"
done
"$TOCSIN" cert list

say "Starting the daemon: the portal on https://localhost:$PORT/ and two followed inputs"
: >"$RUN/spool/sensor1-eve.json"
: >"$RUN/spool/shadowserver.jsonl"
"$TOCSIN" serve --listen "127.0.0.1:$PORT" \
    --input "eve:$RUN/spool/sensor1-eve.json" \
    --input "intelmq:$RUN/spool/shadowserver.jsonl" </dev/null >"$RUN/serve.log" 2>&1 &
SERVE_PID=$!
echo $SERVE_PID >"$RUN/serve.pid"
trap 'kill -TERM $SERVE_PID 2>/dev/null || true; wait $SERVE_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -s -o /dev/null --cacert "$CA/ca.pem" "https://localhost:$PORT/api/v1/health" && break
    kill -0 $SERVE_PID 2>/dev/null || { cat "$RUN/serve.log"; exit 1; }
    sleep 0.1
done
echo "daemon pid $SERVE_PID (log: $RUN/serve.log)"

say "The sensor and the feed deliver their data (demo/data/), in chunks"
# A sensor appends as it goes; chunks show the daemon picking up each one.
split -l 500 demo/data/sensor1-eve.json "$RUN/chunk."
for chunk in "$RUN"/chunk.*; do
    cat "$chunk" >>"$RUN/spool/sensor1-eve.json"
    sleep 0.2
done
cat demo/data/shadowserver-intelmq.jsonl >>"$RUN/spool/shadowserver.jsonl"
expected=$(($(wc -l <demo/data/sensor1-eve.json) + $(wc -l <demo/data/shadowserver-intelmq.jsonl)))
# Wait until the daemon has committed every line (checkpoints are in the DB).
for _ in $(seq 150); do
    done_lines=$("$TOCSIN" inputs --json | sed -n 's/.*"line":\([0-9]*\).*/\1/p' |
        awk '{s += $1} END {print s + 0}')
    [ "$done_lines" -ge "$expected" ] && break
    sleep 0.2
done
"$TOCSIN" inputs

say "The CSIRT's honeypot (Cowrie) and a server's sshd log, read once beside the daemon"
"$TOCSIN" ingest --format cowrie demo/data/honeypot-cowrie.json
"$TOCSIN" ingest --format sshd demo/data/srv1-auth.log

say "What each site received (own events and its sub-sites')"
while read -r site; do
    n=$("$TOCSIN" events --site "$site" --format json | wc -l)
    a=$("$TOCSIN" advisories --site "$site" --format json | wc -l)
    printf '%-14s %5d events %3d advisories\n' "$site" "$n" "$a"
done < <(sqlite3 "$TOCSIN_DB" "SELECT name FROM sites ORDER BY id")

say "Routing: who owns what, and why"
for q in 198.18.10.77 198.19.64.20 2001:db8:10a::1 203.0.113.9 AS64498 www.cs.uni-north.example; do
    "$TOCSIN" route "$q" || true
done

say "Quarantine: rejected records, each with its reason"
"$TOCSIN" quarantine stats

say "The REST API, as uni-north (mutual TLS with its site certificate)"
SITE_CERT="$RUN/certs/uni-north-security-team"
CURL=(curl -sS --fail --cacert "$CA/ca.pem" --cert "$SITE_CERT.pem" --key "$SITE_CERT.key")
echo "\$ curl .../api/v1/me"
"${CURL[@]}" "https://localhost:$PORT/api/v1/me"
echo
echo "\$ curl '.../api/v1/events?limit=2'"
"${CURL[@]}" "https://localhost:$PORT/api/v1/events?limit=2"
echo
echo "\$ curl .../api/v1/advisories   (only the advisories for uni-north's platforms)"
"${CURL[@]}" "https://localhost:$PORT/api/v1/advisories" | head -c 1200
echo
echo "\$ curl .../api/v1/events (no certificate)"
curl -sS --cacert "$CA/ca.pem" "https://localhost:$PORT/api/v1/events" || true
echo

say "Open the portal"
cat <<EOF
  URL:           https://localhost:$PORT/
  Trust the CA:  $CA/ca.pem
                 (browser settings > certificates > authorities > import)
  Your identity: import one of these PKCS#12 files (password: $P12_PASSWORD)
$(ls "$RUN"/certs/*.p12 | sed 's/^/                 /')
                 the CSIRT one sees the whole constituency, a site's only its own.
  With curl:     curl --cacert $CA/ca.pem \\
                   --cert $SITE_CERT.pem --key $SITE_CERT.key \\
                   'https://localhost:$PORT/api/v1/events?limit=5&format=csv'
  Revoke:        TOCSIN_DB=$TOCSIN_DB $TOCSIN cert revoke SERIAL   (the daemon reloads the CRL)
  Database:      $TOCSIN_DB
EOF

if [ "${TOCSIN_DEMO_EXIT:-0}" = 1 ]; then
    say "Stopping the daemon (TOCSIN_DEMO_EXIT=1)"
    exit 0
fi
if [ -t 0 ]; then
    say "Serving until Ctrl-C"
    wait $SERVE_PID || true
    rm -f "$RUN/serve.pid"
    exit 0
fi
trap - EXIT
say "The daemon keeps serving in the background (pid $SERVE_PID)"
echo "  Stop it with:  kill $SERVE_PID    (it commits its inputs and exits)"
