# SPDX-License-Identifier: Apache-2.0
# The collector as a daemon: `tocsin collect` on a loopback port receives the
# real exporter packets of ../shared/corpus/sensors (templates before data),
# saves the per-exporter counters, stops cleanly on SIGTERM; bad datagrams are
# counted and dropped without stopping it.
. "$(dirname "$0")/lib.inc"

CORPUS=${TS_CORPUS_DIR:-$SRC/../shared/corpus}/sensors
for f in netflow5_test_juniper_mx80.dat netflow9_test_cisco_1941K9.dat ipfix.dat; do
    [ -r "$CORPUS/$f" ] || skip "corpus file $CORPUS/$f is absent"
done

expect_rc "collect without address" 2 "$TOCSIN" collect
expect_rc "collect bad address" 2 "$TOCSIN" collect --netflow ::1:2055
expect_rc "collect negative coalescing" 2 "$TOCSIN" collect --netflow 127.0.0.1:0 --coalesce-us -1
expect_rc "collect coalescing over 1 s" 2 "$TOCSIN" collect --netflow 127.0.0.1:0 --coalesce-us 1000001
expect_rc "collect coalescing not a number" 2 "$TOCSIN" collect --netflow 127.0.0.1:0 --coalesce-us 5ms
expect_rc "flows stats without a database" 1 "$TOCSIN" flows stats
expect_rc "a database with one site" 0 "$TOCSIN" site add probe --network 203.0.113.0/24
expect_rc "flows stats before any collector" 0 "$TOCSIN" flows stats
grep -q 'no exporter seen yet' "$WORK/out" && ok || fail "no exporter yet said"

pid=
# A collector left running would hold ctest's output pipe open until the
# test's timeout, whatever made the script end.
stop_collector() {
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
}
trap stop_collector EXIT
"$TOCSIN" collect --netflow 127.0.0.1:0 --stats-interval 200 2>"$WORK/collect.log" &
pid=$!
port=""
# The log may not exist yet on a busy machine: wait for it, not only for the line.
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*collecting NetFlow\/IPFIX on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/collect.log" 2>/dev/null || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] && ok || fail "collector reports its port"

send() { cat "$1" > "/dev/udp/127.0.0.1/$port"; }
send "$CORPUS/netflow5_test_juniper_mx80.dat"                 # 29 flows
send "$CORPUS/netflow9_test_cisco_1941K9.dat"                 # template + data
# ipfix.dat holds three messages back to back (484, 64 and 240 bytes).
dd if="$CORPUS/ipfix.dat" bs=1 count=484 status=none > "$WORK/m1"
dd if="$CORPUS/ipfix.dat" bs=1 skip=484 count=64 status=none > "$WORK/m2"
dd if="$CORPUS/ipfix.dat" bs=1 skip=548 count=240 status=none > "$WORK/m3"
send "$WORK/m1"; send "$WORK/m2"; send "$WORK/m3"
printf 'garbage that is no flow export' > "$WORK/junk"; send "$WORK/junk"
head -c 10 "$CORPUS/netflow5_test_juniper_mx80.dat" > "$WORK/short"; send "$WORK/short"
sleep 0.8
kill -0 "$pid" && ok || fail "collector survives bad datagrams"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
expect_eq "SIGTERM stops the collector cleanly" 0 "$rc"
grep -q 'collector stopped' "$WORK/collect.log" && ok || fail "stop summary"

"$TOCSIN" flows stats --format json > "$WORK/stats.json"
flows=$(sed -n 's/.*"flows":\([0-9]*\).*/\1/p' "$WORK/stats.json" | awk '{s += $1} END {print s + 0}')
v5=$(grep '"version":5,' "$WORK/stats.json" | sed -n 's/.*"flows":\([0-9]*\).*/\1/p' || true)
expect_eq "v5 flows counted" 29 "$v5"
[ "$flows" -gt 29 ] && ok || fail "v9 and IPFIX flows counted too ($flows)"
grep -q '"exporter":"127.0.0.1"' "$WORK/stats.json" && ok || fail "exporter address"
expect_rc "flows stats table" 0 "$TOCSIN" flows stats
grep -q '127.0.0.1' "$WORK/out" && ok || fail "table lists the exporter"
finish
