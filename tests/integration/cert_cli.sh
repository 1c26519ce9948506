# SPDX-License-Identifier: Apache-2.0
# The CA and certificate commands end to end: refusals first, then `ca init`,
# `cert issue` (files, modes, extensions read back with certtool/openssl, the
# .p12 opened by OpenSSL and imported into NSS), `cert list`, `cert revoke`
# rewriting the CRL at once, and a revoked certificate of a removed site
# staying in the CRL.
. "$(dirname "$0")/lib.inc"

command -v certtool >/dev/null || skip "certtool (gnutls-bin) not installed"
HAVE_OPENSSL=0
command -v openssl >/dev/null && HAVE_OPENSSL=1
HAVE_NSS=0
command -v pk12util >/dev/null && command -v certutil >/dev/null && HAVE_NSS=1
CA="$TOCSIN_DB.ca"
OUT="$WORK/certs"
PW='correct horse battery'

mode() { stat -c %a "$1"; }
# The SHA-256 fingerprint of a PEM certificate as tocsin writes it.
fp_of() { certtool --certificate-info --infile "$1" | sed -n 's/^[[:space:]]*sha256://p' | head -1; }

# ---- Refusals --------------------------------------------------------------
for c in ca cert; do
    expect_rc "$c --help" 0 "$TOCSIN" "$c" --help
    grep -q 'Usage' "$WORK/out" && ok || fail "$c --help prints usage"
done
for c in "ca init" "ca crl" "cert issue" "cert list" "cert revoke"; do
    # shellcheck disable=SC2086
    expect_rc "$c --help" 0 "$TOCSIN" $c --help
done
expect_rc "ca without command" 2 "$TOCSIN" ca
expect_rc "ca unknown command" 2 "$TOCSIN" ca frob
expect_rc "cert unknown command" 2 "$TOCSIN" cert frob
expect_rc "ca init bad days" 2 "$TOCSIN" ca init --days 0
expect_rc "ca init bad days text" 2 "$TOCSIN" ca init --days 12x
expect_rc "ca init bad server name" 2 "$TOCSIN" ca init --server-name 'a b'
[ ! -e "$CA" ] && ok || fail "a refused ca init leaves no directory"
expect_rc "ca crl without CA" 3 "$TOCSIN" ca crl
expect_rc "issue without site or csirt" 2 "$TOCSIN" cert issue --name A --out "$OUT"
expect_rc "issue with site and csirt" 2 "$TOCSIN" cert issue --site x --csirt --name A --out "$OUT"
expect_rc "issue without name" 2 "$TOCSIN" cert issue --csirt --out "$OUT"
expect_rc "issue without out" 2 "$TOCSIN" cert issue --csirt --name A
expect_rc "issue control char in name" 2 "$TOCSIN" cert issue --csirt --name $'A\tB' --out "$OUT"
expect_rc "issue both passwords" 2 "$TOCSIN" cert issue --csirt --name A --out "$OUT" \
    --p12-password x --p12-password-file /dev/null
expect_rc "issue without CA" 3 "$TOCSIN" cert issue --csirt --name A --out "$OUT"

# ---- ca init -----------------------------------------------------------------
expect_rc "ca init" 0 "$TOCSIN" ca init --name "Test CSIRT CA" --days 30
expect_eq "CA dir mode" 700 "$(mode "$CA")"
expect_eq "CA key mode" 600 "$(mode "$CA/ca.key")"
expect_eq "server key mode" 600 "$(mode "$CA/server.key")"
grep -q 'PRIVATE KEY' "$WORK/out" && fail "ca init prints a key" || ok
sum_before=$(sha256sum "$CA/ca.key" "$CA/ca.pem")
expect_rc "ca init again" 4 "$TOCSIN" ca init
expect_eq "second init changes nothing" "$sum_before" "$(sha256sum "$CA/ca.key" "$CA/ca.pem")"
certtool --certificate-info --infile "$CA/ca.pem" >"$WORK/ca.txt"
grep -q 'Certificate Authority (CA): TRUE' "$WORK/ca.txt" && ok || fail "CA:TRUE"
grep -q 'Path Length Constraint: 0' "$WORK/ca.txt" && ok || fail "pathlen 0"
grep -q 'Certificate signing' "$WORK/ca.txt" && ok || fail "keyCertSign"
grep -q 'CRL signing' "$WORK/ca.txt" && ok || fail "cRLSign"
grep -q 'Subject: CN=Test CSIRT CA' "$WORK/ca.txt" && ok || fail "CA name"
grep -q 'SECP256R1' "$WORK/ca.txt" && ok || fail "P-256 key"
certtool --certificate-info --infile "$CA/server.pem" >"$WORK/srv.txt"
grep -q 'DNSname: localhost' "$WORK/srv.txt" && ok || fail "server SAN localhost"
grep -q 'IPAddress: 127.0.0.1' "$WORK/srv.txt" && ok || fail "server SAN 127.0.0.1"
grep -q 'IPAddress: ::1' "$WORK/srv.txt" && ok || fail "server SAN ::1"
grep -q 'TLS WWW Server' "$WORK/srv.txt" && ok || fail "server EKU"
expect_rc "custom CA" 0 "$TOCSIN" ca init --dir "$WORK/ca2" --server-name portal.example \
    --server-name 192.0.2.10
certtool --certificate-info --infile "$WORK/ca2/server.pem" >"$WORK/srv2.txt"
grep -q 'DNSname: portal.example' "$WORK/srv2.txt" && ok || fail "custom DNS SAN"
grep -q 'IPAddress: 192.0.2.10' "$WORK/srv2.txt" && ok || fail "custom IP SAN"
grep -q 'localhost' "$WORK/srv2.txt" && fail "custom names replace the defaults" || ok
expect_rc "empty CRL" 0 certtool --crl-info --infile "$CA/crl.pem"
grep -q 'Next at:' "$WORK/out" && ok || fail "initial CRL has a next update"
grep -q 'Serial Number' "$WORK/out" && fail "initial CRL is empty" || ok

# ---- cert issue ----------------------------------------------------------------
expect_rc "site a" 0 "$TOCSIN" site add uni-a --network 192.0.2.0/24
expect_rc "site b" 0 "$TOCSIN" site add uni-b --network 198.51.100.0/24
expect_rc "issue unknown site" 3 "$TOCSIN" cert issue --site nobody --name A --out "$OUT"
[ -z "$(ls -A "$OUT" 2>/dev/null)" ] && ok || fail "unknown site leaves no files"

printf '%s\n' "$PW" >"$WORK/pw"
expect_rc "issue alice" 0 "$TOCSIN" cert issue --site uni-a --name "Alice Example" --out "$OUT" \
    --p12-password-file "$WORK/pw" --days 10
cp "$WORK/out" "$WORK/issue-alice"
grep -q "$PW" "$WORK/out" "$WORK/err" && fail "the password is printed" || ok
grep -q 'PRIVATE KEY' "$WORK/out" && fail "issue prints a key" || ok
ALICE="$OUT/uni-a-Alice_Example"
for f in pem key p12; do [ -f "$ALICE.$f" ] && ok || fail "alice .$f written"; done
expect_eq "alice key mode" 600 "$(mode "$ALICE.key")"
expect_eq "alice p12 mode" 600 "$(mode "$ALICE.p12")"
FP_A=$(awk '/^fingerprint/ {print $2}' "$WORK/issue-alice")
# Whose certificate it is: on the command's output and in the .p12 (the name a
# browser's certificate list shows).
expect_eq "issue says whose" "certificate of Alice Example for site uni-a" "$(head -1 "$WORK/issue-alice")"
certtool --p12-info --inder --infile "$ALICE.p12" --password "$PW" >"$WORK/p12info" 2>&1
expect_eq "p12 friendly names (certificate and key)" 2 \
    "$(grep -c 'Friendly name: uni-a: Alice Example (tocsin)$' "$WORK/p12info")"
SER_A=$(awk '/^serial/ {print $2}' "$WORK/issue-alice")
expect_eq "printed fingerprint is the file's" "$(fp_of "$ALICE.pem")" "$FP_A"
expect_eq "serial: 16 octets" 32 "${#SER_A}"
certtool --certificate-info --infile "$ALICE.pem" >"$WORK/alice.txt"
grep -q 'TLS WWW Client' "$WORK/alice.txt" && ok || fail "clientAuth EKU"
grep -q 'TLS WWW Server' "$WORK/alice.txt" && fail "no serverAuth on a client" || ok
grep -q 'Digital signature' "$WORK/alice.txt" && ok || fail "digitalSignature"
grep -q 'Certificate Authority (CA): FALSE' "$WORK/alice.txt" && ok || fail "CA:FALSE"
grep -q 'Subject Key Identifier' "$WORK/alice.txt" && ok || fail "SKI"
grep -q 'Authority Key Identifier' "$WORK/alice.txt" && ok || fail "AKI"
grep -q "Serial Number (hex): $SER_A" "$WORK/alice.txt" && ok || fail "serial matches"
grep -q 'Subject: CN=Alice Example,OU=uni-a' "$WORK/alice.txt" && ok ||
    fail "subject: $(grep Subject: "$WORK/alice.txt")"

sum_before=$(sha256sum "$ALICE".*)
expect_rc "issue over existing files" 4 "$TOCSIN" cert issue --site uni-a --name "Alice Example" \
    --out "$OUT" --p12-password x
expect_eq "existing files untouched" "$sum_before" "$(sha256sum "$ALICE".*)"
expect_rc "issue bob" 0 "$TOCSIN" cert issue --site uni-b --name "Bob/../../x" --out "$OUT" \
    --p12-password bobpw
BOB="$OUT/uni-b-Bob_.._.._x"
[ -f "$BOB.pem" ] && ok || fail "holder name sanitised into the file name: $(ls "$OUT")"
FP_B=$(awk '/^fingerprint/ {print $2}' "$WORK/out")
SER_B=$(awk '/^serial/ {print $2}' "$WORK/out")
expect_rc "issue csirt" 0 "$TOCSIN" cert issue --csirt --name "Duty" --out "$OUT"
grep -q 'no password' "$WORK/out" && ok || fail "a p12 without password is pointed out"
grep -q '^certificate of Duty for the CSIRT' "$WORK/out" && ok || fail "csirt issue says whose"
certtool --certificate-info --infile "$OUT/csirt-Duty.pem" | grep -q 'OU=CSIRT' && ok ||
    fail "csirt subject"

# OpenSSL reads the .p12 with the password, and only with it.
if [ "$HAVE_OPENSSL" = 1 ]; then
    expect_rc "openssl reads p12" 0 openssl pkcs12 -in "$ALICE.p12" -passin "pass:$PW" -nokeys
    grep -q 'subject=OU = uni-a, CN = Alice Example' "$WORK/out" && ok || fail "p12 holds the cert"
    expect_rc "openssl p12 key" 0 openssl pkcs12 -in "$ALICE.p12" -passin "pass:$PW" -nocerts \
        -nodes
    grep -q 'PRIVATE KEY' "$WORK/out" && ok || fail "p12 holds the key"
    expect_rc "openssl p12 wrong password" 1 openssl pkcs12 -in "$ALICE.p12" -passin pass:wrong \
        -nokeys
    expect_rc "openssl p12 no password" 0 openssl pkcs12 -in "$OUT/csirt-Duty.p12" -passin pass: \
        -nokeys
    expect_rc "openssl verify client" 0 openssl verify -purpose sslclient -CAfile "$CA/ca.pem" \
        "$ALICE.pem"
    expect_rc "openssl verify server" 0 openssl verify -purpose sslserver -CAfile "$CA/ca.pem" \
        "$CA/server.pem"
    expect_rc "other CA does not verify" 2 openssl verify -CAfile "$WORK/ca2/ca.pem" "$ALICE.pem"
else
    echo "NOTE: openssl absent, .p12 checked with NSS only"
fi
# NSS (Firefox, Chromium on Linux) imports it.
if [ "$HAVE_NSS" = 1 ]; then
    mkdir "$WORK/nss"
    expect_rc "nss db" 0 certutil -N -d "sql:$WORK/nss" --empty-password
    expect_rc "pk12util import" 0 pk12util -i "$ALICE.p12" -d "sql:$WORK/nss" -W "$PW"
    expect_rc "pk12util import no password" 0 pk12util -i "$OUT/csirt-Duty.p12" -d "sql:$WORK/nss" -W ""
    expect_rc "nss keys" 0 certutil -K -d "sql:$WORK/nss"
    grep -q 'Alice Example' "$WORK/out" && ok || fail "NSS holds Alice's key"
    grep -q 'Duty' "$WORK/out" && ok || fail "NSS holds Duty's key"
    expect_rc "nss certs" 0 certutil -L -d "sql:$WORK/nss"
    grep -q 'uni-a: Alice Example (tocsin) ' "$WORK/out" && ok || fail "NSS nickname: $(cat "$WORK/out")"
    mkdir "$WORK/nss2"
    expect_rc "nss db 2" 0 certutil -N -d "sql:$WORK/nss2" --empty-password
    if pk12util -i "$ALICE.p12" -d "sql:$WORK/nss2" -W wrong >/dev/null 2>&1; then
        fail "pk12util accepts a wrong password"
    else ok; fi
else
    echo "NOTE: pk12util/certutil absent, NSS import not checked"
fi

# ---- cert list ---------------------------------------------------------------------
expect_rc "list" 0 "$TOCSIN" cert list
grep -q "$SER_A  $FP_A  uni-a" "$WORK/out" && ok || fail "table row for alice: $(cat "$WORK/out")"
expect_eq "table rows" 4 "$(wc -l <"$WORK/out")"
expect_rc "list json" 0 "$TOCSIN" cert list --format json
expect_eq "json lines" 3 "$(wc -l <"$WORK/out")"
grep -q "\"serial\":\"$SER_A\",\"fingerprint\":\"$FP_A\",\"site\":\"uni-a\"" "$WORK/out" && ok ||
    fail "json row: $(head -1 "$WORK/out")"
grep -q '"csirt":true' "$WORK/out" && ok || fail "csirt in json"
expect_rc "list site" 0 "$TOCSIN" cert list --format json --site uni-b
expect_eq "list site rows" 1 "$(wc -l <"$WORK/out")"
grep -q "$FP_B" "$WORK/out" && ok || fail "site filter"
expect_rc "list unknown site" 3 "$TOCSIN" cert list --site nobody
expect_rc "list bad format" 2 "$TOCSIN" cert list --format xml

# ---- cert revoke and the CRL ----------------------------------------------------------------
expect_rc "revoke garbage" 2 "$TOCSIN" cert revoke 'x; drop table certs'
expect_rc "revoke nothing" 2 "$TOCSIN" cert revoke
expect_rc "revoke unknown" 3 "$TOCSIN" cert revoke 0102030405
expect_rc "revoke unknown fingerprint" 3 "$TOCSIN" cert revoke "$(printf 'ab%.0s' $(seq 32))"
certtool --crl-info --infile "$CA/crl.pem" | grep -q 'Serial Number' &&
    fail "failed revocations change nothing" || ok
# By fingerprint, written as OpenSSL prints it (uppercase, colons).
FP_B_COLONS=$(echo "$FP_B" | tr a-f A-F | sed 's/../&:/g; s/:$//')
expect_rc "revoke bob by fingerprint" 0 "$TOCSIN" cert revoke "$FP_B_COLONS"
certtool --crl-info --infile "$CA/crl.pem" >"$WORK/crl.txt"
grep -q 'Revoked certificates (1)' "$WORK/crl.txt" && ok || fail "CRL lists one"
grep -q "Serial Number (hex): $SER_B" "$WORK/crl.txt" && ok || fail "CRL lists bob"
expect_rc "CRL signed by the CA" 0 certtool --verify-crl --load-ca-certificate "$CA/ca.pem" \
    --infile "$CA/crl.pem"
if [ "$HAVE_OPENSSL" = 1 ]; then
    expect_rc "revoked cert refused" 2 openssl verify -crl_check -CAfile "$CA/ca.pem" \
        -CRLfile "$CA/crl.pem" "$BOB.pem"
    grep -q 'certificate revoked' "$WORK/out" "$WORK/err" && ok || fail "openssl says revoked"
    expect_rc "other cert still fine" 0 openssl verify -crl_check -CAfile "$CA/ca.pem" \
        -CRLfile "$CA/crl.pem" "$ALICE.pem"
fi
expect_rc "list shows revoked" 0 "$TOCSIN" cert list --format json --site uni-b
grep -q '"revoked":"20' "$WORK/out" && ok || fail "revocation time listed"

# A removed site's revoked certificate stays in every later CRL.
expect_rc "remove site b" 0 "$TOCSIN" site remove uni-b
expect_rc "revoke alice by serial" 0 "$TOCSIN" cert revoke "$SER_A"
expect_rc "ca crl" 0 "$TOCSIN" ca crl --hours 48
certtool --crl-info --infile "$CA/crl.pem" >"$WORK/crl.txt"
grep -q 'Revoked certificates (2)' "$WORK/crl.txt" && ok || fail "CRL lists two"
grep -q "Serial Number (hex): $SER_B" "$WORK/crl.txt" && ok || fail "removed site's cert stays"
grep -q "Serial Number (hex): $SER_A" "$WORK/crl.txt" && ok || fail "CRL lists alice"
# Next update 48 h after this update.
this=$(date -d "$(sed -n 's/.*Issued: //p' "$WORK/crl.txt")" +%s)
next=$(date -d "$(sed -n 's/.*Next at: //p' "$WORK/crl.txt")" +%s)
expect_eq "CRL validity" $((48 * 3600)) $((next - this))
expect_rc "ca crl bad hours" 2 "$TOCSIN" ca crl --hours 0
expect_rc "list removed site" 0 "$TOCSIN" cert list
grep -q '(removed #' "$WORK/out" && ok || fail "removed site shown"
[ -z "$(find "$CA" -name '.crl*')" ] && ok || fail "no temporary CRL files left"

finish
