# SPDX-License-Identifier: Apache-2.0
# Feeds through the real binary: clear refusals (unknown report type, a
# schema or mapping that is not one), bad rows quarantined with their line
# while the others go through (truncated, wrong delimiter, a 10 MiB cell, BOM,
# CRLF, repeated columns), a report resumed after more rows came (its header
# read again), kill -9 in the middle of a big report and nothing stored twice,
# IDEA in -> out -> in, IODEF valid against the schema, --tlp and exports.
. "$(dirname "$0")/lib.inc"
command -v python3 >/dev/null || skip "python3 is not installed"
SCHEMA="$SRC/demo/shadowserver-schema.json"
cd "$WORK"
count() { "$TOCSIN" events --format json | wc -l; }

# ---- refusals before anything is read ----
printf '"timestamp","ip","port"\n"2026-01-01 00:00:00","192.0.2.1","3389"\n' >report.csv
expect_rc "unknown report type" 1 "$TOCSIN" ingest --format shadowserver --schema "$SCHEMA" \
    --report scan_nope report.csv
grep -q "unknown report type 'scan_nope'" "$WORK/err" && ok || fail "no clear message: $(cat "$WORK/err")"
expect_rc "type not in the name" 1 "$TOCSIN" ingest --format shadowserver --schema "$SCHEMA" report.csv
grep -q "give --report NAME" "$WORK/err" && ok || fail "no hint: $(cat "$WORK/err")"
echo '{"scan_x":{"feed_name":"X"}}' >bad-schema.json
expect_rc "not the schema format" 1 "$TOCSIN" ingest --format shadowserver --schema bad-schema.json \
    --report scan_x report.csv
grep -q "report scan_x: \"file_name\" is missing" "$WORK/err" && ok || fail "$(cat "$WORK/err")"
echo '{"format":"csv","fields":[{"column":"ip","field":"source.ipp"}]}' >bad-mapping.json
expect_rc "mapping with an unknown field" 1 "$TOCSIN" ingest --format mapped --mapping bad-mapping.json report.csv
grep -q 'unknown field \\"source.ipp\\"\|unknown field "source.ipp"' "$WORK/err" && ok || fail "$(cat "$WORK/err")"
expect_eq "nothing stored" "0" "$("$TOCSIN" events --format json 2>/dev/null | wc -l)"

# ---- bad rows go to the quarantine with their line; the others go through ----
python3 - <<'PY'
rows = [
    '\ufeff"timestamp","ip","port","tag","tag"\r\n',          # BOM, CRLF, a repeated column
    '"2026-01-01 00:00:00","192.0.2.1","3389","a","b"\r\n',   # 2 good
    '"2026-01-01 00:00:01","192.0.2.2"\r\n',                  # 3 truncated
    '"2026-01-01 00:00:02";"192.0.2.3";"3389";"";""\r\n',     # 4 wrong delimiter
    '"2026-01-01 00:00:03","192.0.2.4","3389","' + "x" * (10 << 20) + '",""\r\n',  # 5 10 MiB cell
    '"2026-01-01 00:00:04","192.0.2.5","3389","multi\r\nline",""\r\n',  # 6-7 good, over two lines
    '"2026-01-01 00:00:05","192.0.2.6","3389","c","d"\r\n',   # 8 good
    '"2026-01-01 00:00:06","192.0.2.7","3389","open\r\n',     # 9 ends inside a quote
]
with open("2026-01-01-scan_demo_rdp-test-asn.csv", "w", newline="") as f:
    f.write("".join(rows))
PY
expect_rc "bad rows quarantined" 0 "$TOCSIN" ingest --format shadowserver --schema "$SCHEMA" \
    2026-01-01-scan_demo_rdp-test-asn.csv
expect_eq "good rows stored" "3" "$(count)"
"$TOCSIN" quarantine list --json >q.json
for line in 3 4 5 9; do
    grep -q "\"line\":$line," q.json && ok || fail "line $line not quarantined: $(cat q.json)"
done
expect_eq "quarantined" "4" "$(grep -o '"line":' q.json | wc -l)"
"$TOCSIN" events --format json >ev.json
grep -q '"extra.tag_2":"b"' ev.json && ok || fail "repeated column not kept: $(head -c 600 ev.json)"
# (line ends inside a quoted field are read as "\n", as outside)
grep -q '"extra.tag":"multi\\u000aline"' ev.json && ok || fail "quoted newline: $(cat ev.json | head -c 2000)"

# ---- a report read again after more rows came: its header is read again ----
rm -f "$TOCSIN_DB"*
printf '"timestamp","ip","port"\n"2026-01-01 00:00:00","192.0.2.1","3389"\n' >2026-01-02-scan_demo_rdp-x.csv
"$TOCSIN" ingest -q --format shadowserver --schema "$SCHEMA" 2026-01-02-scan_demo_rdp-x.csv
printf '"2026-01-01 00:00:01","192.0.2.2","3389"\n"2026-01-01 00:00:02","192.0.2.3","3389"\n' \
    >>2026-01-02-scan_demo_rdp-x.csv
"$TOCSIN" ingest -q --format shadowserver --schema "$SCHEMA" 2026-01-02-scan_demo_rdp-x.csv
expect_eq "resumed: every row once" "3" "$(count)"
expect_eq "nothing quarantined" "0" "$("$TOCSIN" quarantine list --json | grep -c '"line"' || true)"

# ---- kill -9 during a big report: rerun, nothing lost, nothing twice ----
rm -f "$TOCSIN_DB"*
python3 - <<'PY'
with open("2026-01-03-scan_demo_rdp-big.csv", "w") as f:
    f.write('"timestamp","ip","port","response_size"\n')
    for i in range(60000):
        f.write('"2026-01-03 00:00:00","10.%d.%d.%d","%d","%d"\n' % (i >> 16, (i >> 8) & 255, i & 255, 1 + i % 60000, i))
PY
"$TOCSIN" ingest -q --batch 500 --format shadowserver --schema "$SCHEMA" 2026-01-03-scan_demo_rdp-big.csv &
pid=$!
for _ in $(seq 100); do
    [ -s "$TOCSIN_DB" ] && [ "$(sqlite3 "$TOCSIN_DB" 'SELECT count(*) FROM events' 2>/dev/null || echo 0)" -gt 2000 ] && break
    sleep 0.05
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
before=$(sqlite3 "$TOCSIN_DB" 'SELECT count(*) FROM events')
[ "$before" -lt 60000 ] && ok || fail "the ingest ended before the kill ($before events)"
"$TOCSIN" ingest -q --batch 500 --format shadowserver --schema "$SCHEMA" 2026-01-03-scan_demo_rdp-big.csv
expect_eq "every row stored" "60000" "$(sqlite3 "$TOCSIN_DB" 'SELECT count(*) FROM events')"
expect_eq "none twice" "60000" "$(sqlite3 "$TOCSIN_DB" "SELECT count(DISTINCT json_extract(extra, '\$.response_size')) FROM events")"

# ---- IDEA in -> out -> in; IODEF against the schema; TLP ----
rm -f "$TOCSIN_DB"*
IDEA_IN="$WORK/in.idea"
printf '%s\n' '{"Format":"IDEA0","DetectTime":"2026-11-27T06:30:00Z","Category":["Attempt.Login"],"TLP":"GREEN","Source":[{"IP4":["192.0.2.7"],"Port":[4000]}],"Target":[{"IP4":["198.51.100.0-198.51.100.9"]}]}' \
    '[{"Format":"IDEA0","DetectTime":"2026-11-27T07:00:00Z","Category":["Recon.Scanning"],' \
    '"Source":[{"IP6":["2001:db8::1"]}]},' \
    '{"Format":"IDEA0","DetectTime":"2026-11-27T08:00:00Z","Category":["Fraud.Phishing"],"Source":[{"IP4":["192.0.2.9"],"URL":["http://x.example/"]}]}]' >"$IDEA_IN"
"$TOCSIN" ingest -q --format idea "$IDEA_IN"
expect_eq "IDEA records" "3" "$(count)"
"$TOCSIN" events --format idea >out.idea
TOCSIN_DB="$WORK/second.db" "$TOCSIN" ingest -q --format idea out.idea
strip() { sed 's/"time.observation":"[^"]*",//; s/"tocsin.id":[0-9]*,//'; }
"$TOCSIN" events --format json | strip >a.json
TOCSIN_DB="$WORK/second.db" "$TOCSIN" events --format json | strip >b.json
if cmp -s a.json b.json; then ok; else fail "IDEA round trip differs"; diff a.json b.json | head -5 >&2; fi
if command -v xmllint >/dev/null; then
    "$TOCSIN" events --format iodef >out.xml
    xmllint --noout --schema "$SRC/tests/data/iodef/iodef-2.0-subset.xsd" out.xml 2>xmllint.err &&
        ok || fail "IODEF invalid: $(cat xmllint.err)"
fi
"$TOCSIN" ingest -q --tlp RED --format shadowserver --schema "$SCHEMA" 2026-01-02-scan_demo_rdp-x.csv
"$TOCSIN" events --format misp >out.misp 2>misp.err
grep -q "3 events at TLP:AMBER+STRICT or TLP:RED left out" misp.err && ok || fail "$(cat misp.err)"
expect_eq "MISP events" "3" "$(grep -c '"Event"' out.misp)"
finish
