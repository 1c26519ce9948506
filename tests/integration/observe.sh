# SPDX-License-Identifier: Apache-2.0
# What an operator watches: log lines with a time and a level (text and
# --log-format json), the portal's access log, GET /metrics for CSIRT
# certificates and on a loopback listener (serve and collect), and the page
# a browser without a certificate gets instead of the API's JSON.
source "$(dirname "$0")/lib.inc"
command -v curl >/dev/null || skip "curl not installed"
command -v jq >/dev/null || skip "jq not installed"

PID=
CPID=
cleanup() {
    for p in $PID $CPID; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

"$TOCSIN" site add uni-a --network 192.0.2.0/24 >/dev/null
"$TOCSIN" ca init >/dev/null
"$TOCSIN" cert issue --site uni-a --name Alice --out "$WORK/certs" >"$WORK/alice.txt"
"$TOCSIN" cert issue --csirt --name Duty --out "$WORK/certs" >/dev/null
FP_A=$(awk '/^fingerprint/ {print $2}' "$WORK/alice.txt")
CA=$TOCSIN_DB.ca
tls() { curl -sS --max-time 10 --cacert "$CA/ca.pem" "$@"; }
alice() { tls --cert "$WORK/certs/uni-a-Alice.pem" --key "$WORK/certs/uni-a-Alice.key" "$@"; }
duty() { tls --cert "$WORK/certs/csirt-Duty.pem" --key "$WORK/certs/csirt-Duty.key" "$@"; }
BROWSER_ACCEPT='text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

# The metrics listener is for loopback only.
expect_rc "metrics listener on all addresses refused" 1 "$TOCSIN" serve --listen 127.0.0.1:0 \
    --metrics-listen 0.0.0.0:0
grep -q 'not a loopback address' "$WORK/err" && ok || fail "refusal explained: $(cat "$WORK/err")"

FEED=$WORK/feed.jsonl
: >"$FEED"
"$TOCSIN" --log-format json serve --listen 127.0.0.1:0 --port-file "$WORK/port" \
    --metrics-listen 127.0.0.1:0 --contact 'cert@example-nren.example <on duty>' \
    --input "intelmq:$FEED" 2>"$WORK/serve.log" &
PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
[ -s "$WORK/port" ] && ok || { fail "serve did not start"; cat "$WORK/serve.log" >&2; finish; exit 1; }
URL=https://localhost:$(cat "$WORK/port")
SCRAPE=$(jq -r 'select(.msg | startswith("metrics on ")) | .msg[11:]' "$WORK/serve.log")
case "$SCRAPE" in http://127.0.0.1:*/metrics) ok ;; *) fail "metrics listener URL logged: '$SCRAPE'" ;; esac

# Events in, per input and per feed.
for i in 1 2 3; do
    printf '{"feed.name":"Example Feed","classification.type":"scanner","source.ip":"192.0.2.%d"}\n' "$i"
done >>"$FEED"
printf 'not json\n' >>"$FEED"
for _ in $(seq 100); do
    curl -s "$SCRAPE" | grep -q '^tocsin_input_quarantined_total{.*} 1$' && break
    sleep 0.1
done
curl -sS -D "$WORK/scrape.h" "$SCRAPE" >"$WORK/scrape.txt"
grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/scrape.h" && ok || fail "exposition content type"
grep -q "^tocsin_input_events_total{input=\"$FEED\",format=\"intelmq\"} 3$" "$WORK/scrape.txt" && ok ||
    fail "events per input: $(grep input_ "$WORK/scrape.txt")"
grep -q "^tocsin_input_quarantined_total{input=\"$FEED\",format=\"intelmq\"} 1$" "$WORK/scrape.txt" && ok ||
    fail "quarantined per input"
grep -q '^tocsin_feed_events_total{feed="Example Feed"} 3$' "$WORK/scrape.txt" && ok || fail "events per feed"
n=$(sed -n 's/^tocsin_store_commit_seconds_count \([0-9]*\)$/\1/p' "$WORK/scrape.txt")
[ "${n:-0}" -ge 1 ] && ok || fail "store commits counted: '$n'"
grep -q '^tocsin_build_info{version="' "$WORK/scrape.txt" && ok || fail "build info"

# API requests are counted, with their latency; /metrics is the CSIRT's only.
expect_eq "me as Alice" 200 "$(alice -o /dev/null -w '%{http_code}' "$URL/api/v1/me")"
expect_eq "metrics as a site" 404 "$(alice -o /dev/null -w '%{http_code}' "$URL/metrics")"
expect_eq "metrics without a certificate" 403 "$(tls -o /dev/null -w '%{http_code}' "$URL/metrics")"
expect_eq "metrics as the CSIRT" 200 "$(duty -o "$WORK/m.txt" -w '%{http_code}' "$URL/metrics")"
grep -q '^tocsin_http_requests_total{route="me",code="200"} 1$' "$WORK/m.txt" && ok ||
    fail "request counted: $(grep http_requests "$WORK/m.txt")"
grep -q '^tocsin_http_requests_total{route="metrics",code="404"} 1$' "$WORK/m.txt" && ok || fail "refused metrics counted"
grep -q '^tocsin_http_request_duration_seconds_count{route="me"} 1$' "$WORK/m.txt" && ok || fail "latency observed"
grep -q '^tocsin_input_events_total' "$WORK/m.txt" && ok || fail "the portal's /metrics holds the registry"

# A browser without a certificate gets a page saying what to do; the API keeps its JSON.
code=$(tls -H "Accept: $BROWSER_ACCEPT" -D "$WORK/page.h" -o "$WORK/page.html" -w '%{http_code}' "$URL/")
expect_eq "page without a certificate" 403 "$code"
grep -qi '^content-type: text/html' "$WORK/page.h" && ok || fail "the refusal is HTML"
grep -qi "^content-security-policy: default-src 'none'" "$WORK/page.h" && ok || fail "the page keeps the CSP"
grep -q 'Your browser did not present a certificate' "$WORK/page.html" && ok || fail "the page says why"
grep -q '\.p12' "$WORK/page.html" && ok || fail "the page says what to import"
grep -q 'cert@example-nren.example &lt;on duty&gt;' "$WORK/page.html" && ok || fail "the page names the contact, escaped"
code=$(tls -H "Accept: $BROWSER_ACCEPT" -D "$WORK/api.h" -o "$WORK/api.json" -w '%{http_code}' "$URL/api/v1/me")
expect_eq "API without a certificate" 403 "$code"
jq -e '.error.code == "forbidden"' "$WORK/api.json" >/dev/null && ok || fail "the API refusal stays JSON"
code=$(tls -o "$WORK/plain.json" -w '%{http_code}' "$URL/")
jq -e '.error.code == "forbidden"' "$WORK/plain.json" >/dev/null && ok || fail "a script asking for / gets JSON"

# Every log line is one JSON object with a time and a level; requests are logged.
bad=$(jq -c 'select((.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$") | not) or (.level | type) != "string" or (.msg | type) != "string")' "$WORK/serve.log" 2>&1 | head -3)
expect_eq "every log line is JSON with time, level, msg" "" "$bad"
jq -se --arg fp "$FP_A" 'any(.[]; .msg == "access" and .path == "/api/v1/me" and .status == "200" and .fingerprint == $fp and .site == "uni-a" and .method == "GET")' \
    "$WORK/serve.log" >/dev/null && ok || fail "access log line for Alice's /me: $(grep access "$WORK/serve.log" | head -3)"
jq -se 'any(.[]; .msg == "access" and .path == "/" and .status == "403" and .site == "-")' "$WORK/serve.log" >/dev/null &&
    ok || fail "access log line for the refused page"
grep -q 'Example Feed\|192.0.2.1' "$WORK/serve.log" && fail "event data in the log" || ok
kill -TERM "$PID"
wait "$PID" || true
PID=

# Text lines: a time, the level, the message.
"$TOCSIN" serve --listen 127.0.0.1:0 --port-file "$WORK/port2" --no-access-log 2>"$WORK/text.log" &
PID=$!
for _ in $(seq 100); do [ -s "$WORK/port2" ] && break; sleep 0.1; done
tls -o /dev/null "https://localhost:$(cat "$WORK/port2")/api/v1/health"
kill -TERM "$PID"
wait "$PID" || true
PID=
bad=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z tocsin: (error|warning|info|debug): ' "$WORK/text.log" || true)
expect_eq "every text line has a time and a level" 0 "$bad"
grep -q 'tocsin: info: serving https://' "$WORK/text.log" && ok || fail "startup line: $(cat "$WORK/text.log")"
grep -q ' access ' "$WORK/text.log" && fail "--no-access-log still logs requests" || ok

# The collector's own listener: datagrams counted.
"$TOCSIN" collect --netflow 127.0.0.1:0 --metrics-listen '[::1]:0' --stats-interval 200 2>"$WORK/collect.log" &
CPID=$!
for _ in $(seq 100); do grep -q 'collecting NetFlow/IPFIX on' "$WORK/collect.log" && break; sleep 0.1; done
port=$(sed -n 's/.*collecting NetFlow\/IPFIX on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/collect.log")
CSCRAPE=$(sed -n 's/.*metrics on \(http:[^ ]*\).*/\1/p' "$WORK/collect.log")
if [ -z "$CSCRAPE" ] && grep -q 'Cannot assign\|cannot listen' "$WORK/collect.log"; then
    echo "note: no IPv6 loopback, the collector's listener not checked"
else
    printf 'no flow export' >"/dev/udp/127.0.0.1/$port"
    for _ in $(seq 50); do curl -s -g "$CSCRAPE" | grep -q '^tocsin_collector_datagrams_total 1$' && break; sleep 0.1; done
    curl -s -g "$CSCRAPE" | grep -q '^tocsin_collector_datagrams_total 1$' && ok ||
        fail "collector datagrams counted: $(curl -s -g "$CSCRAPE" | grep collector_ || cat "$WORK/collect.log")"
fi
kill -TERM "$CPID"
wait "$CPID" || true
CPID=
finish
