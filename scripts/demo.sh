#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The main job: install what is missing, build, and run tocsin on the demo
# constituency with the demo sensor and feed data, then show what each site
# received. Everything lives under demo-run/ (recreated on each run).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build/release tocsin >/dev/null
TOCSIN="$ROOT/build/release/tocsin"

RUN="$ROOT/demo-run"
rm -rf "$RUN"
mkdir -p "$RUN/spool"
export TOCSIN_DB="$RUN/tocsin.db"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Constituency (demo/constituency.json)"
"$TOCSIN" constituency import demo/constituency.json
"$TOCSIN" site list

say "Starting the ingest daemons (following two spool files)"
: > "$RUN/spool/sensor1-eve.json"
: > "$RUN/spool/shadowserver.jsonl"
"$TOCSIN" ingest --follow --format eve "$RUN/spool/sensor1-eve.json" 2>"$RUN/eve.log" &
EVE_PID=$!
"$TOCSIN" ingest --follow --format intelmq "$RUN/spool/shadowserver.jsonl" 2>"$RUN/intelmq.log" &
FEED_PID=$!
trap 'kill $EVE_PID $FEED_PID 2>/dev/null || true' EXIT
echo "eve follower pid $EVE_PID, intelmq follower pid $FEED_PID"

say "The sensor and the feed deliver their data (demo/data/), in chunks"
# A sensor appends as it goes; chunks show the follower picking up each one.
split -l 500 demo/data/sensor1-eve.json "$RUN/chunk."
for chunk in "$RUN"/chunk.*; do
    cat "$chunk" >> "$RUN/spool/sensor1-eve.json"
    sleep 0.2
done
cat demo/data/shadowserver-intelmq.jsonl >> "$RUN/spool/shadowserver.jsonl"
expected=$(( $(wc -l < demo/data/sensor1-eve.json) + $(wc -l < demo/data/shadowserver-intelmq.jsonl) ))

# Wait until both followers have committed every line (checkpoints are in the DB).
for _ in $(seq 1 100); do
    done_lines=$("$TOCSIN" inputs --json | sed -n 's/.*"line":\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
    [ "$done_lines" -ge "$expected" ] && break
    sleep 0.2
done
kill -TERM $EVE_PID $FEED_PID
wait $EVE_PID $FEED_PID || true
trap - EXIT
cat "$RUN/eve.log" "$RUN/intelmq.log"
"$TOCSIN" inputs

say "The CSIRT's honeypot (Cowrie) and a server's sshd log, read once"
"$TOCSIN" ingest --format cowrie demo/data/honeypot-cowrie.json
"$TOCSIN" ingest --format sshd demo/data/srv1-auth.log

say "What each site received (own events and its sub-sites')"
while read -r site; do
    n=$("$TOCSIN" events --site "$site" --format json | wc -l)
    printf '%-14s %5d events\n' "$site" "$n"
done < <(sqlite3 "$TOCSIN_DB" "SELECT name FROM sites ORDER BY id")

say "uni-north-cs: the five newest events"
"$TOCSIN" events --site uni-north-cs --newest-first --limit 5 --format table

say "hospital: one event as JSON (IntelMQ field names, with the site, role and matched rule)"
"$TOCSIN" events --site hospital --limit 1 --format json

say "Routing: who owns what, and why"
for q in 198.18.10.77 198.18.77.1 2001:db8:10a::1 203.0.113.9 AS64498 www.cs.uni-north.example; do
    "$TOCSIN" route "$q" || true
done

say "Quarantine: rejected records, each with its reason"
"$TOCSIN" quarantine stats
"$TOCSIN" quarantine list

say "Done"
echo "Database: $TOCSIN_DB  (try: TOCSIN_DB=$TOCSIN_DB $TOCSIN events --site uni-south --format csv)"
