# SPDX-License-Identifier: Apache-2.0
# The portal in a real browser: a store with two sites (fixtures under
# tests/browser), a CA and a certificate per site, `tocsin serve` on a free
# loopback port, and headless Chromium driven by playwright-core
# (tests/browser/portal.spec.mjs). Each site's browser has its own HOME whose
# NSS database holds only that site's certificate and trusts the CA, so TLS
# is verified for real (no --ignore-certificate-errors), and a managed
# Chromium policy picks the certificate without a dialog.
. "$(dirname "$0")/lib.inc"

BROWSER_SRC=$SRC/tests/browser
# Skip only when a tool is missing; everything else must work.
command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
CHROMIUM=${TS_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "chromium is not installed ($CHROMIUM)"
for tool in certutil pk12util certtool; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
WEB=${TS_BROWSER_WEB:-$(dirname "$TOCSIN")/web}
[ -r "$WEB/index.html" ] || skip "the web UI is not built in $WEB (TS_WEB=OFF, or npm missing at configure time)"

# playwright-core lives next to the work directory (which lib.inc wipes), and
# is reinstalled only when the lock file changes.
NODE_DIR=$(dirname "$WORK")/browser-node
mkdir -p "$NODE_DIR"
if ! cmp -s "$BROWSER_SRC/package-lock.json" "$NODE_DIR/package-lock.json" ||
    [ ! -d "$NODE_DIR/node_modules/playwright-core" ]; then
    cp "$BROWSER_SRC/package.json" "$BROWSER_SRC/package-lock.json" "$NODE_DIR/"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$WORK/npm.log" 2>&1 || {
        cat "$WORK/npm.log" >&2
        echo "FAIL: npm ci for playwright-core" >&2
        exit 1
    }
fi
cp "$BROWSER_SRC/portal.spec.mjs" "$NODE_DIR/"

SERVER_PID=
POLICY=
MADE_DIRS=() # policy directories this run created, deepest first
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "$POLICY" ]; then rm -f "$POLICY"; fi
    # Only when empty: another run's policy file may be there meanwhile.
    for d in "${MADE_DIRS[@]}"; do rmdir "$d" 2>/dev/null || true; done
}
trap cleanup EXIT

# --- the store: constituency and events ------------------------------------
expect_rc "import constituency" 0 "$TOCSIN" constituency import "$BROWSER_SRC/fixtures/constituency.json"

# EVE alerts dated yesterday, so that they fall in every default window. The
# spec's expectations follow these lines: uni-a (with uni-a-lab) 9 events,
# uni-b 3; one signature is markup that must be shown as text.
DAY=$(date -u -d yesterday +%Y-%m-%d)
eve() { # N SRC SPORT DST DPORT CATEGORY SIGNATURE
    printf '{"timestamp":"%sT%02d:00:00.000000+0000","event_type":"alert","src_ip":"%s","src_port":%s,"dest_ip":"%s","dest_port":%s,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":%d,"rev":1,"signature":"%s","category":"%s","severity":2}}\n' \
        "$DAY" "$1" "$2" "$3" "$4" "$5" $((2100000 + $1)) "$7" "$6"
}
{
    for n in 1 2 3 4; do eve "$n" 203.0.113.5 4444 192.0.2.10 80 attempted-admin "ET EXPLOIT browser test $n"; done
    for n in 5 6 7; do eve "$n" 192.0.2.20 5555 203.0.113.9 22 attempted-recon "ET SCAN browser test $n"; done
    eve 8 203.0.113.8 6666 192.0.2.30 443 attempted-dos '<img src=x onerror=alert(1)>'
    eve 9 203.0.113.6 4444 192.0.2.150 80 attempted-admin "ET EXPLOIT browser test lab"
    for n in 10 11 12; do eve "$n" 203.0.113.7 4444 198.51.100.20 80 attempted-admin "ET EXPLOIT browser test B$n"; done
} >"$WORK/alerts.eve.json"
expect_rc "ingest" 0 "$TOCSIN" ingest --format eve --strict -q "$WORK/alerts.eve.json"
expect_eq "uni-a events stored" 9 "$("$TOCSIN" events --site uni-a --format json | wc -l)"
expect_eq "uni-b events stored" 3 "$("$TOCSIN" events --site uni-b --format json | wc -l)"
# An advisory for a platform that only uni-a runs.
expect_rc "platform add" 0 "$TOCSIN" platform add --site uni-a "example corp:widget server:2.3.0"
expect_rc "advisory import" 0 "$TOCSIN" advisories import --strict "$BROWSER_SRC/fixtures/cve-browser-test.json"

# A scan of uni-a whose page title and banner are markup (as a hostile web
# server would send them), stored as a finished scan: the portal must show
# them as text.
sqlite3 "$TOCSIN_DB" <<'SQL' && ok || fail "scan fixture"
INSERT INTO scans (site_id, requested_by, targets, ports, udp, state, created, finished, mode,
                   n_addresses, open_ports, progress)
    SELECT id, 'browser test', '192.0.2.10', 'top100', 0, 'done', 1796601600000000,
           1796601660000000, 'connect', 1, 1, 1 FROM sites WHERE name = 'uni-a';
INSERT INTO scan_services (scan_id, ip, port, transport, service, title, banner, info)
    VALUES (1, '192.0.2.10', 80, 'tcp', 'http',
            '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">',
            'HTTP/1.1 200 OK\x0d\x0a<script>window.__pwned=3</script>', '<b>server</b>');
SQL

# A domain case, deactivated (the CSIRT's domain pages; the public list).
"$TOCSIN" domain zone add cz
DCASE=$("$TOCSIN" domain case open phish.example.cz --reason phishing --evidence https://phish.example.cz/login)
"$TOCSIN" domain case deactivate "$DCASE" --days 10 --why "a kit imitating a bank"

# --- CA, site certificates, server ----------------------------------------
CA=$WORK/ca
expect_rc "ca init" 0 "$TOCSIN" ca init --dir "$CA" --name "tocsin browser test CA"
P12PW=browser-test-pw
for s in uni-a uni-b; do
    expect_rc "cert issue $s" 0 "$TOCSIN" cert issue --ca "$CA" --site "$s" --name "Holder of $s" \
        --out "$WORK/certs-$s" --p12-password "$P12PW"
done
expect_rc "cert issue csirt" 0 "$TOCSIN" cert issue --ca "$CA" --csirt --name "Duty officer" \
    --out "$WORK/certs-csirt" --p12-password "$P12PW"
CA_CN=$(certtool -i --infile "$CA/ca.pem" | sed -n 's/^\tSubject: CN=\(.*\)$/\1/p' | head -1)
[ -n "$CA_CN" ] && ok || fail "CA common name read from $CA/ca.pem"

PORT_FILE=$WORK/port
"$TOCSIN" serve --ca "$CA" --listen 127.0.0.1:0 --port-file "$PORT_FILE" --web "$WEB" \
    --contact "the browser test's CSIRT" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 100); do
    [ -s "$PORT_FILE" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if [ ! -s "$PORT_FILE" ]; then
    sed 's/^/  serve| /' "$WORK/serve.err" >&2
    fail "tocsin serve did not write its port file"
    finish
    exit 1
fi
PORT=$(tr -d '[:space:]' <"$PORT_FILE")
BASE=https://127.0.0.1:$PORT

# --- one HOME and NSS database per site -------------------------------------
# uni-a, uni-b, the CSIRT, and a browser that trusts the CA but holds no certificate.
for s in uni-a uni-b csirt none; do
    home=$WORK/home-$s
    db=sql:$home/.pki/nssdb
    mkdir -p "$home/.pki/nssdb"
    certutil -N -d "$db" --empty-password >"$WORK/nss.log" 2>&1 &&
        certutil -A -n tocsin-browser-test-ca -t C,, -i "$CA/ca.pem" -d "$db" >>"$WORK/nss.log" 2>&1 &&
        { [ "$s" = none ] || pk12util -i "$WORK/certs-$s/"*.p12 -d "$db" -W "$P12PW" >>"$WORK/nss.log" 2>&1; } &&
        ok || { fail "NSS database for $s"; cat "$WORK/nss.log" >&2; }
    # Exactly one client certificate in each database (none in the last).
    expect_eq "$s: user certificates in NSS" "$([ "$s" = none ] && echo 0 || echo 1)" \
        "$(certutil -L -d "$db" | grep -c ',u,' || true)"
done

# Chromium reads managed policies from this directory at start; the file is
# ours alone (pid in the name) and removed by the trap.
POLICY_DIR=/etc/chromium/policies/managed
for d in /etc/chromium/policies/managed /etc/chromium/policies /etc/chromium; do
    [ -d "$d" ] || MADE_DIRS+=("$d")
done
POLICY=$POLICY_DIR/tocsin-browser-test-$$.json
# A parallel run removing the directories it made may race with mkdir: retry.
for _ in 1 2 3; do
    mkdir -p "$POLICY_DIR" 2>/dev/null &&
        printf '{"AutoSelectCertificateForUrls":["{\\"pattern\\":\\"%s\\",\\"filter\\":{\\"ISSUER\\":{\\"CN\\":\\"%s\\"}}}"]}\n' \
            "$BASE" "$CA_CN" 2>/dev/null >"$POLICY" && break
    sleep 0.1
done
if [ ! -s "$POLICY" ]; then
    fail "cannot write the Chromium policy to $POLICY_DIR (the test needs root)"
    finish
    exit 1
fi

# --- the browser ---------------------------------------------------------------
mkdir -p "$WORK/shots"
rc=0
TS_BASE=$BASE TS_CHROMIUM=$CHROMIUM TS_TOCSIN=$TOCSIN TS_CA=$CA TS_HOME_A=$WORK/home-uni-a TS_HOME_B=$WORK/home-uni-b \
    TS_HOME_CSIRT=$WORK/home-csirt TS_HOME_NONE=$WORK/home-none \
    TS_SHOTS=$WORK/shots timeout 300 node "$NODE_DIR/portal.spec.mjs" || rc=$?
if [ "$rc" = 0 ]; then ok; else
    fail "browser scenario (exit $rc; screenshots in $WORK/shots)"
    sed 's/^/  serve| /' "$WORK/serve.err" | tail -20 >&2
fi
kill -0 "$SERVER_PID" 2>/dev/null && ok || fail "server still running after the browser runs"
# SIGTERM is a clean stop (exit 0); under the sanitizers this also checks the
# server's shutdown for leaks and undefined behaviour.
kill -TERM "$SERVER_PID"
src=0
wait "$SERVER_PID" || src=$?
SERVER_PID=
expect_eq "server exit status after SIGTERM" 0 "$src"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer' "$WORK/serve.err"; then
    fail "sanitizer report from the server"
    grep -A20 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer' "$WORK/serve.err" | head -60 >&2
else ok; fi
# Nothing left behind in /etc: the policy file, and the directories this run made.
cleanup
trap - EXIT
[ ! -e "$POLICY" ] && ok || fail "the policy file $POLICY is left"
for d in "${MADE_DIRS[@]}"; do
    { [ ! -d "$d" ] || [ -n "$(ls -A "$d")" ]; } && ok || fail "the empty directory $d is left"
done
finish
