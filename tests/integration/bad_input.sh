# SPDX-License-Identifier: Apache-2.0
# Bad input: every malformed record goes to the quarantine with its reason,
# every good record around it is stored, the process exits cleanly.
. "$(dirname "$0")/lib.inc"

"$TOCSIN" site add net --network 198.51.100.0/24 >/dev/null

good() {  # good N: a valid alert numbered N
    printf '{"timestamp":"2026-11-27T10:00:%02d.000000+0000","flow_id":%d,"event_type":"alert","src_ip":"203.0.113.%d","src_port":4444,"dest_ip":"198.51.100.%d","dest_port":22,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2001219,"rev":20,"signature":"ET SCAN Potential SSH Scan","category":"Attempted Information Leak","severity":2}}\n' \
        $(($1 % 60)) "$1" $(($1 % 250 + 1)) $(($1 % 250 + 1))
}
F="$WORK/bad.json"
{
    good 1
    printf '{"timestamp":"2026-11-27T10:00:00Z","event_type":"alert","src_ip":"203.0.1\n'   # truncated
    good 2
    printf 'this is not json\n'
    good 3
    printf '{"timestamp":"2026-11-27T10:00:00Z","event_type":"alert","src_ip":"203.0.113.1","dest_ip":"198.51.100.1","alert":{"signature":"caf\xe9"}}\n'  # invalid UTF-8
    good 4
    printf '{"event_type":"alert","src_ip":"203.0.113.1","dest_ip":"198.51.100.1","alert":{"signature":"x"}}\n'  # no timestamp
    good 5
    printf '{"timestamp":"2026-11-27T10:00:00Z","event_type":"alert","src_ip":"203.0.113.1","dest_ip":"198.51.100.1","src_port":"22","alert":{"signature":"x"}}\n'  # mistyped port
    good 6
    printf '{"timestamp":"2026-11-27T10:00:00Z","event_type":"alert","src_ip":"203.0.113.300","dest_ip":"198.51.100.1","alert":{"signature":"x"}}\n'  # bad address
    good 7
    # A line of 1.5 MiB: over the 1 MiB bound.
    printf '{"timestamp":"2026-11-27T10:00:00Z","event_type":"alert","alert":{"signature":"'
    head -c 1572864 /dev/zero | tr '\0' 'A'
    printf '"}}\n'
    good 8
    printf '\n'    # empty line
    good 9
    printf '{"timestamp":"2026-11-27T10:00:00Z","event_type":"alert","src_ip":"203.0.113.1"' # unterminated last line
} > "$F"

expect_rc "ingest with bad records exits 0" 0 "$TOCSIN" ingest --format eve "$F"
expect_eq "all good records stored" 9 "$("$TOCSIN" events --format json | wc -l)"
expect_eq "all routed to the site" 9 "$("$TOCSIN" events --site net --format json | wc -l)"
quarantined=$("$TOCSIN" quarantine list --json | wc -l)
expect_eq "every bad record quarantined (the empty line is skipped)" 8 "$quarantined"
"$TOCSIN" quarantine stats --json > "$WORK/stats"
for reason in too-big truncated utf8; do
    grep -q "\"reason\":\"$reason\"" "$WORK/stats" && ok || fail "reason $reason counted: $(cat "$WORK/stats")"
done
"$TOCSIN" quarantine list --json > "$WORK/q"
grep -q '"line":2,' "$WORK/q" && ok || fail "quarantine keeps the line number"
prefix='{"timestamp":"2026-11-27T10:00:00Z","event_type":"alert","alert":{"signature":"'
biglen=$(( ${#prefix} + 1572864 + 3 ))
grep -q "\"record_length\":$biglen," "$WORK/q" && ok || fail "oversized record keeps its full length ($biglen)"
expect_rc "--strict reports quarantined records" 5 "$TOCSIN" ingest --strict --from-start --format eve "$F"
expect_rc "quarantine list (table)" 0 "$TOCSIN" quarantine list
finish
