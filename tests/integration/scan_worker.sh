# SPDX-License-Identifier: Apache-2.0
# Queued and scheduled scans: `scan request` stores a request, `scan worker`
# runs it and queues the schedule's next run, `scan cancel` stops a queued
# one; the settings' per-site limits and opt-out list refuse what they must.
. "$(dirname "$0")/lib.inc"
command -v python3 >/dev/null || skip "python3 is not installed"
. "$(dirname "$0")/scan_netns.inc"

cat > "$WORK/greeter.py" <<'PY'
import socket, sys
s = socket.socket()
s.bind((sys.argv[1], 2222))
s.listen(8)
while True:
    c, _ = s.accept()
    try:
        c.sendall(b"SSH-2.0-OpenSSH_9.2p1 test\r\n")
    except OSError:
        pass  # the engine's connect resets at once
    c.close()
PY
in_target python3 "$WORK/greeter.py" "$TARGET_IP"
wait_tcp 2222

expect_rc "site" 0 "$TOCSIN" site add uni --network "$NET.0/24"
cat > "$WORK/scan.conf" <<CONF
url = https://csirt.test/scanning
opt_out = $NET.200
[site uni]
concurrent = 1
addresses_per_day = 300
CONF
export TOCSIN_SCAN_CONFIG=$WORK/scan.conf

expect_rc "request a weekly scan" 0 "$TOCSIN" scan request --site uni --target "$TARGET_IP" \
    --ports 2222 --every 7d
grep -q 'scan 1 queued (repeats)' "$WORK/out" && ok || fail "request says queued"
expect_rc "a second one while the first waits" 4 "$TOCSIN" scan request --site uni \
    --target "$NET.3" --ports 22
grep -q 'queued or running (1 at most)' "$WORK/err" && ok || fail "the limit is named"
expect_rc "only opted-out addresses" 4 "$TOCSIN" scan request --site uni --target "$NET.200" \
    --ports 22
grep -q 'opt-out' "$WORK/err" && ok || fail "the opt-out is named"
expect_rc "a schedule more often than hourly" 2 "$TOCSIN" scan request --site uni \
    --target "$TARGET_IP" --every 10m
expect_rc "a bad duration" 2 "$TOCSIN" scan request --site uni --target "$TARGET_IP" --every 7x

expect_rc "worker, once" 0 in_scanner "$TOCSIN" scan worker --once --mode connect
expect_rc "the run" 0 "$TOCSIN" scan show 1 --format json
grep -q '"state":"done"' "$WORK/out" && ok || fail "scan 1 done"
grep -q '"product":"openbsd:openssh"' "$WORK/out" && ok || fail "scan 1 found the service"
expect_rc "list" 0 "$TOCSIN" scan list --format json
python3 - "$WORK/out" <<'PY' && ok || fail "the schedule queued its next run a week later"
import json, sys, datetime
scans = {s["id"]: s for s in json.load(open(sys.argv[1]))}
nxt = [s for s in scans.values() if s["schedule_id"] == 1]
assert len(nxt) == 1, scans
n, first = nxt[0], scans[1]
assert n["state"] == "queued" and n["requested_by"] == "schedule" and n["every_s"] == 604800
t = lambda x: datetime.datetime.fromisoformat(x.replace("Z", "+00:00"))
assert abs((t(n["not_before"]) - t(first["started"])).total_seconds() - 604800) < 1, n
PY
next_id=$(python3 -c 'import json,sys; print([s["id"] for s in json.load(open(sys.argv[1])) if s["schedule_id"] == 1][0])' "$WORK/out")
expect_rc "the worker leaves a run that is not due" 0 in_scanner "$TOCSIN" scan worker --once
expect_rc "still queued" 0 "$TOCSIN" scan show "$next_id" --format json
grep -q '"state":"queued"' "$WORK/out" && ok || fail "the next run waits for its time"
expect_rc "cancel the next run" 0 "$TOCSIN" scan cancel "$next_id"
expect_rc "cancel it again" 4 "$TOCSIN" scan cancel "$next_id"
expect_rc "cancel a scan that does not exist" 3 "$TOCSIN" scan cancel 999
expect_rc "show a scan that does not exist" 3 "$TOCSIN" scan show 999
expect_rc "scan of an unknown site" 3 "$TOCSIN" scan run --site nosuch --target "$TARGET_IP"
expect_rc "run without a target" 2 "$TOCSIN" scan run --site uni
# The scope is checked again at the start: a claim removed after the request
# refuses the scan, and nothing is sent.
expect_rc "a guest site" 0 "$TOCSIN" site add guest --network 198.19.0.0/30
expect_rc "the guest's scan" 0 "$TOCSIN" scan request --site guest --target 198.19.0.1 --ports 22
guest_id=$(sed -n 's/^scan \([0-9]*\) queued.*/\1/p' "$WORK/out")
expect_rc "the guest's network goes" 0 "$TOCSIN" site unclaim guest --network 198.19.0.0/30
before=$(sent_packets)
expect_rc "worker, once" 0 in_scanner "$TOCSIN" scan worker --once
expect_eq "nothing sent for a scan refused at its start" "$before" "$(sent_packets)"
expect_rc "the refused scan" 0 "$TOCSIN" scan show "$guest_id" --format json
grep -q '"state":"refused"' "$WORK/out" && grep -q 'at the start: 198.19.0.1 is not in the constituency' \
    "$WORK/out" && ok || fail "refused at the start, with the reason"
# The daily address budget: 300 per 24 hours, 1 used; a /24 is 256 more, then no more.
expect_rc "a /24 within the budget" 0 "$TOCSIN" scan request --site uni --target "$NET.0/24" \
    --ports 22
expect_rc "cancel it" 0 "$TOCSIN" scan cancel "$(sed -n 's/^scan \([0-9]*\) queued.*/\1/p' "$WORK/out")"
expect_rc "over the budget" 4 "$TOCSIN" scan request --site uni --target "$NET.0/26" --ports 22
grep -q 'per 24 hours' "$WORK/err" && ok || fail "the budget is named"
finish
