#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The main job: install what is missing, build what the demo needs, and run
# the tocsin daemon on the demo constituency: it takes the demo sensor and
# feed data in (made now, covering the last 30 days), matches the demo
# advisories against each site's platforms, and serves the portal (HTTPS,
# mutual TLS) where each site sees only what concerns it. Then it prints how
# to open the portal and keeps serving until Ctrl-C.
# Everything lives under demo-run/ (recreated on each run).
#
# On a terminal it serves until Ctrl-C. Run without a terminal (a script, a
# CI job), it leaves the daemon running in the background and says how to
# stop it. Environment: TOCSIN_DEMO_PORT (default 8443); TOCSIN_DEMO_LISTEN,
# the address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every
# address); TOCSIN_DEMO_EXIT=1 stops the daemon after the walk-through.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${TOCSIN_DEMO_PORT:-8443}
LISTEN=${TOCSIN_DEMO_LISTEN:-127.0.0.1}
case "$LISTEN" in *:*) LISTEN_ARG="[$LISTEN]:$PORT" ;; *) LISTEN_ARG="$LISTEN:$PORT" ;; esac

# Bold headings on a terminal only: a log file gets no escape codes.
if [ -t 1 ]; then
    say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
    say() { printf '\n== %s\n' "$*"; }
fi

scripts/install-deps.sh
say "Building tocsin and its web UI (build/release; the first time takes a few minutes)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
# Only what the demo runs: the command and the portal's bundle.
ninja -C build/release tocsin tocsin_web
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

say "Demo data: the last 30 days of a sensor, a feed, a honeypot and a server's log (demo/generate.py)"
python3 demo/generate.py --out "$RUN/data"
wc -l "$RUN"/data/* | sed 's|'"$RUN"'/||'

say "Constituency (demo/constituency.json) and what each site runs (demo/platforms/)"
"$TOCSIN" constituency import demo/constituency.json
"$TOCSIN" site list
for f in demo/platforms/*.csv; do
    "$TOCSIN" platform import --site "$(basename "$f" .csv)" "$f" | tail -n 1
done

say "Advisories (demo/advisories/: CSAF 2.0 and CVE 5), matched against the platforms"
"$TOCSIN" advisories import demo/advisories

say "A domain deactivation case: the demo CSIRT also acts for the registry of the .example zone"
"$TOCSIN" domain zone add example
CASE=$("$TOCSIN" domain case open login-bank.shop.example --reason phishing \
    --evidence https://reports.example/phish/20931)
"$TOCSIN" domain case review "$CASE" --why "a bank's login page copied, credentials posted away"
"$TOCSIN" domain case notify "$CASE" --why "the holder was told and did not answer"
"$TOCSIN" domain case deactivate "$CASE" --days 14 --rpz "$RUN/rpz.zone" \
    --why "the phishing kit is still online"
"$TOCSIN" domain list

say "The CSIRT's certificate authority and three certificates: the CSIRT's duty officer, uni-north, hospital"
SERVER_NAMES=(--server-name localhost --server-name 127.0.0.1 --server-name ::1)
if [ "$LISTEN" != 127.0.0.1 ] && [ "$LISTEN" != ::1 ]; then
    # Reached by its name or one of its addresses: the server certificate names them all.
    SERVER_NAMES+=(--server-name "$(hostname)")
    for a in $(hostname -I 2>/dev/null); do SERVER_NAMES+=(--server-name "$a"); done
fi
"$TOCSIN" ca init --name "Example NREN CSIRT portal CA" "${SERVER_NAMES[@]}"
# The password travels in a file, removed once used: a command line is
# visible to other users.
printf '%s\n' "$P12_PASSWORD" >"$RUN/p12-password"
chmod 600 "$RUN/p12-password"
echo
"$TOCSIN" cert issue --csirt --name duty-officer --out "$RUN/certs" \
    --p12-password-file "$RUN/p12-password"
for site in uni-north hospital; do
    echo
    "$TOCSIN" cert issue --site "$site" --name security-team --out "$RUN/certs" \
        --p12-password-file "$RUN/p12-password"
done
rm -f "$RUN/p12-password"
echo
"$TOCSIN" cert list

say "Starting the daemon: the portal on https://localhost:$PORT/ and two followed inputs"
"$TOCSIN" serve --listen "$LISTEN_ARG" --contact "the Example NREN CSIRT, cert@example-nren.example" \
    --input "eve:$RUN/spool/sensor1-eve.json" \
    --input "intelmq:$RUN/spool/shadowserver.jsonl" </dev/null >"$RUN/serve.log" 2>&1 &
SERVE_PID=$!
echo $SERVE_PID >"$RUN/serve.pid"
stop_daemon() {
    kill -TERM $SERVE_PID 2>/dev/null || true
    wait $SERVE_PID 2>/dev/null || true
    rm -f "$RUN/serve.pid"
}
trap stop_daemon EXIT
for _ in $(seq 100); do
    curl -s -o /dev/null --cacert "$CA/ca.pem" "https://localhost:$PORT/api/v1/health" && break
    kill -0 $SERVE_PID 2>/dev/null || { cat "$RUN/serve.log"; exit 1; }
    sleep 0.1
done
echo "daemon pid $SERVE_PID (log: $RUN/serve.log); the inputs do not exist yet: it waits for them"

say "The sensor and the feed deliver their data, in chunks"
# A sensor appends as it goes; chunks show the daemon picking up each one.
split -l 500 "$RUN/data/sensor1-eve.json" "$RUN/chunk."
for chunk in "$RUN"/chunk.*; do
    cat "$chunk" >>"$RUN/spool/sensor1-eve.json"
    rm "$chunk"
    sleep 0.2
done
cat "$RUN/data/shadowserver-intelmq.jsonl" >>"$RUN/spool/shadowserver.jsonl"
expected=$(($(wc -l <"$RUN/data/sensor1-eve.json") + $(wc -l <"$RUN/data/shadowserver-intelmq.jsonl")))
# Wait until the daemon has committed every line (checkpoints are in the DB).
for _ in $(seq 150); do
    done_lines=$("$TOCSIN" inputs --json | sed -n 's/.*"line":\([0-9]*\).*/\1/p' |
        awk '{s += $1} END {print s + 0}')
    [ "$done_lines" -ge "$expected" ] && break
    sleep 0.2
done
"$TOCSIN" inputs

say "The CSIRT's honeypot (Cowrie) and a server's sshd log, read once beside the daemon"
"$TOCSIN" ingest --format cowrie "$RUN/data/honeypot-cowrie.json"
"$TOCSIN" ingest --format sshd "$RUN/data/srv1-auth.log"

say "A Shadowserver report of our networks, read by the schema (demo/shadowserver-schema.json)"
"$TOCSIN" ingest --format shadowserver --schema demo/shadowserver-schema.json \
    "$RUN"/data/*-scan_demo_rdp-*.csv
"$TOCSIN" events --format json | grep -c '"feed.name":"Demo-Accessible-RDP"' || true

say "What each site received (own events and its sub-sites'), in all and in the last 24 hours"
printf '%-14s %7s %9s %11s\n' SITE EVENTS "LAST 24H" ADVISORIES
while read -r site; do
    n=$("$TOCSIN" events --site "$site" --format json | wc -l)
    d=$("$TOCSIN" events --site "$site" --since 24h --format json | wc -l)
    a=$("$TOCSIN" advisories --site "$site" --format json | wc -l)
    printf '%-14s %7d %9d %11d\n' "$site" "$n" "$d" "$a"
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
"${CURL[@]}" "https://localhost:$PORT/api/v1/me" | jq -c .
echo "\$ curl '.../api/v1/events?limit=2'"
"${CURL[@]}" "https://localhost:$PORT/api/v1/events?limit=2" | jq .
echo "\$ curl .../public/domains.json   (no certificate: the published list of deactivated domains)"
curl -sS --fail --cacert "$CA/ca.pem" "https://localhost:$PORT/public/domains.json" | jq -c .
echo "\$ curl .../api/v1/advisories   (only the advisories for uni-north's platforms; id, severity, title)"
"${CURL[@]}" "https://localhost:$PORT/api/v1/advisories" |
    jq -r '.advisories[] | "  \(.id)  \(.severity)  \(.title)"'
echo "\$ curl .../api/v1/events (no certificate)"
curl -sS --cacert "$CA/ca.pem" "https://localhost:$PORT/api/v1/events" | jq -c . || true

say "Metrics (Prometheus text format), as the CSIRT"
CSIRT_CERT="$RUN/certs/csirt-duty-officer"
curl -sS --fail --cacert "$CA/ca.pem" --cert "$CSIRT_CERT.pem" --key "$CSIRT_CERT.key" \
    "https://localhost:$PORT/metrics" | grep -E '^tocsin_(input_events_total|feed_events_total|store_commit_seconds_count)'

say "Open the portal"
if [ "$LISTEN" = 127.0.0.1 ] || [ "$LISTEN" = ::1 ]; then
    URL=https://localhost:$PORT/
    REMOTE="From another machine: forward the port over SSH,
                   ssh -L $PORT:localhost:$PORT $(id -un)@$(hostname)
                 then open $URL there (or run with TOCSIN_DEMO_LISTEN=0.0.0.0)."
else
    URL=https://$(hostname):$PORT/
    REMOTE="Listening on $LISTEN_ARG: reachable from other machines as $URL
                 (behind a firewall: ssh -L $PORT:localhost:$PORT $(id -un)@$(hostname))."
fi
cat <<EOF2
  URL:           $URL
  Trust the CA:  $CA/ca.pem
                 (browser settings > certificates > authorities > import)
  Your identity: import one of these PKCS#12 files (password: $P12_PASSWORD)
$(ls "$RUN"/certs/*.p12 | sed 's/^/                 /')
                 the CSIRT one sees the whole constituency, a site's only its own.
  Public pages:  ${URL}public/domains and ${URL}public/teams (no certificate)
  Remote:        $REMOTE
  With curl:     curl --cacert $CA/ca.pem \\
                   --cert $SITE_CERT.pem --key $SITE_CERT.key \\
                   'https://localhost:$PORT/api/v1/events?limit=5&format=csv'
  Revoke:        TOCSIN_DB=$TOCSIN_DB $TOCSIN cert revoke SERIAL   (the daemon reloads the CRL)
  Database:      $TOCSIN_DB
EOF2

if [ "${TOCSIN_DEMO_EXIT:-0}" = 1 ]; then
    say "Stopping the daemon (TOCSIN_DEMO_EXIT=1)"
    exit 0
fi
if [ -t 0 ]; then
    say "Serving until Ctrl-C"
    wait $SERVE_PID || true
    rm -f "$RUN/serve.pid"
    trap - EXIT
    exit 0
fi
trap - EXIT
say "The daemon keeps serving in the background (pid $SERVE_PID)"
echo "  Stop it with:  kill $SERVE_PID    (it commits its inputs and exits)"
