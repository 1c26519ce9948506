# SPDX-License-Identifier: Apache-2.0
# Follow mode: the daemon picks up appended lines, survives rotation (rename
# and a new file) and truncation (copytruncate), stops cleanly on SIGTERM
# after committing, and resumes without repeating on restart.
. "$(dirname "$0")/lib.inc"

"$TOCSIN" site add net --network 198.51.100.0/24 >/dev/null
F="$WORK/eve.json"
n=0
append() {  # append FILE COUNT
    for _ in $(seq 1 "$2"); do
        n=$((n + 1))
        printf '{"timestamp":"2026-11-27T10:00:00.000000+0000","flow_id":%d,"event_type":"alert","src_ip":"203.0.113.9","src_port":%d,"dest_ip":"198.51.100.7","dest_port":22,"proto":"TCP","alert":{"signature_id":2001219,"signature":"ET SCAN Potential SSH Scan","category":"Attempted Information Leak","severity":2}}\n' "$n" "$n" >> "$1"
    done
}
count() { "$TOCSIN" events --format json | wc -l; }
wait_count() {  # wait_count N: until N events are stored (10 s at most)
    for _ in $(seq 1 100); do
        [ "$(count)" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

: > "$F"
"$TOCSIN" ingest --follow --format eve "$F" 2>"$WORK/follow.log" &
pid=$!
append "$F" 50
wait_count 50 && ok || fail "appended lines picked up ($(count))"
# A partial line is not consumed until its newline arrives.
printf '{"timestamp":"2026-11-27T10:00:00Z","event_type":"alert","src_ip":"203.0.113.9",' >> "$F"
sleep 0.5
printf '"dest_ip":"198.51.100.7","alert":{"signature_id":1,"signature":"split write"}}\n' >> "$F"
wait_count 51 && ok || fail "a line written in two parts is one event"

# Rotation: rename, create a new file; lines written to the old one just
# before the switch are still read.
append "$F" 5
mv "$F" "$F.1"
append "$F.1" 5
: > "$F"
append "$F" 20
wait_count 81 && ok || fail "rotation: old tail and new file read ($(count))"

# Truncation in place (copytruncate), then new lines.
sleep 0.3
: > "$F"
append "$F" 7
wait_count 88 && ok || fail "truncation: new lines read ($(count))"

# SIGHUP reloads the constituency: a site added while the daemon runs gets
# the events that arrive after the reload.
"$TOCSIN" site add dept --parent net --network 198.51.100.0/28 >/dev/null
kill -HUP "$pid"
sleep 0.5
append "$F" 4
wait_count 92 && ok || fail "lines after the reload read ($(count))"
expect_eq "new site routed after SIGHUP" 4 "$("$TOCSIN" events --site dept --format json | wc -l)"
grep -q 'constituency reloaded' "$WORK/follow.log" && ok || fail "reload logged"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "SIGTERM stops cleanly" 0 "$rc"
expect_eq "no event twice" 92 "$(count)"
grep -q 'rotated' "$WORK/follow.log" && ok || fail "rotation logged"
grep -q 'truncated' "$WORK/follow.log" && ok || fail "truncation logged"

# Restart: resumes after the committed offset, nothing repeated.
append "$F" 3
expect_rc "resume" 0 "$TOCSIN" ingest --format eve "$F"
expect_eq "resumed without repeating" 95 "$(count)"
expect_eq "nothing quarantined" 0 "$("$TOCSIN" quarantine list --json | wc -l)"

# The committed checkpoint is the end of the file, and the right line.
"$TOCSIN" inputs --json > "$WORK/inputs.json"
expect_eq "one input" 1 "$(wc -l < "$WORK/inputs.json")"
grep -q "\"offset\":$(stat -c %s "$F")," "$WORK/inputs.json" && ok || fail "checkpoint at the end of the file: $(cat "$WORK/inputs.json")"
grep -q '"format":"eve"' "$WORK/inputs.json" && ok || fail "input format listed"
finish
