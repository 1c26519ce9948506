# SPDX-License-Identifier: Apache-2.0
# Crash test: kill -9 the ingest of a large file several times at random
# moments, restart it, and check that every event is stored exactly once and
# the database is intact.
. "$(dirname "$0")/lib.inc"
command -v sqlite3 >/dev/null || skip "sqlite3 CLI not installed (scripts/install-deps.sh installs it)"

LINES=${CRASH_LINES:-200000}
F="$WORK/big.json"
# Every line is an alert with a unique flow_id = its line number; every 10th
# line is a stats record (valid, not an event).
awk -v n="$LINES" 'BEGIN {
    for (i = 1; i <= n; i++) {
        if (i % 10 == 0) { printf "{\"timestamp\":\"2026-11-27T10:00:00.000000+0000\",\"event_type\":\"stats\",\"stats\":{\"uptime\":%d}}\n", i; continue }
        printf "{\"timestamp\":\"2026-11-27T10:%02d:%02d.%06d+0000\",\"flow_id\":%d,\"in_iface\":\"eth0\",\"event_type\":\"alert\",\"src_ip\":\"203.0.113.%d\",\"src_port\":%d,\"dest_ip\":\"198.51.100.%d\",\"dest_port\":443,\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":2027082,\"rev\":3,\"signature\":\"ET MALWARE Cobalt Strike Beacon Observed\",\"category\":\"A Network Trojan was detected\",\"severity\":1}}\n", (i / 60) % 60, i % 60, i, i, i % 250 + 1, 1024 + i % 60000, i % 250 + 1
    }
}' > "$F"
alerts=$((LINES - LINES / 10))
"$TOCSIN" site add net --network 198.51.100.0/24 >/dev/null

kills=0
for attempt in 1 2 3 4 5 6; do
    # Small batches make many commits, so the kill lands between and inside them.
    "$TOCSIN" ingest -q --batch 2000 --format eve "$F" 2>>"$WORK/ingest.log" &
    pid=$!
    sleep "0.$((RANDOM % 9 + 1))"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null || true
done
echo "killed $kills ingests mid-way"
expect_rc "final run completes" 0 "$TOCSIN" ingest -q --format eve "$F"

expect_eq "integrity" "ok" "$(sqlite3 "$TOCSIN_DB" 'PRAGMA integrity_check')"
expect_eq "every alert stored" "$alerts" "$(sqlite3 "$TOCSIN_DB" 'SELECT COUNT(*) FROM events')"
expect_eq "no alert stored twice" "$alerts" "$(sqlite3 "$TOCSIN_DB" 'SELECT COUNT(DISTINCT line) FROM events')"
expect_eq "checkpoint at the end" "$(stat -c %s "$F")" "$(sqlite3 "$TOCSIN_DB" 'SELECT byte_offset FROM inputs')"
expect_eq "nothing quarantined" "0" "$("$TOCSIN" quarantine list --json | wc -l)"
finish
