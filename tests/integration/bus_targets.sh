# SPDX-License-Identifier: Apache-2.0
# The event model across the bus between processes: an ingest node reads an
# IntelMQ file naming a netblock over three sites' claims, a network inside
# one site and single addresses, with TLP labels, and publishes its batches to
# NATS JetStream; a writer commits them to PostgreSQL. Every site's link must
# carry its own share of the netblock, the TLP and the networks must be
# stored, each site must read only its own part, and the ingest node's
# metrics must count what the bus took, per input and per feed.
source "$(dirname "$0")/lib.inc"
source "$(dirname "$0")/pgnats.inc"
pgnats_start 1

"$TOCSIN" site add csirt >/dev/null
for s in 1 2 3; do "$TOCSIN" site add "site$s" --parent csirt --network "10.$s.0.0/16" >/dev/null; done
cat >"$WORK/feed.json" <<'JSON'
{"feed.name": "drop", "classification.type": "spam", "source.network": "10.0.0.0/8", "tlp": "TLP:AMBER+STRICT", "time.source": "2026-11-27T09:00:00+00:00"}
{"feed.name": "drop", "classification.type": "spam", "destination.network": "10.1.2.0/24", "tlp": "green", "time.source": "2026-11-27T09:00:01+00:00"}
{"feed.name": "scans", "classification.type": "scanner", "source.ip": "10.2.3.4", "tlp": "RED", "time.source": "2026-11-27T09:00:02+00:00"}
{"feed.name": "scans", "classification.type": "scanner", "source.ip": "192.0.2.9", "time.source": "2026-11-27T09:00:03+00:00"}
JSON
size=$(stat -c %s "$WORK/feed.json")

start() { # NAME ARGS...: a serve process on the bus, logging to NAME.log
    local name=$1
    shift
    TOCSIN_LOG=info "$TOCSIN" serve --node "$name" --bus "$NATS" --replicas 1 "$@" \
        >>"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    eval "PID_${name//-/_}=$!"
}
# Waits (up to 60 s) until the input's checkpoint is at the end of the
# file, committed by the writer with the batch's events.
settle() {
    local end=$((SECONDS + 60))
    while [ $SECONDS -lt $end ]; do
        [ "$(sql "SELECT byte_offset FROM inputs" 2>/dev/null)" = "$size" ] && return 0
        sleep 0.2
    done
    return 1
}

start writer --role writer
start ingest --role ingest --input "intelmq:$WORK/feed.json" --metrics-listen 127.0.0.1:0
settle || fail "not all stored: $(sql "SELECT count(*) FROM events") events"
# Counted once the bus acknowledged the batch (before the writer's commit).
SCRAPE=$(sed -n 's/.*metrics on \(http:[^ ]*\).*/\1/p' "$WORK/ingest.log" | head -1)
curl -sS "$SCRAPE" >"$WORK/metrics.txt" || fail "no metrics from the ingest node at '$SCRAPE'"
grep -q "^tocsin_input_events_total{input=\"$WORK/feed.json\",format=\"intelmq\"} 4$" \
    "$WORK/metrics.txt" && ok || fail "events per input: $(grep input_ "$WORK/metrics.txt")"
for feed in drop scans; do
    grep -q "^tocsin_feed_events_total{feed=\"$feed\"} 2$" "$WORK/metrics.txt" && ok ||
        fail "events of feed $feed: $(grep feed_ "$WORK/metrics.txt")"
done
kill -TERM "$PID_ingest" "$PID_writer"
wait "$PID_ingest" "$PID_writer" || true

expect_eq "events" 4 "$(sql "SELECT count(*) FROM events")"
expect_eq "TLP stored" "AMBER+STRICT,GREEN,RED," \
    "$(sql "SELECT string_agg(coalesce(tlp, ''), ',' ORDER BY id) FROM events")"
expect_eq "networks stored" '{"source":{"network":"10.0.0.0/8"}}' \
    "$(sql "SELECT targets FROM events ORDER BY id LIMIT 1")"
# The netblock: one source link per site, each with its own /16 as its share.
expect_eq "netblock shares" \
    'site1:1:{"list":["10.1.0.0/16"]} site2:1:{"list":["10.2.0.0/16"]} site3:1:{"list":["10.3.0.0/16"]}' \
    "$(sql "SELECT string_agg(site_name || ':' || l.role || ':' || l.targets, ' ' ORDER BY site_name)
            FROM event_links l JOIN event_owners o ON o.event_id = l.event_id AND o.site_id = l.site_id
            WHERE l.event_id = (SELECT min(id) FROM events)")"
expect_eq "link keys" "0 1 2" \
    "$(sql "SELECT string_agg((id - event_id * 65536)::text, ' ' ORDER BY id) FROM event_links
            WHERE event_id = (SELECT min(id) FROM events)")"
# A network inside one site: that site only, on the destination side.
expect_eq "network in one site" 'site1:2:{"count":1,"list":["10.1.2.0/24"]}' \
    "$(sql "SELECT string_agg(s.name || ':' || l.role || ':' || l.targets, ' ') FROM event_links l
            JOIN sites s ON s.id = l.site_id WHERE l.event_id = (SELECT min(id) + 1 FROM events)")"
# Each site reads its own part (the store's scoping, through the CLI).
"$TOCSIN" events --site site2 --format json >"$WORK/site2.json"
grep -q '10.2.0.0/16' "$WORK/site2.json" && ok || fail "site2 does not see its share"
grep -q '10.1.0.0/16\|10.3.0.0/16' "$WORK/site2.json" && fail "site2 sees another site's share" || ok
# The scan is TLP:RED: stored (the CSIRT sees it: "TLP stored" above), never
# shown to a site.
expect_eq "site2's events" 1 "$(grep -c '"tocsin.id"' "$WORK/site2.json" || true)"
expect_eq "csirt subtree's events" 2 "$("$TOCSIN" events --site csirt --format csv | tail -n +2 | grep -c '^[0-9]')"

finish
