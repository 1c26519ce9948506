# SPDX-License-Identifier: Apache-2.0
# Feeds pulled over HTTPS and Shadowserver's Reports API, through the real
# binary, against a loopback HTTPS server started here
# (tests/support/feed_server.py) with a certificate of a throwaway CA.
# Refusals first (a URL that is not https, bad names, unknown formats, a
# schema that is not Shadowserver's format, an untrusted certificate), then
# the report schema kept and used, a pull, a 304, a changed body, a 5xx, a
# body over the limit, a truncated body (each kept as the feed's last error,
# nothing stored), kill -9 in the middle of a pulled body (resumed, nothing
# twice), and the Reports API: signed requests (a wrong secret refused by
# the server), reports ingested once, only new ones fetched later, the
# secret never shown.
. "$(dirname "$0")/lib.inc"

for tool in certtool python3; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

cd "$WORK"
SRV_PID=""
cleanup() {
    if [ -n "$SRV_PID" ]; then
        kill "$SRV_PID" 2>/dev/null || true
        wait "$SRV_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# ---- PKI: a CA the test trusts, another it does not, the server's certificate ----
mkpki() {
    certtool --generate-privkey --key-type ecdsa --outfile "$1.key" >/dev/null 2>&1
    printf 'cn = "%s"\nca\ncert_signing_key\nexpiration_days = 2\n' "$1" >"$1.tmpl"
    certtool --generate-self-signed --load-privkey "$1.key" --template "$1.tmpl" \
        --outfile "$1.pem" >/dev/null 2>&1
}
mkpki ca
mkpki otherca
certtool --generate-privkey --key-type ecdsa --outfile srv.key >/dev/null 2>&1
printf 'cn = "127.0.0.1"\nip_address = "127.0.0.1"\ndns_name = "localhost"\ntls_www_server\nsigning_key\nexpiration_days = 2\n' >srv.tmpl
certtool --generate-certificate --load-privkey srv.key --load-ca-certificate ca.pem \
    --load-ca-privkey ca.key --template srv.tmpl --outfile srv.pem >/dev/null 2>&1
[ -s srv.pem ] || { echo "FAIL: certtool could not make the server certificate" >&2; exit 1; }

# ---- the server ----
ROOT="$WORK/www"
mkdir -p "$ROOT/files" "$ROOT/reports"
KEY=test-key_1
SECRET=s3cr3t-do-not-show-$RANDOM$RANDOM
printf '%s\n' "$SECRET" >secret
printf 'wrong-secret\n' >wrong-secret
python3 "$SRC/tests/support/feed_server.py" srv.pem srv.key "$ROOT" port "$KEY" secret &
SRV_PID=$!
for _ in $(seq 600); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || { echo "FAIL: the test server did not start" >&2; exit 1; }
BASE="https://127.0.0.1:$(cat port)"
CA=(--cacert "$WORK/ca.pem")
SPOOL="$WORK/spool"
if [ "${TS_TEST_BACKEND:-}" = postgresql ]; then
    sql() { psql -qtAX "$TOCSIN_DB" -c "$1"; }
else
    command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
    sql() { sqlite3 "$TOCSIN_DB" "$1"; }
fi
count() { sql 'SELECT count(*) FROM events'; }
state() { # state FEED FIELD: a field of `feeds list --format json`
    "$TOCSIN" feeds list --format json | python3 -c '
import json, sys
for f in json.load(sys.stdin):
    if f["name"] == sys.argv[1]:
        print(f[sys.argv[2]])' "$1" "$2"
}
"$TOCSIN" site add uni >/dev/null

# ---- refusals, before anything is stored ----
expect_rc "http URL" 2 "$TOCSIN" feeds add drop --url "http://127.0.0.1/f/drop.txt" --format spamhaus-drop
expect_rc "file URL" 2 "$TOCSIN" feeds add drop --url "file:///etc/passwd" --format spamhaus-drop
expect_rc "user info in the URL" 2 "$TOCSIN" feeds add drop --url "https://a@127.0.0.1/x" --format spamhaus-drop
for bad in 'a b' '../x' 'x/y' '' 'x;y' "$(printf 'x%.0s' $(seq 65))"; do
    expect_rc "bad name '$bad'" 2 "$TOCSIN" feeds add "$bad" --url "$BASE/f/drop.txt" --format spamhaus-drop
done
expect_rc "unknown format" 2 "$TOCSIN" feeds add drop --url "$BASE/f/drop.txt" --format nope
expect_rc "shadowserver without --report" 2 "$TOCSIN" feeds add ss --url "$BASE/f/x.csv" --format shadowserver
expect_rc "mapped without --mapping" 2 "$TOCSIN" feeds add m --url "$BASE/f/x.csv" --format mapped
expect_rc "bad --every" 2 "$TOCSIN" feeds add drop --url "$BASE/f/drop.txt" --format spamhaus-drop --every 10s
expect_rc "bad --tlp" 2 "$TOCSIN" feeds add drop --url "$BASE/f/drop.txt" --format spamhaus-drop --tlp PINK
expect_eq "no feed kept" "[]" "$("$TOCSIN" feeds list --format json)"
expect_rc "no schema kept yet" 3 "$TOCSIN" feeds schema show
printf '{"scan_x": {"feed_name": 3}}' >notschema.json
expect_rc "not the schema format" 2 "$TOCSIN" feeds schema fetch notschema.json
grep -q "not a Shadowserver report schema" "$WORK/err" && ok || fail "schema refusal: $(cat "$WORK/err")"
printf 'not json' >notjson.json
expect_rc "not JSON" 2 "$TOCSIN" feeds schema fetch notjson.json
expect_rc "schema over http" 2 "$TOCSIN" feeds schema fetch "http://127.0.0.1/schema.json"
cp "$SRC/demo/shadowserver-schema.json" "$ROOT/files/schema.json"
expect_rc "schema from an untrusted server" 1 "$TOCSIN" feeds schema fetch --cacert otherca.pem "$BASE/f/schema.json"
expect_rc "schema from the system's CAs only" 1 "$TOCSIN" feeds schema fetch "$BASE/f/schema.json"
expect_rc "still no schema kept" 3 "$TOCSIN" feeds schema show
printf '"timestamp","ip","port"\n"2026-01-05 00:00:00","10.1.0.1","3389"\n"2026-01-05 00:00:01","10.1.0.2","3389"\n' \
    >"$ROOT/reports/2026-01-05-scan_demo_rdp-test-asn.csv"
printf '"timestamp","ip","port"\n"2026-01-06 00:00:00","10.1.0.3","3389"\n' \
    >"$ROOT/reports/2026-01-06-scan_demo_rdp-test-asn.csv"
SS=("$TOCSIN" feeds shadowserver pull --key "$KEY" --url "$BASE/api2/" "${CA[@]}" --spool "$SPOOL" --since 2026-01-01)
expect_rc "API: no schema kept" 1 "${SS[@]}" --secret-file secret
expect_eq "API: no report id kept" 0 "$(sql 'SELECT count(*) FROM feed_reports')"
rm -rf "$SPOOL/ss"
expect_rc "no such feed" 3 "$TOCSIN" feeds pull nope --once --spool "$SPOOL"
expect_rc "remove no such feed" 3 "$TOCSIN" feeds remove nope
expect_rc "a database URI needs --spool" 2 "$TOCSIN" --db postgresql://nobody@/x feeds pull --once

# ---- the schema: fetched over HTTPS, kept, shown, used by ingest ----
expect_rc "schema fetch" 0 "$TOCSIN" feeds schema fetch "${CA[@]}" "$BASE/f/schema.json"
grep -q "2 reports" "$WORK/out" && ok || fail "schema fetch said: $(cat "$WORK/out")"
expect_rc "schema show" 0 "$TOCSIN" feeds schema show
grep -q "scan_demo_rdp" "$WORK/out" && ok || fail "schema show: $(cat "$WORK/out")"
expect_rc "schema show REPORT" 0 "$TOCSIN" feeds schema show scan_demo_rdp
grep -q "response_size" "$WORK/out" && ok || fail "schema show scan_demo_rdp: $(cat "$WORK/out")"
expect_rc "schema show unknown report" 3 "$TOCSIN" feeds schema show scan_nope
expect_rc "a report type the kept schema lacks" 2 "$TOCSIN" feeds add ss --url "$BASE/f/x.csv" \
    --format shadowserver --report scan_nope
printf '{"fields": {"source.nope": "a"}}\n' >bad.map
expect_rc "a mapping that does not load" 2 "$TOCSIN" feeds add m --url "$BASE/f/x.csv" --format mapped --mapping bad.map
expect_rc "a mapping file that is not there" 2 "$TOCSIN" feeds add m --url "$BASE/f/x.csv" --format mapped --mapping none.map
expect_eq "still no feed kept" "[]" "$("$TOCSIN" feeds list --format json)"
printf '"timestamp","ip","port"\n"2026-01-01 00:00:00","10.0.0.1","3389"\n' >2026-01-01-scan_demo_rdp-x.csv
expect_rc "ingest by the kept schema" 0 env -u TOCSIN_SHADOWSERVER_SCHEMA "$TOCSIN" ingest -q \
    --format shadowserver 2026-01-01-scan_demo_rdp-x.csv
expect_eq "a row by the kept schema" 1 "$(count)"

# ---- a feed pulled: stored, then 304, then a changed body ----
printf '; DROP\n1.2.3.0/24 ; SBL1\n5.6.0.0/16 ; SBL2\n' >"$ROOT/files/drop.txt"
expect_rc "add" 0 "$TOCSIN" feeds add drop --url "$BASE/f/drop.txt" --format spamhaus-drop --every 1h --tlp GREEN
expect_rc "add again" 4 "$TOCSIN" feeds add drop --url "$BASE/f/drop.txt" --format spamhaus-drop
expect_rc "pull" 0 "$TOCSIN" feeds pull drop --once "${CA[@]}" --spool "$SPOOL"
expect_eq "pulled events" 3 "$(count)"
expect_eq "records" 3 "$(state drop records)"
expect_eq "no error" "" "$(state drop last_error)"
expect_eq "not late" "False" "$(state drop late)"
expect_eq "TLP of the feed" "GREEN" "$(sql "SELECT tlp FROM events WHERE identifier = 'spamhaus-drop' LIMIT 1")"
expect_rc "pull: 304" 0 "$TOCSIN" feeds pull drop --once "${CA[@]}" --spool "$SPOOL"
grep -q "nothing new" "$WORK/err" && ok || fail "304 not taken as nothing new: $(cat "$WORK/err")"
expect_eq "the server said 304" "GET /f/drop.txt 304" "$(tail -n 1 "$ROOT/access.log")"
expect_eq "nothing twice" 3 "$(count)"
printf '; DROP\n1.2.3.0/24 ; SBL1\n5.6.0.0/16 ; SBL2\n9.9.9.0/24 ; SBL3\n' >"$ROOT/files/drop.txt"
expect_rc "pull a changed body" 0 "$TOCSIN" feeds pull drop --once "${CA[@]}" --spool "$SPOOL"
expect_eq "the changed body" 6 "$(count)"
expect_eq "records of every pull (comments too)" 7 "$(state drop records)"
# a round of due feeds: none is due within its hour
expect_rc "pull --once: nothing due" 0 "$TOCSIN" feeds pull --once "${CA[@]}" --spool "$SPOOL"
expect_eq "nothing pulled when not due" 6 "$(count)"

# ---- failures: kept as the last error, nothing stored, nothing acknowledged ----
printf '; DROP\n7.7.7.0/24 ; SBL4\n' >"$ROOT/files/drop.txt"
expect_rc "untrusted certificate" 1 "$TOCSIN" feeds pull drop --once --cacert otherca.pem --spool "$SPOOL"
expect_eq "nothing from an untrusted server" 6 "$(count)"
[ -n "$(state drop last_error)" ] && ok || fail "no error kept for the untrusted server"
"$TOCSIN" feeds add down --url "$BASE/503" --format spamhaus-drop
"$TOCSIN" feeds add trunc --url "$BASE/trunc" --format spamhaus-drop
"$TOCSIN" feeds add missing --url "$BASE/f/missing.txt" --format spamhaus-drop
expect_rc "5xx" 1 "$TOCSIN" feeds pull down --once "${CA[@]}" --spool "$SPOOL"
expect_eq "5xx kept" "HTTP 503" "$(state down last_error)"
expect_rc "truncated" 1 "$TOCSIN" feeds pull trunc --once "${CA[@]}" --spool "$SPOOL"
case "$(state trunc last_error)" in *truncated*) ok ;; *) fail "truncated: $(state trunc last_error)" ;; esac
expect_rc "404" 1 "$TOCSIN" feeds pull missing --once "${CA[@]}" --spool "$SPOOL"
expect_rc "over the limit" 1 "$TOCSIN" feeds pull drop --once "${CA[@]}" --spool "$SPOOL" --max-body 10
case "$(state drop last_error)" in *"larger than"*) ok ;; *) fail "over the limit: $(state drop last_error)" ;; esac
expect_eq "nothing stored by failures" 6 "$(count)"
expect_eq "no body left in the spool" "" "$(ls "$SPOOL")"
# a feed that never succeeded within twice its interval is late
sql "UPDATE feeds SET created = created - 7300000000 WHERE name = 'down'" >/dev/null
expect_eq "late" "True" "$(state down late)"
"$TOCSIN" feeds list >list.txt
grep -q "^down .*LATE" list.txt && ok || fail "feeds list does not flag the late feed: $(cat list.txt)"
expect_rc "the good body after all" 0 "$TOCSIN" feeds pull drop --once "${CA[@]}" --spool "$SPOOL"
expect_eq "the good body" 7 "$(count)"
expect_rc "remove" 0 "$TOCSIN" feeds remove trunc
# the daemon: SIGHUP reloads the constituency, SIGTERM stops it with 0 (the
# failing feeds' errors are on the feeds, not in the exit code)
sql "UPDATE feeds SET every_s = 1 WHERE name = 'down'" >/dev/null # due each round, which fails
rm -f "$SPOOL/.lock" # made again by the first round, after the signals are set up
"$TOCSIN" feeds pull --poll 1 "${CA[@]}" --spool "$SPOOL" 2>daemon.log &
DPID=$!
for _ in $(seq 600); do [ -e "$SPOOL/.lock" ] && break; sleep 0.05; done
kill -HUP "$DPID"
for _ in $(seq 600); do grep -q "constituency reloaded" daemon.log && break; sleep 0.05; done
grep -q "constituency reloaded" daemon.log && ok || fail "SIGHUP: $(cat daemon.log)"
kill -0 "$DPID" 2>/dev/null && ok || fail "feeds pull ended on SIGHUP"
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
expect_eq "feeds pull stops on SIGTERM with 0" 0 "$rc"
sql "UPDATE feeds SET every_s = 3600 WHERE name = 'down'" >/dev/null
expect_rc "removed" 3 "$TOCSIN" feeds remove trunc

# ---- kill -9 in the middle of a pulled body: resumed, nothing twice ----
python3 - "$ROOT/files/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('"timestamp","ip","port","response_size"\n')
    for i in range(300000):
        f.write('"2026-01-03 00:00:00","10.%d.%d.%d","3389","%d"\n' % (i >> 16, (i >> 8) & 255, i & 255, i))
PY
"$TOCSIN" feeds add big --url "$BASE/f/big.csv" --format shadowserver --report scan_demo_rdp
before=$(count)
"$TOCSIN" feeds pull big --once "${CA[@]}" --spool "$SPOOL" 2>/dev/null &
pid=$!
for _ in $(seq 1500); do # a busy machine may take long to commit the first batch
    [ "$(count)" -gt "$before" ] && break
    sleep 0.02
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
mid=$(($(count) - before))
if [ "$mid" -gt 0 ] && [ "$mid" -lt 300000 ]; then
    ls "$SPOOL" | grep -q '^big-[0-9a-f]\{64\}$' && ok || fail "no body left in the spool after kill -9: $(ls "$SPOOL")"
else
    echo "note: kill -9 came after the pull or before its first batch ($mid rows); the resume is not exercised this time"
fi
expect_rc "pull after kill -9" 0 "$TOCSIN" feeds pull big --once "${CA[@]}" --spool "$SPOOL"
echo "killed at $mid rows of 300000"
expect_eq "every row once after kill -9" 300000 "$(($(count) - before))"
expect_eq "records of the body, the header too, also those before kill -9" 300001 "$(state big records)"
expect_eq "spool empty after the resume" "" "$(ls "$SPOOL" | grep -v '^ss$' || true)"

# ---- serve --feeds: pulls as feeds fall due, counts them in /metrics ----
command -v curl >/dev/null || skip "curl is not installed"
"$TOCSIN" ca init --dir "$WORK/portal-ca" >/dev/null
printf '; DROP\n8.8.0.0/16 ; SBL5\n' >"$ROOT/files/served.txt"
"$TOCSIN" feeds add served --url "$BASE/f/served.txt" --format spamhaus-drop --every 1m
before=$(count)
"$TOCSIN" serve --listen 127.0.0.1:0 --ca "$WORK/portal-ca" --port-file serve.port --metrics-listen 127.0.0.1:0 \
    --feeds --feeds-cacert "$WORK/ca.pem" --feeds-spool "$SPOOL" --feeds-poll 1 --prune-every 0s 2>serve.log &
SERVE_PID=$!
for _ in $(seq 1200); do [ "$(count)" -gt "$before" ] && break; sleep 0.05; done
expect_eq "serve pulled the due feed" 1 "$(($(count) - before))"
SCRAPE=$(grep -o 'http://127.0.0.1:[0-9]*/metrics' serve.log | head -n 1)
for _ in $(seq 600); do
    curl -s "$SCRAPE" >metrics.txt && grep -q '^tocsin_feed_records{feed="served"} 2$' metrics.txt && break
    sleep 0.1
done
grep -q '^tocsin_feed_records{feed="served"} 2$' metrics.txt && ok || fail "feed records in /metrics: $(grep feed metrics.txt)"
grep -q '^tocsin_feed_late{feed="down"} 1$' metrics.txt && ok || fail "late feed in /metrics: $(grep feed_late metrics.txt)"
grep -q '^tocsin_feed_late{feed="served"} 0$' metrics.txt && ok || fail "timely feed in /metrics"
kill -TERM "$SERVE_PID"
rc=0
wait "$SERVE_PID" || rc=$?
expect_eq "serve --feeds stops cleanly" 0 "$rc"
expect_rc "serve --feeds with another role" 2 "$TOCSIN" serve --role portal --listen 127.0.0.1:0 --feeds

# ---- Shadowserver's Reports API ----
expect_rc "API: a bad key" 2 "$TOCSIN" feeds shadowserver pull --key 'a"b' --secret-file secret --url "$BASE/api2/"
expect_rc "API: over http" 2 "$TOCSIN" feeds shadowserver pull --key "$KEY" --secret-file secret --url "http://127.0.0.1/api2/"
expect_rc "API: a bad date" 2 "${SS[@]}" --secret-file secret --until 2026-13-45
before=$(count)
rdp() { sql "SELECT count(*) FROM events WHERE identifier = 'accessible-rdp'"; }
rdp0=$(rdp)
: >"$ROOT/access.log"
expect_rc "API: a wrong secret" 1 "${SS[@]}" --secret-file wrong-secret
expect_eq "the server refused the signature" "POST /api2/reports/list 401" "$(cat "$ROOT/access.log")"
expect_rc "API: an untrusted server" 1 "$TOCSIN" feeds shadowserver pull --key "$KEY" --url "$BASE/api2/" \
    --cacert otherca.pem --spool "$SPOOL" --secret-file secret
expect_eq "API: nothing stored by refused requests" 0 "$(($(count) - before))"
: >"$ROOT/access.log"
expect_rc "API: pull" 0 "${SS[@]}" --secret-file secret
expect_eq "API: both reports" 3 "$(($(count) - before))"
expect_eq "API: one list, two downloads" "3" "$(grep -c ' 200$' "$ROOT/access.log")"
grep -q "$SECRET" "$WORK/out" "$WORK/err" && fail "the secret was shown" || ok
expect_eq "API: by its report type" 3 "$(($(rdp) - rdp0))"
: >"$ROOT/access.log"
expect_rc "API: again" 0 "${SS[@]}" --secret-file secret
expect_eq "API: nothing downloaded again" "POST /api2/reports/list 200" "$(cat "$ROOT/access.log")"
expect_eq "API: nothing twice" 3 "$(($(count) - before))"
printf '"timestamp","ip","port"\n"2026-01-07 00:00:00","10.1.0.4","3389"\n' \
    >"$ROOT/reports/2026-01-07-scan_demo_rdp-test-asn.csv"
: >"$ROOT/access.log"
expect_rc "API: a new report" 0 "${SS[@]}" --secret-file secret
expect_eq "API: only the new one downloaded" 1 "$(grep -c 'reports/download' "$ROOT/access.log")"
expect_eq "API: the new report's row" 4 "$(($(count) - before))"
expect_eq "API: ids kept" 3 "$(sql 'SELECT count(*) FROM feed_reports')"
# kill -9 while a downloaded report is ingested: the next run ingests the
# report left in the spool from its checkpoint, without downloading it again
python3 - "$ROOT/reports/2026-01-08-scan_demo_rdp-big-asn.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('"timestamp","ip","port"\n')
    for i in range(300000):
        f.write('"2026-01-08 00:00:00","10.%d.%d.%d","3389"\n' % (64 + (i >> 16), (i >> 8) & 255, i & 255))
PY
before=$(count)
: >"$ROOT/access.log"
"${SS[@]}" --secret-file secret 2>/dev/null &
pid=$!
for _ in $(seq 1500); do
    [ "$(count)" -gt "$before" ] && break
    sleep 0.02
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
mid=$(($(count) - before))
echo "API: killed at $mid rows of 300000"
expect_rc "API: after kill -9" 0 "${SS[@]}" --secret-file secret
expect_eq "API: every row of the big report once" 300000 "$(($(count) - before))"
if [ "$mid" -gt 0 ] && [ "$mid" -lt 300000 ]; then
    expect_eq "API: the report downloaded once" 1 "$(grep -c 'reports/download' "$ROOT/access.log")"
fi
expect_eq "API: nothing left in the spool" "" "$(ls "$SPOOL/ss")"

finish
