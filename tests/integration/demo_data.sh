# SPDX-License-Identifier: Apache-2.0
# The demo's data is made at demo time for the last 30 days: the same --now
# gives the same bytes, a --now a week later the same records a week later;
# stored by tocsin, it fills every one of the last 30 days, follows a working
# day, and holds the three incidents of the last 24 hours.
source "$(dirname "$0")/lib.inc"
command -v python3 >/dev/null || skip "python3 is not installed"
command -v jq >/dev/null || skip "jq is not installed"
GEN=$SRC/demo/generate.py
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LATER=$(date -u -d "$NOW + 7 days" +%Y-%m-%dT%H:%M:%SZ)

expect_rc "generate" 0 python3 "$GEN" --now "$NOW" --out "$WORK/a"
expect_rc "generate again" 0 python3 "$GEN" --now "$NOW" --out "$WORK/b"
expect_rc "generate a week later" 0 python3 "$GEN" --now "$LATER" --out "$WORK/c"
expect_rc "bad --now refused" 2 python3 "$GEN" --now yesterday --out "$WORK/x"
for f in sensor1-eve.json shadowserver-intelmq.jsonl honeypot-cowrie.json srv1-auth.log; do
    [ -s "$WORK/a/$f" ] && ok || fail "$f written"
    cmp -s "$WORK/a/$f" "$WORK/b/$f" && ok || fail "$f: the same --now gives other bytes"
    # A week later: the same records, each time a week later.
    python3 - "$WORK/a/$f" "$WORK/c/$f" <<'PY' && ok || fail "$f: a week later is not the same data shifted"
import re, sys
from datetime import datetime, timedelta
iso = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})")
syslog = re.compile(r"^([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2})")
def back(line):
    line = iso.sub(lambda m: (datetime.strptime(m[1], "%Y-%m-%dT%H:%M:%S") - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S"), line)
    def sl(m):
        # The year is not written: any leap year takes Feb 29 in.
        t = datetime.strptime("2024 " + m[1], "%Y %b %d %H:%M:%S") - timedelta(days=7)
        return t.strftime("%b ") + "%2d" % t.day + t.strftime(" %H:%M:%S")
    return syslog.sub(sl, line)
a = open(sys.argv[1], encoding="latin-1").read().splitlines()
c = open(sys.argv[2], encoding="latin-1").read().splitlines()
sys.exit(0 if [back(x) for x in c] == a else 1)
PY
done

# Into tocsin: the events' days and hours.
"$TOCSIN" constituency import "$SRC/demo/constituency.json" >/dev/null
for f in eve:sensor1-eve.json intelmq:shadowserver-intelmq.jsonl cowrie:honeypot-cowrie.json sshd:srv1-auth.log; do
    "$TOCSIN" ingest -q --format "${f%%:*}" "$WORK/a/${f#*:}" || fail "ingest $f"
done
"$TOCSIN" events --format json >"$WORK/events.json"
jq -r '."time.source" // empty' "$WORK/events.json" >"$WORK/times"
python3 - "$WORK/times" "$NOW" <<'PY' && ok || fail "days and hours of the stored events"
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
now = datetime.strptime(sys.argv[2], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
times = [datetime.fromisoformat(l.strip()) for l in open(sys.argv[1]) if l.strip()]
errors = []
if any(t > now or t < now - timedelta(days=31) for t in times):
    errors.append("a time outside the last 31 days")
days = Counter((now - t).days for t in times)
empty = [d for d in range(30) if days[d] == 0]
if empty:
    errors.append(f"no event {empty} days ago")
# A working day: weekday office hours busier than weekday nights.
hours = Counter(t.hour for t in times if t.weekday() < 5 and (now - t) > timedelta(days=1))
day, night = sum(hours[h] for h in range(9, 17)) / 8, sum(hours[h] for h in range(0, 5)) / 5
if not day > 1.6 * night:  # the other sources, honeypot and sshd, keep no office hours
    errors.append(f"no daily rhythm: {day:.1f}/h in the day, {night:.1f}/h at night")
print(f"{len(times)} events, {day:.1f}/h weekdays 9-17 UTC, {night:.1f}/h 0-5 UTC")
for e in errors:
    print("FAIL:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

# The last 24 hours' incidents, each where the demo says.
last() { "$TOCSIN" events --since 24h --site "$1" --format json; }
# (The incidents' outside addresses appear nowhere else in the data.)
expect_eq "SSH scan campaign against uni-south" 60 "$(last uni-south | grep -c '"source.ip":"203.0.113.250"')"
n=$(last uni-north-cs | grep -c 'Cobalt Strike.*"destination.ip":"198.51.100.77"' || true)
expect_eq "Cobalt Strike beacons from uni-north-cs" 24 "$n"
n=$(last hospital | grep -c 'log4j' || true)
[ "$n" -ge 30 ] && ok || fail "log4j attempts against the hospital: $n"
finish
