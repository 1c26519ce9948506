# SPDX-License-Identifier: Apache-2.0
# Incidents on the command line: bad input refused first (unknown states,
# rules outside the site's space or naming another site's addresses, bad
# configuration files), then the queue in priority order against a golden
# CSV file, an incident with each factor's points, states and their audit,
# suppression, critical marks, and prune --dry-run.
. "$(dirname "$0")/lib.inc"

"$TOCSIN" site add csirt --network 198.18.0.0/15 >/dev/null
"$TOCSIN" site add uni --parent csirt --network 198.18.0.0/17 >/dev/null
"$TOCSIN" site add other --parent csirt --network 198.19.0.0/16 >/dev/null
"$TOCSIN" site add lab --parent uni --network 198.18.9.0/24 >/dev/null
printf '%s\n' \
  '{"feed.name":"Scanfeed","classification.type":"scanner","source.ip":"198.18.1.2","destination.ip":"203.0.113.9","time.source":"2026-11-27T08:00:00+00:00"}' \
  '{"feed.name":"Scanfeed","classification.type":"scanner","source.ip":"198.18.1.2","destination.ip":"203.0.113.10","time.source":"2026-11-27T09:00:00+00:00"}' \
  '{"feed.name":"IDS","classification.type":"exploit","classification.identifier":"ET EXPLOIT log4j CVE-2021-44228","source.ip":"203.0.113.5","destination.ip":"198.19.4.4","time.source":"2026-11-27T10:00:00+00:00","tlp":"AMBER"}' \
  | "$TOCSIN" ingest --format intelmq - 2>/dev/null

# Bad input first.
expect_rc "unknown state" 2 "$TOCSIN" incident set 1 --state closed
grep -q "unknown state 'closed' (new, acknowledged, in-progress" "$WORK/err" && ok || fail "unknown state explained: $(cat "$WORK/err")"
expect_rc "set without state" 2 "$TOCSIN" incident set 1
expect_rc "bad id" 2 "$TOCSIN" incident show 01
expect_rc "missing incident" 3 "$TOCSIN" incident show 99
expect_rc "incidents unknown state" 2 "$TOCSIN" incidents --state bogus
expect_rc "incidents unknown site" 3 "$TOCSIN" incidents --site nobody
expect_rc "another site's incident" 3 "$TOCSIN" incident show 1 --site other
cmp -s "$WORK/err" <("$TOCSIN" incident show 99 --site other 2>&1 | sed 's/99/1/') && ok || fail "another site's incident reads as a missing one"
expect_rc "rule wider than the site" 4 "$TOCSIN" suppress add --site uni --type scanner --net 198.18.0.0/16
grep -q "not inside the space of site uni" "$WORK/err" && ok || fail "wider rule explained"
expect_rc "rule on another site's space" 4 "$TOCSIN" suppress add --site uni --type scanner --net 198.19.4.0/24
expect_rc "rule naming a sub-site is fine" 0 "$TOCSIN" suppress add --site uni --type spam --net 198.18.9.0/24
expect_rc "rule of a sub-site over its parent" 4 "$TOCSIN" suppress add --site lab --type spam --net 198.18.0.0/20
expect_rc "rule bad type" 2 "$TOCSIN" suppress add --site uni --type nonsense --net 198.18.1.0/24
expect_rc "rule bad net" 2 "$TOCSIN" suppress add --site uni --type scanner --net 198.18.1.1/24
expect_rc "rule expired already" 2 "$TOCSIN" suppress add --site uni --type scanner --net 198.18.1.0/24 --expires 2020-01-01T00:00:00Z
expect_rc "critical outside" 4 "$TOCSIN" critical add --site other 198.18.1.0/24
printf 'window = 24h\nweight.luck = 3\n' > "$WORK/bad.conf"
expect_rc "bad config" 2 "$TOCSIN" incident config --load "$WORK/bad.conf"
grep -q "line 2: weight.luck: unknown key" "$WORK/err" && ok || fail "config error names line and key: $(cat "$WORK/err")"

# The queue, highest priority first; the golden file was worked out from
# the default weights (docs/incidents.md).
expect_rc "incidents csv" 0 "$TOCSIN" incidents --format csv
diff -u "$SRC/tests/data/golden/incidents.csv" "$WORK/out" >&2 && ok || fail "incidents csv golden"
expect_rc "incidents of a site" 0 "$TOCSIN" incidents --site other --format json
expect_eq "other sees its one incident" 1 "$(wc -l < "$WORK/out")"
grep -q '"factors":\[{"factor":"source","points":0.0,"weight":20.0,"why":"your host is the target"}' "$WORK/out" && ok || fail "factors in json"

expect_rc "show" 0 "$TOCSIN" incident show 1 --format table
grep -q '^  source      20.0 of 20.0   your host is the source' "$WORK/out" && ok || fail "show factor line: $(cat "$WORK/out")"
grep -q '^score:       28.3' "$WORK/out" && ok || fail "show score"
grep -q '^2 events$' "$WORK/out" && ok || fail "show lists the incident's events"

expect_rc "set" 0 "$TOCSIN" incident set 2 --state in-progress --note "on it"
grep -q 'incident 2: new -> in-progress' "$WORK/out" && ok || fail "set says what changed"
expect_rc "critical" 0 "$TOCSIN" critical add --site other 198.19.4.0/24 --note db
expect_rc "open ones" 0 "$TOCSIN" incidents --state open --format csv
expect_eq "critical raised it to the top" "2,other,29.5,in-progress" "$(sed -n 2p "$WORK/out" | cut -d, -f1-4)"
expect_rc "audit" 0 "$TOCSIN" incident audit
grep -q 'incident    2        state  {"from":"new","to":"in-progress","note":"on it"}' "$WORK/out" && ok || fail "state change audited"
grep -q 'cli:' "$WORK/out" && ok || fail "audit names who"

# Suppression: later events of the rule go to a suppressed incident.
expect_rc "suppress" 0 "$TOCSIN" suppress add --site uni --type scanner --net 198.18.1.0/24 --expires 30d --note "our scanner"
expect_rc "resolve" 0 "$TOCSIN" incident set 1 --state false-positive
printf '%s\n' '{"feed.name":"Scanfeed","classification.type":"scanner","source.ip":"198.18.1.2","destination.ip":"203.0.113.11","time.source":"2026-11-27T11:00:00+00:00"}' \
  | "$TOCSIN" ingest --format intelmq - 2>/dev/null
expect_rc "suppressed" 0 "$TOCSIN" incidents --suppressed --format csv
expect_eq "suppressed incident" "3,uni,0.0,new,true,scanner" "$(sed -n 2p "$WORK/out" | cut -d, -f1-6)"
expect_rc "feedback" 0 "$TOCSIN" incident feedback --format json
grep -q '"feed":"Scanfeed","incidents":1,"false_positive":1' "$WORK/out" && ok || fail "feedback counts the false positive: $(cat "$WORK/out")"
expect_rc "suppress list" 0 "$TOCSIN" suppress list --site uni --format json
expect_eq "two rules" 2 "$(wc -l < "$WORK/out")"
expect_rc "remove other site's rule" 3 "$TOCSIN" suppress remove --site other 1
expect_rc "remove" 0 "$TOCSIN" suppress remove --site uni 1

expect_rc "prune dry run" 0 "$TOCSIN" prune --dry-run
grep -q 'would prune: 0 events' "$WORK/out" && ok || fail "dry run: $(cat "$WORK/out")"
printf 'retention.events = 1d\nretention.events.scanner = 2d\n' > "$WORK/short.conf"
expect_rc "config load" 0 "$TOCSIN" incident config --load "$WORK/short.conf"
expect_rc "config shows" 0 "$TOCSIN" incident config
grep -q '^retention.events.scanner = 2d$' "$WORK/out" && ok || fail "config printed canonically"
expect_rc "prune dry run after" 0 "$TOCSIN" prune --dry-run
grep -q 'would prune: 4 events' "$WORK/out" && ok || fail "dry run counts old events: $(cat "$WORK/out")"
expect_eq "dry run removed nothing" 4 "$("$TOCSIN" events --format json | wc -l)"
expect_rc "prune" 0 "$TOCSIN" prune --batch 1
expect_eq "pruned" 0 "$("$TOCSIN" events --format json | wc -l)"

# serve prunes in the background, beside ingest.
expect_rc "serve bad prune interval" 2 "$TOCSIN" serve --listen 127.0.0.1:0 --prune-every soon
printf '%s\n' '{"feed.name":"Old","classification.type":"spam","source.ip":"198.18.1.9","time.source":"2026-01-01T00:00:00+00:00"}' \
  | "$TOCSIN" ingest --format intelmq - 2>/dev/null
expect_eq "an old event" 1 "$("$TOCSIN" events --format json | wc -l)"
expect_rc "ca" 0 "$TOCSIN" ca init --dir "$WORK/ca" --name "incidents test CA"
"$TOCSIN" serve --listen 127.0.0.1:0 --ca "$WORK/ca" --port-file "$WORK/port" --prune-every 1s \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE=$!
for _ in $(seq 100); do
    grep -q 'prune: 1 events' "$WORK/serve.err" && break
    sleep 0.1
done
kill -TERM "$SERVE"
src=0
wait "$SERVE" || src=$?
expect_eq "serve stops cleanly" 0 "$src"
grep -q 'prune: 1 events, 0 incidents' "$WORK/serve.err" && ok || fail "serve pruned: $(cat "$WORK/serve.err")"
expect_eq "the old event went" 0 "$("$TOCSIN" events --format json | wc -l)"
finish
