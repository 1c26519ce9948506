# SPDX-License-Identifier: Apache-2.0
# `tocsin serve` end to end with the command line tools: a CA and a site
# certificate from `tocsin ca init` / `tocsin cert issue`, the portal on a free
# port of 127.0.0.1 (and [::1] when available) following an sshd log, curl as
# the client. The mTLS refusals are covered one by one in tests/portal/test_peer.c.
source "$(dirname "$0")/lib.inc"
command -v curl >/dev/null || skip "curl not installed"

PID=
stop_server() {
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    PID=
}
trap stop_server EXIT

# start_server LISTEN ARGS... : starts in the background, waits for the port file.
start_server() {
    local listen=$1
    shift
    rm -f "$WORK/port"
    "$TOCSIN" serve --listen "$listen" --port-file "$WORK/port" "$@" >>"$WORK/serve.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 100); do
        [ -s "$WORK/port" ] && break
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    PORT=$(cat "$WORK/port" 2>/dev/null || echo 0)
}

CA=$TOCSIN_DB.ca
tls() { curl -sS --max-time 10 --cacert "$CA/ca.pem" "$@"; }
mtls() { tls --cert "$WORK/certs/uni-a-Alice.pem" --key "$WORK/certs/uni-a-Alice.key" "$@"; }

"$TOCSIN" site add uni-a --network 192.0.2.0/24 >/dev/null
"$TOCSIN" site add uni-b --network 198.51.100.0/24 >/dev/null

# Refuses to start without its CA directory, or with bad options.
expect_rc "serve without a CA" 1 "$TOCSIN" serve --listen 127.0.0.1:0
grep -q "ca.pem" "$WORK/err" && ok || fail "missing ca.pem not named"
expect_rc "serve without --listen" 2 "$TOCSIN" serve
expect_rc "serve with a host name" 2 "$TOCSIN" serve --listen localhost:8443
expect_rc "serve with a bad input" 2 "$TOCSIN" serve --listen 127.0.0.1:0 --input nope:/x
expect_rc "serve with 0 threads" 2 "$TOCSIN" serve --listen 127.0.0.1:0 --threads 0

"$TOCSIN" ca init >/dev/null
"$TOCSIN" cert issue --site uni-a --name Alice --out "$WORK/certs" >/dev/null
"$TOCSIN" cert issue --site uni-b --name Bob --out "$WORK/certs" >/dev/null

mv "$CA/server.key" "$CA/server.key.aside"
expect_rc "serve without server.key" 1 "$TOCSIN" serve --listen 127.0.0.1:0
grep -q "server.key" "$WORK/err" && ok || fail "missing server.key not named"
mv "$CA/server.key.aside" "$CA/server.key"

# A CRL near its end is re-signed by the daemon, which can read the CA key
# here (--no-crl-renew leaves it alone): an out-of-date CRL would lock every
# client out.
if command -v certtool >/dev/null; then
    next_at() { date -d "$(certtool --crl-info --infile "$CA/crl.pem" | sed -n 's/.*Next at: //p')" +%s; }
    "$TOCSIN" ca crl --hours 2 >/dev/null
    before=$(next_at)
    start_server 127.0.0.1:0 --no-crl-renew
    sleep 0.5
    expect_eq "CRL left alone with --no-crl-renew" "$before" "$(next_at)"
    stop_server
    start_server 127.0.0.1:0
    for _ in $(seq 1 100); do grep -q "CRL renewed" "$WORK/serve.log" && break; sleep 0.1; done
    left=$(($(next_at) - $(date +%s)))
    [ "$left" -gt $((100 * 3600)) ] && ok || fail "CRL not renewed by the daemon ($left s left)"
    stop_server
else
    echo "certtool not installed: CRL renewal not checked"
fi

LOG=$WORK/sshd.log
: >"$LOG"
start_server 127.0.0.1:0 --input "sshd:$LOG" --web "$WORK/certs"
[ "$PORT" != 0 ] && ok || { fail "server did not start"; cat "$WORK/serve.log" >&2; finish; exit 1; }
grep -q "serving https://127.0.0.1:$PORT/" "$WORK/serve.log" && ok || fail "no startup line with the URL"
URL=https://localhost:$PORT

expect_eq "health without a certificate" '{"status":"ok","version":"0.1.0","store":{"backend":"sqlite","ok":true}}' "$(tls "$URL/api/v1/health")"
code=$(tls -o /dev/null -w '%{http_code}' "$URL/api/v1/me")
expect_eq "me without a certificate" 403 "$code"
code=$(mtls -o "$WORK/me.json" -w '%{http_code}' "$URL/api/v1/me")
expect_eq "me with Alice's certificate" 200 "$code"
grep -q '"site":"uni-a"' "$WORK/me.json" && ok || fail "me: not uni-a: $(cat "$WORK/me.json")"

# The input: events appended to the log are stored and served.
for i in 1 2 3; do
    echo "Nov 27 08:0$i:00 gw sshd[10$i]: Failed password for root from 192.0.2.1$i port 4242 ssh2" >>"$LOG"
done
echo "Nov 27 08:04:00 gw sshd[104]: Failed password for root from 198.51.100.7 port 4242 ssh2" >>"$LOG"
n=0
for _ in $(seq 1 50); do
    n=$(mtls "$URL/api/v1/events" | { grep -o '"id":' || true; } | wc -l)
    [ "$n" -ge 3 ] && break
    sleep 0.2
done
expect_eq "Alice sees uni-a's 3 events through the portal" 3 "$n"
mtls "$URL/api/v1/events" | grep -q 198.51.100.7 && fail "Alice sees uni-b's event" || ok

# HEAD, and a header of the contract.
hdrs=$(mtls -I "$URL/api/v1/me")
echo "$hdrs" | grep -qi '^cache-control: no-store' && ok || fail "no Cache-Control: no-store on HEAD /api/v1/me"
echo "$hdrs" | grep -qi "^content-security-policy: default-src 'none'" && ok || fail "no CSP"

# Revocation through the command line reaches the running server.
BOB_FP=$("$TOCSIN" cert list --format json | grep '"Bob"' | grep -o '"fingerprint":"[0-9a-f]*"' | cut -d'"' -f4)
bob() { tls --cert "$WORK/certs/uni-b-Bob.pem" --key "$WORK/certs/uni-b-Bob.key" -o /dev/null -w '%{http_code}' "$URL/api/v1/me"; }
expect_eq "Bob before revocation" 200 "$(bob)"
"$TOCSIN" cert revoke "$BOB_FP" >/dev/null
expect_eq "Bob after revocation" 403 "$(bob)"

# SIGHUP reloads; SIGTERM commits the input and exits 0.
kill -HUP "$PID"
for _ in $(seq 1 150); do grep -q "constituency reloaded" "$WORK/serve.log" && break; sleep 0.1; done
grep -q "SIGHUP: reloading" "$WORK/serve.log" && ok || fail "SIGHUP not seen"
grep -q "constituency reloaded" "$WORK/serve.log" && ok || fail "SIGHUP did not reload the constituency"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
expect_eq "exit status after SIGTERM" 0 "$rc"
grep -q "input sshd:$LOG: 4 records, 4 events stored" "$WORK/serve.log" && ok || fail "input summary missing"

# The checkpoint was committed: a restart does not store the records again.
start_server 127.0.0.1:0 --input "sshd:$LOG"
sleep 0.5
stop_server
expect_eq "events after a restart" 4 "$("$TOCSIN" events --format json | wc -l)"

# IPv6, where the machine has it.
if [ -f /proc/net/if_inet6 ] && grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6; then
    start_server '[::1]:0'
    if [ "$PORT" != 0 ]; then
        ok
        grep -q "serving https://\[::1\]:$PORT/" "$WORK/serve.log" && ok || fail "no IPv6 URL logged"
        expect_eq "health over IPv6" '{"status":"ok","version":"0.1.0","store":{"backend":"sqlite","ok":true}}' \
            "$(tls --resolve "localhost:$PORT:[::1]" "https://localhost:$PORT/api/v1/health")"
    else
        fail "server did not start on [::1]"
    fi
    stop_server
else
    echo "note: no IPv6 loopback, [::1] not tested"
fi

finish
