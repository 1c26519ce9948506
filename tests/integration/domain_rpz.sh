# SPDX-License-Identifier: Apache-2.0
# Domain deactivation end to end: `tocsin domain` writes the RPZ file, a real
# Unbound on loopback (its own config under the test's directory, a free
# port) loads it as an rpz: zone, and `dig` against it answers NXDOMAIN for
# the deactivated domain (and names under it) and the real answer, from an
# authoritative zone a second Unbound serves (auth-zone; the resolver reaches
# it through a stub-zone, since Unbound answers local-data before RPZ),
# before the deactivation and after the reactivation. The clock is moved with faketime: reminders before the
# end, expiry reactivating the domain, and the cap checked at a later date.
# The hook runs on every decision with its arguments (no shell).
. "$(dirname "$0")/lib.inc"

command -v unbound >/dev/null || skip "unbound is not installed (scripts/install-deps.sh)"
command -v unbound-control >/dev/null || skip "unbound-control is not installed"
command -v dig >/dev/null || skip "dig is not installed (bind9-dnsutils)"
command -v faketime >/dev/null || skip "faketime is not installed"
command -v python3 >/dev/null || skip "python3 is not installed (free port)"

UB="$WORK/unbound"
mkdir -p "$UB"
RPZ="$WORK/rpz.zone"
AUTH="$WORK/auth"
mkdir -p "$AUTH"
UB_PID=""
AUTH_PID=""
SERVE_PID=""
cleanup() {
    for p in $SERVE_PID $UB_PID $AUTH_PID; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
}
trap cleanup EXIT

# Ports free for both UDP and TCP on 127.0.0.1.
free_port() {
    python3 -c '
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
'
}
PORT=$(free_port)
APORT=$(free_port)
while [ "$APORT" = "$PORT" ]; do APORT=$(free_port); done

# faketime on top of a sanitizer build: libfaketime is preloaded before ASan.
later() { # later OFFSET CMD...: CMD with the clock moved by OFFSET (e.g. +4d)
    local off=$1
    shift
    ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0" \
        faketime -f "$off" "$@"
}

HOOKLOG="$WORK/hook.log"
cat >"$WORK/hook.sh" <<EOF
#!/bin/sh
printf '%s|' "\$@" >>"$HOOKLOG"
echo >>"$HOOKLOG"
EOF
chmod +x "$WORK/hook.sh"

# ---- tocsin: a claimed zone, a case, the (empty) RPZ ----
"$TOCSIN" domain zone add cz
"$TOCSIN" domain rpz --out "$RPZ"
expect_eq "empty RPZ has SOA serial 0" 1 "$(grep -c 'IN SOA localhost. hostmaster.localhost. 0 ' "$RPZ")"

# The authoritative side: the registry's zone as it is published.
cat >"$AUTH/cz.zone" <<EOF
\$ORIGIN cz.
\$TTL 300
@ IN SOA ns.cz. hostmaster.cz. 1 300 60 604800 60
@ IN NS ns.cz.
ns IN A 127.0.0.1
bad.example IN A 192.0.2.10
www.bad.example IN A 192.0.2.11
good.example IN A 192.0.2.20
xn--pklad-zsa96e IN A 192.0.2.30
EOF
cat >"$AUTH/unbound.conf" <<EOF
server:
    interface: 127.0.0.1
    port: $APORT
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$AUTH"
    pidfile: "$AUTH/unbound.pid"
    use-syslog: no
    logfile: "$AUTH/unbound.log"
    module-config: "iterator"
    access-control: 127.0.0.0/8 allow
auth-zone:
    name: "cz."
    zonefile: "$AUTH/cz.zone"
    for-downstream: yes
    for-upstream: no
EOF
unbound-checkconf "$AUTH/unbound.conf" >/dev/null || { echo "FAIL: auth config" >&2; exit 1; }
unbound -c "$AUTH/unbound.conf" &
AUTH_PID=$!

cat >"$UB/unbound.conf" <<EOF
server:
    interface: 127.0.0.1
    port: $PORT
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$UB"
    pidfile: "$UB/unbound.pid"
    use-syslog: no
    logfile: "$UB/unbound.log"
    verbosity: 1
    module-config: "respip iterator"
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
stub-zone:
    name: "cz."
    stub-addr: 127.0.0.1@$APORT
remote-control:
    control-enable: yes
    control-use-cert: no
    control-interface: "$UB/control.sock"
rpz:
    name: "rpz.tocsin.invalid."
    zonefile: "$RPZ"
EOF
unbound-checkconf "$UB/unbound.conf" >/dev/null || { echo "FAIL: unbound config" >&2; exit 1; }
unbound -c "$UB/unbound.conf" &
UB_PID=$!
ask() { # ask NAME: "NXDOMAIN" or the A record's address
    local out
    out=$(dig +time=3 +tries=2 -p "$PORT" @127.0.0.1 "$1" A +noall +comments +answer 2>&1) || true
    if grep -q 'status: NXDOMAIN' <<<"$out"; then echo NXDOMAIN; return; fi
    awk '$4 == "A" {print $5; exit}' <<<"$out"
}
# Wait for unbound on a condition, not a sleep.
for _ in $(seq 1 100); do
    [ "$(ask good.example.cz)" = 192.0.2.20 ] && break
    kill -0 "$UB_PID" 2>/dev/null || { cat "$UB/unbound.log" >&2; echo "FAIL: unbound died" >&2; exit 1; }
    sleep 0.1
done
reload() {
    unbound-control -c "$UB/unbound.conf" reload >/dev/null
    for _ in $(seq 1 100); do
        [ "$(ask good.example.cz)" = 192.0.2.20 ] && return
        sleep 0.1
    done
}
expect_eq "real answer before" 192.0.2.10 "$(ask bad.example.cz)"

# ---- Bad input: refused with the rule ----
expect_rc "outside the claimed zones" 4 "$TOCSIN" domain case open evil.example.sk \
    --reason phishing --evidence https://evil.example.sk/
grep -q "not under a zone" "$WORK/err" && ok || fail "zone rule not named"
expect_rc "evidence not a URL, file or event" 2 "$TOCSIN" domain case open bad.example.cz \
    --reason phishing --evidence "gopher://x"
expect_rc "evidence: no such file" 2 "$TOCSIN" domain case open bad.example.cz \
    --reason phishing --evidence "$WORK/no-such-file"
expect_rc "evidence: no such event" 4 "$TOCSIN" domain case open bad.example.cz \
    --reason phishing --evidence event:4242
expect_rc "bad name" 2 "$TOCSIN" domain case open 'bad_name!.cz' --reason phishing \
    --evidence https://x.cz/
expect_rc "unknown reason" 2 "$TOCSIN" domain case open bad.example.cz --reason rude \
    --evidence https://x.cz/

# ---- A case: open (mixed case, trailing dot), deactivate, NXDOMAIN ----
echo "screenshot" >"$WORK/shot.png"
ID=$("$TOCSIN" domain case open BAD.Example.CZ. --reason phishing \
    --evidence https://bad.example.cz/login --evidence "$WORK/shot.png")
expect_eq "case id" 1 "$ID"
"$TOCSIN" domain case show "$ID" --format json >"$WORK/case.json"
expect_eq "normalised name" bad.example.cz "$(jq -r .domain "$WORK/case.json")"
expect_eq "file digest kept" "$(sha256sum "$WORK/shot.png" | cut -d' ' -f1)" \
    "$(jq -r '.evidence[1].sha256' "$WORK/case.json")"
expect_rc "over the cap" 4 "$TOCSIN" domain case deactivate "$ID" --days 31
grep -q "max_days" "$WORK/err" && ok || fail "cap rule not named"
"$TOCSIN" domain case review "$ID" --why "checked the login page"
"$TOCSIN" domain case deactivate "$ID" --days 3 --why "live phishing" --rpz "$RPZ" \
    --hook "$WORK/hook.sh"
expect_eq "RPZ lists the name" 1 "$(grep -c '^bad.example.cz CNAME \.$' "$RPZ")"
expect_eq "RPZ lists what is under it" 1 "$(grep -c '^\*.bad.example.cz CNAME \.$' "$RPZ")"
expect_eq "serial 1" 1 "$(grep -c 'hostmaster.localhost. 1 ' "$RPZ")"
expect_eq "hook arguments" "deactivate|bad.example.cz|1|deactivated|" \
    "$(head -1 "$HOOKLOG" | cut -d'|' -f1-4)|"
reload
expect_eq "NXDOMAIN when deactivated" NXDOMAIN "$(ask bad.example.cz)"
expect_eq "NXDOMAIN below it" NXDOMAIN "$(ask www.bad.example.cz)"
expect_eq "others unaffected" 192.0.2.20 "$(ask good.example.cz)"

# An IDN: punycode in the zone.
IDN=$("$TOCSIN" domain case open 'PŘÍKLAD.cz' --reason malware --evidence https://x.cz/m)
"$TOCSIN" domain case deactivate "$IDN" --days 30 --rpz "$RPZ"
expect_eq "IDN as punycode" 1 "$(grep -c '^xn--pklad-zsa96e.cz CNAME \.$' "$RPZ")"
reload
expect_eq "IDN NXDOMAIN" NXDOMAIN "$(ask xn--pklad-zsa96e.cz)"

# The public list: domain, since, until, reason; nothing private.
"$TOCSIN" domain list --format json >"$WORK/public.json"
expect_eq "public list" "bad.example.cz,xn--pklad-zsa96e.cz" \
    "$(jq -r '[.deactivated[].domain] | sort | join(",")' "$WORK/public.json")"
if grep -q -e shot.png -e "live phishing" -e "cli:" -e login "$WORK/public.json"; then
    fail "the public list shows private fields"
else ok; fi

# ---- Extension needs new evidence; expiry by the clock ----
expect_rc "extension without evidence" 4 "$TOCSIN" domain case extend "$ID" --days 3
grep -q "new evidence" "$WORK/err" && ok || fail "extension rule not named"
later +2d "$TOCSIN" domain expire --remind 2d --rpz "$RPZ" >"$WORK/expire1"
expect_eq "reminder before the end" "ending 1 bad.example.cz" "$(cut -d' ' -f1-3 "$WORK/expire1")"
later +2d "$TOCSIN" domain expire --remind 2d --rpz "$RPZ" >"$WORK/expire2"
expect_eq "a reminder once" "" "$(cat "$WORK/expire2")"
expect_eq "still deactivated" deactivated \
    "$("$TOCSIN" domain case show "$ID" --format json | jq -r .state)"
later +4d "$TOCSIN" domain expire --rpz "$RPZ" --hook "$WORK/hook.sh" >"$WORK/expire3"
expect_eq "expired" "reactivated 1 bad.example.cz" "$(cat "$WORK/expire3")"
expect_eq "hook on expiry" "reactivate|bad.example.cz|1|reactivated|" \
    "$(tail -1 "$HOOKLOG" | cut -d'|' -f1-4)|"
"$TOCSIN" domain case show "$ID" --format json >"$WORK/case.json"
expect_eq "expiry recorded as such" expiry "$(jq -r '.timeline[-1].who' "$WORK/case.json")"
expect_eq "RPZ without it" 0 "$(grep -c '^bad.example.cz' "$RPZ" || true)"
expect_eq "serial increased" 1 "$(grep -c 'hostmaster.localhost. 3 ' "$RPZ")"
reload
expect_eq "real answer after expiry" 192.0.2.10 "$(ask bad.example.cz)"
expect_eq "IDN still deactivated" NXDOMAIN "$(ask xn--pklad-zsa96e.cz)"

# ---- Manual reactivation ----
"$TOCSIN" domain case reactivate "$IDN" --rpz "$RPZ"
reload
expect_eq "real answer after reactivation" 192.0.2.30 "$(ask xn--pklad-zsa96e.cz)"
expect_rc "a reactivated case cannot be extended" 4 "$TOCSIN" domain case extend "$IDN" \
    --days 3 --evidence https://x.cz/again

# ---- The cap at a later date, and an extension with new evidence ----
C3=$(later +10d "$TOCSIN" domain case open c.example.cz --reason botnet-cc \
    --evidence https://c.example.cz/panel)
later +10d "$TOCSIN" domain case deactivate "$C3" --days 30
expect_rc "extension over the cap" 4 later +20d "$TOCSIN" domain case extend "$C3" --days 31 \
    --evidence https://c.example.cz/panel2
later +20d "$TOCSIN" domain case extend "$C3" --days 30 --evidence https://c.example.cz/panel2
"$TOCSIN" domain case show "$C3" --format json >"$WORK/c3.json"
expect_eq "extension counted" 1 "$(jq -r .extensions "$WORK/c3.json")"
expect_eq "timeline" "open,deactivate,extend" \
    "$(jq -r '[.timeline[].action] | join(",")' "$WORK/c3.json")"

# A failing hook is shown and fails the command; the decision stays.
expect_rc "failing hook" 1 "$TOCSIN" domain case cancel "$C3" --hook /bin/false
grep -q "hook failed" "$WORK/err" && ok || fail "hook failure not shown"
expect_eq "cancel recorded" cancelled \
    "$("$TOCSIN" domain case show "$C3" --format json | jq -r .state)"

# ---- Who is informed: the policy's notices in the outbox ----
cat >"$WORK/policy" <<EOF
from csirt@registry.test
from-name Registry CSIRT
national-csirt cert@national.test
procedure https://registry.test/public/domains
notify deactivate holder registrar national-csirt
EOF
C5=$("$TOCSIN" domain case open e.example.cz --reason malware --evidence https://e.example.cz/ \
    --holder holder@e.test --registrar tech@registrar.test --reporter abuse@reporter.test \
    --lang de)
expect_rc "a missing policy changes nothing" 1 "$TOCSIN" domain case deactivate "$C5" --days 2 \
    --policy "$WORK/no-such-policy"
"$TOCSIN" domain case deactivate "$C5" --days 2 --policy "$WORK/policy" 2>"$WORK/err"
grep -q "3 notice(s) queued" "$WORK/err" && ok || fail "notices not reported"
"$TOCSIN" outbox list --format json >"$WORK/outbox.json"
expect_eq "notice recipients" "cert@national.test,holder@e.test,tech@registrar.test" \
    "$(jq -rs '[.[].rcpt] | sort | join(",")' "$WORK/outbox.json")"
expect_eq "German for the holder" 1 \
    "$(jq -rs '[.[] | select(.rcpt == "holder@e.test" and (.subject | test("deaktiviert")))] | length' "$WORK/outbox.json")"
expect_eq "English for the national CSIRT" 1 \
    "$(jq -rs '[.[] | select(.rcpt == "cert@national.test" and (.subject | test("deactivated until")))] | length' "$WORK/outbox.json")"
expect_rc "contact addresses are checked" 2 "$TOCSIN" domain case open f.example.cz \
    --reason spam --evidence https://f.example.cz/ --holder "not an address"
# A day later it ends within the reminder window: the holder and the
# registrar (the default for reminders) are told, in German, once.
later +1d "$TOCSIN" domain expire --remind 2d --policy "$WORK/policy" >/dev/null 2>"$WORK/err"
grep -q "2 notice(s) queued" "$WORK/err" && ok || fail "reminder notices not queued"
later +1d "$TOCSIN" domain expire --remind 2d --policy "$WORK/policy" >/dev/null 2>"$WORK/err"
grep -q "notice(s) queued" "$WORK/err" && fail "a reminder queued twice" || ok
"$TOCSIN" outbox list --format json >"$WORK/outbox.json"
expect_eq "reminders to holder and registrar" "holder@e.test,tech@registrar.test" \
    "$(jq -rs '[.[] | select(.subject | test("Deaktivierung endet")) | .rcpt] | sort | join(",")' "$WORK/outbox.json")"

# ---- `serve` expires deactivations by itself ----
C4=$("$TOCSIN" domain case open d.example.cz --reason spam --evidence https://d.example.cz/)
"$TOCSIN" domain case deactivate "$C4" --days 1 --rpz "$RPZ"
expect_eq "RPZ lists d" 1 "$(grep -c '^d.example.cz CNAME \.$' "$RPZ")"
"$TOCSIN" ca init >/dev/null
# libfaketime preloaded directly, not through the faketime wrapper, so that
# $! is serve itself and the cleanup stops it.
FT_LIB=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1)
[ -n "$FT_LIB" ] || { echo "FAIL: libfaketimeMT.so.1 not found" >&2; exit 1; }
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0" \
    LD_PRELOAD="$FT_LIB" FAKETIME="+2d" "$TOCSIN" serve --listen 127.0.0.1:0 \
    --port-file "$WORK/port" --domain-expire-every 1s --domain-rpz "$RPZ" \
    --domain-hook "$WORK/hook.sh" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
state=""
for _ in $(seq 1 600); do
    state=$("$TOCSIN" domain case show "$C4" --format json | jq -r .state)
    [ "$state" = reactivated ] && grep -q "^reactivate|d.example.cz|" "$HOOKLOG" && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
done
expect_eq "serve reactivated it" reactivated "$state"
for _ in $(seq 1 100); do
    [ "$(grep -c '^d.example.cz' "$RPZ" || true)" = 0 ] && break
    sleep 0.1
done
expect_eq "serve rewrote the RPZ" 0 "$(grep -c '^d.example.cz' "$RPZ" || true)"
grep -q "^reactivate|d.example.cz|" "$HOOKLOG" && ok || fail "serve did not run the hook"
kill "$SERVE_PID"
wait "$SERVE_PID" || true
# serve itself stopped (not a wrapper around it): nothing rewrites the RPZ.
kill -0 "$SERVE_PID" 2>/dev/null && fail "serve is still running" || ok
SERVE_PID=""

finish
