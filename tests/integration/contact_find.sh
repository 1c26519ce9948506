# SPDX-License-Identifier: Apache-2.0
# The team directory and the contact chain through the real binary, against
# an RDAP server (HTTPS, a throwaway CA's certificate) and two whois servers
# (an IANA-like one that refers, an RIR-like one) on loopback
# (tests/support/contact_servers.py). Refusals first (every rule of the
# listing process, exit 4 with the rule), then own site -> team -> RDAP ->
# whois -> nothing, and each bad answer (429, malformed JSON, a redirect
# loop, a huge answer, one that never ends, a whois flood, a referral loop,
# an untrusted certificate) falling through to the next step in bounded time.
. "$(dirname "$0")/lib.inc"

for tool in certtool python3; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

cd "$WORK"
SRV_PID=""
cleanup() {
    if [ -n "$SRV_PID" ]; then
        kill "$SRV_PID" 2>/dev/null || true
        wait "$SRV_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# field JSON KEY: a top-level field of a JSON object on stdin
field() { python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(str(v).lower() if isinstance(v,bool) else v)' "$1"; }

# ---- the directory and its rules ----
T="$TOCSIN"
"$T" site add uni --network 10.1.0.0/16 >/dev/null
"$T" contact add --site uni --email abuse@uni.example --role abuse >/dev/null

expect_rc "bad team name" 2 "$T" team add 'a b' --country DE --email x@a.example
expect_rc "bad country" 2 "$T" team add X --country de --email x@a.example
expect_rc "bad network" 2 "$T" team add X --country DE --email x@a.example --network 10.0.0.1/8
expect_rc "no email" 2 "$T" team add X --country DE
"$T" team add alpha --country DE --email cert@alpha.example --network 198.51.100.0/24 --asn 64500 \
    --rep 'Ann Example <ann@alpha.example>' >/dev/null
"$T" team add beta --country NL --email cert@beta.example --network 198.51.100.128/25 >/dev/null
"$T" team add gamma --country CZ --email cert@gamma.example --domain gamma.example >/dev/null
"$T" team add delta --country AT --email cert@delta.example >/dev/null
expect_rc "same name twice" 4 "$T" team add alpha --country DE --email a@alpha.example
expect_rc "sponsor not accredited" 4 "$T" team sponsor gamma --by delta
grep -q "refused: a sponsor must be accredited" "$WORK/err" && ok || fail "the rule is named: $(cat "$WORK/err")"
expect_rc "founding alpha" 0 "$T" team accredit alpha --founding
expect_rc "founding beta" 0 "$T" team accredit beta --founding
expect_rc "a third founder" 4 "$T" team accredit gamma --founding
expect_rc "self-sponsoring" 4 "$T" team sponsor gamma --by gamma
grep -q "itself" "$WORK/err" && ok || fail "self-sponsoring rule: $(cat "$WORK/err")"
expect_rc "sponsor 1" 0 "$T" team sponsor gamma --by alpha
expect_rc "the same sponsor twice" 4 "$T" team sponsor gamma --by alpha
grep -q "already" "$WORK/err" && ok || fail "same sponsor rule: $(cat "$WORK/err")"
expect_rc "listing with one sponsor" 4 "$T" team list-as gamma
expect_rc "sponsor 2" 0 "$T" team sponsor gamma --by beta
expect_rc "listed" 0 "$T" team list-as gamma
expect_rc "accreditation candidate" 0 "$T" team accredit gamma --deadline 30
expect_rc "incomplete data" 4 "$T" team accredit gamma
expect_rc "reject delta" 0 "$T" team reject delta --reason "no sponsors"
expect_rc "reapply within 12 months" 4 "$T" team add delta --country AT --email cert@delta.example
grep -q "12 months" "$WORK/err" && ok || fail "reapply rule: $(cat "$WORK/err")"
expect_rc "unknown team" 3 "$T" team show nope
"$T" team show gamma --format json >show.json
expect_eq "state in show" accreditation-candidate "$(field state <show.json)"
expect_eq "sponsors in show" "alpha beta" "$(python3 -c 'import json; print(" ".join(s["team"] for s in json.load(open("show.json"))["sponsors"]))')"
expect_eq "who in the audit" "cli:" "$(python3 -c 'import json; print(json.load(open("show.json"))["audit"][0]["who"][:4])')"
"$T" team export --format csv >teams.csv
expect_eq "csv rows" 5 "$(wc -l <teams.csv)"
"$T" team export >teams.json
expect_eq "json export" 4 "$(python3 -c 'import json; print(len(json.load(open("teams.json"))))')"
# Import: the data comes back, the process does not (every team a candidate).
expect_rc "import into another store" 0 env TOCSIN_DB="$WORK/imported.db" "$T" team import teams.json
grep -q "4 teams added" "$WORK/out" && ok || fail "import count: $(cat "$WORK/out")"
expect_eq "imported as candidates" 4 "$(TOCSIN_DB="$WORK/imported.db" "$T" team list --state candidate --format csv | tail -n +2 | wc -l)"
expect_eq "imported constituency" "198.51.100.0/24" "$(TOCSIN_DB="$WORK/imported.db" "$T" team show alpha --format json | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["constituency"]["networks"]))')"
# Candidates are not in the directory the chain uses.
expect_eq "candidates answer nothing" none "$(TOCSIN_DB="$WORK/imported.db" "$T" contact find 198.51.100.7 --no-network --format json | field source)"
printf '[{"short_team_name": "x", "country": "DE", "email": "a@b.example", "constituency": {"networks": ["10.0.0.1/8"]}}]' >bad-import.json
expect_rc "a bad record imports nothing" 2 env TOCSIN_DB="$WORK/imported.db" "$T" team import bad-import.json
grep -q "teams\[0\]: constituency.networks\[0\]" "$WORK/err" && ok || fail "bad record named: $(cat "$WORK/err")"

# ---- PKI and servers ----
mkpki() {
    certtool --generate-privkey --key-type ecdsa --outfile "$1.key" >/dev/null 2>&1
    printf 'cn = "%s"\nca\ncert_signing_key\nexpiration_days = 2\n' "$1" >"$1.tmpl"
    certtool --generate-self-signed --load-privkey "$1.key" --template "$1.tmpl" \
        --outfile "$1.pem" >/dev/null 2>&1
}
mkpki ca
mkpki otherca
certtool --generate-privkey --key-type ecdsa --outfile srv.key >/dev/null 2>&1
printf 'cn = "127.0.0.1"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nexpiration_days = 2\n' >srv.tmpl
certtool --generate-certificate --load-privkey srv.key --load-ca-certificate ca.pem \
    --load-ca-privkey ca.key --template srv.tmpl --outfile srv.pem >/dev/null 2>&1
[ -s srv.pem ] || { echo "FAIL: certtool could not make the server certificate" >&2; exit 1; }
python3 "$SRC/tests/support/contact_servers.py" srv.pem srv.key ports &
SRV_PID=$!
for _ in $(seq 600); do [ -s ports ] && break; sleep 0.05; done
[ -s ports ] || { echo "FAIL: the test servers did not start" >&2; exit 1; }
read -r RDAP_PORT IANA_PORT RIR_PORT <ports
RDAP="https://127.0.0.1:$RDAP_PORT/"

# ---- the bootstrap files, as IANA publishes them, pointing at the test server ----
mkdir boot
cat >boot/ipv4.json <<EOF
{"version":"1.0","publication":"2026-11-01T00:00:00Z","description":"test",
 "services":[[["192.0.0.0/8"],["http://127.0.0.1:1/","$RDAP"]],[["203.0.113.0/24"],["https://127.0.0.1:1/"]]]}
EOF
printf '{"services":[[["2001:db8::/32"],["%s"]]]}\n' "$RDAP" >boot/ipv6.json
printf '{"services":[[["64496-64511"],["%s"]]]}\n' "$RDAP" >boot/asn.json
printf '{"services":[[["org","net"],["%s"]]]}\n' "$RDAP" >boot/dns.json
cp -r boot badboot
printf '{"services":[[["not-a-prefix"],["%s"]]]}\n' "$RDAP" >badboot/ipv4.json
expect_rc "a malformed bootstrap file" 1 "$T" rdap bootstrap update "$WORK/badboot"
grep -q "ipv4" "$WORK/err" && ok || fail "the bad file is named: $(cat "$WORK/err")"
expect_rc "bootstrap update" 0 "$T" rdap bootstrap update "$WORK/boot"
"$T" rdap bootstrap show >boot.txt
grep -q "^ipv4 .*boot/ipv4.json" boot.txt && ok || fail "bootstrap kept: $(cat boot.txt)"

W=(--whois "127.0.0.1:$IANA_PORT" --cacert "$WORK/ca.pem" --timeout 3 --no-cache)
find_json() { "$T" contact find "$1" --format json "${W[@]}" "${@:2}"; }

# ---- the chain, step by step ----
find_json 10.1.2.3 >a.json || true
expect_eq "own site source" site "$(field source <a.json)"
expect_eq "own site contact" abuse@uni.example "$(field email <a.json)"
find_json 198.51.100.200 >a.json
expect_eq "most specific team" beta "$(field name <a.json)"
expect_eq "team source" team "$(field source <a.json)"
find_json 198.51.100.7 >a.json
expect_eq "less specific team" alpha "$(field name <a.json)"
find_json AS64500 >a.json
expect_eq "team by ASN" alpha "$(field name <a.json)"
find_json www.gamma.example >a.json
expect_eq "team by domain" gamma "$(field name <a.json)"
expect_eq "not verified" false "$(field verified <a.json)"
find_json 192.0.2.1 >a.json
expect_eq "RDAP nested abuse" abuse@org.example "$(field email <a.json)"
expect_eq "RDAP source" rdap "$(field source <a.json)"
expect_eq "RDAP object" "NET-192-0-2-0-1 > ABUSE-ARIN" "$(field object <a.json)"
find_json 192.0.2.0/28 >a.json
expect_eq "RDAP prefix" abuse@org.example "$(field email <a.json)"
find_json AS64501 >a.json
expect_eq "RDAP autnum" abuse@as64501.example "$(field email <a.json)"
find_json example.org >a.json
expect_eq "RDAP domain, registrar's nested abuse" abuse@registrar.example "$(field email <a.json)"
# 429 -> whois (IANA refers to the RIR-like server, ARIN-style answer)
find_json 192.0.2.2 >a.json
expect_eq "429 falls through to whois" whois "$(field source <a.json)"
expect_eq "whois OrgAbuseEmail" abuse@arin-like.example "$(field email <a.json)"
field trail <a.json | grep -q "429" && ok || fail "the 429 is in the trail: $(cat a.json)"
find_json 192.0.2.3 >a.json
expect_eq "malformed JSON falls through" abuse@ripe-like.example "$(field email <a.json)"
field trail <a.json | grep -qi "line\|syntax\|end" && ok || fail "malformed named: $(cat a.json)"
start=$(date +%s)
rc=0
find_json 192.0.2.4 >a.json || rc=$?
expect_eq "redirect loop: nothing found" 3 "$rc"
expect_eq "redirect loop source" none "$(field source <a.json)"
find_json 192.0.2.5 >a.json || true
field trail <a.json | grep -q "rdap: .*\(large\|limit\|bytes\|big\)" && ok || fail "huge RDAP cut: $(cat a.json)"
field trail <a.json | grep -q "whois: .*passed" && ok || fail "whois flood cut: $(cat a.json)"
find_json 192.0.2.6 >a.json || true
expect_eq "never-ending answers" none "$(field source <a.json)"
end=$(date +%s)
[ $((end - start)) -lt 60 ] && ok || fail "bounded time: $((end - start)) s"
find_json 192.0.2.8 >a.json || true
field trail <a.json | grep -q "referral loop" && ok || fail "referral loop: $(cat a.json)"
find_json 192.0.2.11 >a.json || true
field trail <a.json | grep -q "port 25 of another host, not followed" && ok || fail "hostile referral: $(cat a.json)"
find_json 192.0.2.9 >a.json || true
field trail <a.json | grep -q "nested deeper" && ok || fail "deep entities: $(cat a.json)"
# an untrusted certificate: refused, falls through
"$T" contact find 192.0.2.1 --format json --whois "127.0.0.1:$IANA_PORT" --cacert "$WORK/otherca.pem" \
    --timeout 3 --no-cache >a.json || true
expect_eq "untrusted certificate" none "$(field source <a.json)"
# nothing anywhere, said plainly
expect_rc "nothing found" 3 "$T" contact find 192.0.2.77 "${W[@]}"
grep -q "no contact found" "$WORK/out" && ok || fail "said plainly: $(cat "$WORK/out")"
expect_rc "not a query" 2 "$T" contact find 'x y'
# ---- forwarding through the outbox, honouring TLP ----
cat >events.jsonl <<'EOF2'
{"feed.name": "ssh", "classification.type": "brute-force", "source.ip": "192.0.2.1", "destination.ip": "10.1.0.5", "destination.port": 22, "tlp": "AMBER", "time.source": "2026-11-27T09:00:00+00:00"}
{"feed.name": "ssh", "classification.type": "brute-force", "source.ip": "192.0.2.1", "destination.ip": "10.1.0.5", "tlp": "RED", "time.source": "2026-11-27T09:00:01+00:00"}
{"feed.name": "ssh", "classification.type": "brute-force", "source.ip": "192.0.2.1", "destination.ip": "10.1.0.5", "tlp": "AMBER+STRICT", "time.source": "2026-11-27T09:00:02+00:00"}
{"feed.name": "ssh", "classification.type": "brute-force", "source.ip": "198.51.100.200", "destination.ip": "10.1.0.6", "time.source": "2026-11-27T09:00:03+00:00"}
{"feed.name": "ssh", "classification.type": "brute-force", "source.ip": "10.1.0.7", "time.source": "2026-11-27T09:00:04+00:00"}
EOF2
"$T" ingest --format intelmq events.jsonl >/dev/null 2>&1
F=(--from csirt@csirt.example --whois "127.0.0.1:$IANA_PORT" --cacert "$WORK/ca.pem" --timeout 3)
expect_rc "forward TLP:RED" 4 "$T" contact forward 2 "${F[@]}"
grep -q "TLP:RED is never shared" "$WORK/err" && ok || fail "red named: $(cat "$WORK/err")"
expect_rc "forward TLP:AMBER+STRICT" 4 "$T" contact forward 3 "${F[@]}"
expect_rc "forward an own site's address" 4 "$T" contact forward 5 "${F[@]}"
expect_rc "forward no such event" 3 "$T" contact forward 99 "${F[@]}"
expect_rc "forward needs --from" 2 "$T" contact forward 1
expect_rc "forward via RDAP" 0 "$T" contact forward 1 "${F[@]}"
grep -q "abuse@org.example" "$WORK/out" && ok || fail "RDAP contact: $(cat "$WORK/out")"
expect_rc "forward to a team, unlabelled as AMBER" 0 "$T" contact forward 4 "${F[@]}"
grep -q "cert@beta.example.*TLP:AMBER" "$WORK/out" && ok || fail "team forward: $(cat "$WORK/out")"
"$T" outbox list --format json >outbox.json 2>/dev/null || "$T" outbox list >outbox.json
grep -q "abuse@org.example" outbox.json && ok || fail "queued in the outbox: $(head -c 600 outbox.json)"
grep -q "cert@beta.example" outbox.json && ok || fail "team mail queued: $(head -c 600 outbox.json)"
grep -q "TLP:AMBER\] \[CSIRT\] brute-force involving 198.51.100.200" outbox.json && ok || fail "the forward template's subject: $(head -c 900 outbox.json)"

# ---- re-verification by the notification daemon: signed, one mail each ----
if command -v gpg >/dev/null 2>&1; then
    export GNUPGHOME="$WORK/gpg"
    mkdir -m 700 "$GNUPGHOME"
    gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key \
        "CSIRT <csirt@csirt.example>" ed25519 sign never 2>/dev/null
    before=$(sqlite3 "$TOCSIN_DB" "SELECT count(*) FROM outbox WHERE kind = 'verify'" 2>/dev/null || echo x)
    expect_rc "notify run --verify-contacts" 0 "$T" notify run --once --smtp smtp://127.0.0.1:1 \
        --from csirt@csirt.example --portal https://portal.csirt.example --verify-contacts
    if [ "$before" != x ]; then
        after=$(sqlite3 "$TOCSIN_DB" "SELECT count(*) FROM outbox WHERE kind = 'verify'")
        # uni's contact, alpha's, beta's and gamma's addresses, alpha's
        # representative; delta was rejected: not asked
        expect_eq "verification mails queued" 5 "$((after - before))"
        expect_eq "signed" 5 "$(sqlite3 "$TOCSIN_DB" "SELECT count(*) FROM outbox WHERE kind = 'verify' AND CAST(data AS TEXT) LIKE '%application/pgp-signature%'")"
        expect_eq "team mails at site 0" 4 "$(sqlite3 "$TOCSIN_DB" "SELECT count(*) FROM outbox WHERE kind = 'verify' AND site_id = 0 AND contact_id = 0")"
    fi
    "$T" contact verify-due --format json >due.json
    expect_eq "all stale now" 5 "$(grep -c '"state":"stale"' due.json)"
    grep -q '"kind":"team","owner":"delta"' due.json && fail "a rejected team is not asked" || ok
    gpgconf --kill all >/dev/null 2>&1 || true
fi

# the cache: a second lookup is served from the store, even with the servers gone
find_json 192.0.2.1 --ttl 3600 >/dev/null
W=(--whois "127.0.0.1:$IANA_PORT" --cacert "$WORK/ca.pem" --timeout 3)
find_json 192.0.2.1 >/dev/null
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null || true; SRV_PID=""
find_json 192.0.2.1 >a.json
expect_eq "cached answer" true "$(field cached <a.json)"
expect_eq "cached email" abuse@org.example "$(field email <a.json)"
finish
