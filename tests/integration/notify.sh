# SPDX-License-Identifier: Apache-2.0
# Notifications end to end, with the real parts: a private Postfix on
# loopback (tests/support/postfix.sh) delivering to Maildirs and refusing
# unknown recipients (550) and a busy one (450), GnuPG keys for the CSIRT
# and the contacts, an S/MIME certificate for the CSIRT and one contact
# (gpgsm), advisories matched to the sites' platforms. The mails are read
# back from the mailboxes as their recipients would: signatures verified and
# encrypted parts decrypted with gpg, or gpgsm for S/MIME. Then `notify run` is
# killed with SIGKILL again and again (at least 50 times) while it sends
# hundreds of mails, and every mail must be delivered exactly once.
. "$(dirname "$0")/lib.inc"
[ "$(id -u)" -eq 0 ] || skip "needs root: Postfix's master runs as root (CI runs as root)"
for c in postfix gpg gpgsm openssl jq python3 sqlite3; do
    command -v "$c" >/dev/null || skip "$c not installed (scripts/install-deps.sh installs it)"
done
RELAY=$WORK/relay
# The database as the test reads it, waiting for the writer's lock.
q() { sqlite3 -cmd '.timeout 20000' "$TOCSIN_DB" "$1"; }
export GNUPGHOME=$WORK/gpg-csirt
cleanup() {
    bash "$SRC/tests/support/postfix.sh" stop "$RELAY" || true
    for h in "$WORK"/gpg-*; do gpgconf --homedir "$h" --kill all >/dev/null 2>&1 || true; done
    [ -n "${RUNNER:-}" ] && kill -9 "$RUNNER" 2>/dev/null || true
}
trap cleanup EXIT
bash "$SRC/tests/support/postfix.sh" start "$RELAY" site-a.test site-b.test
PORT=$(cat "$RELAY/port")
for u in soc@site-a.test cio@site-a.test abuse@site-b.test bulk@site-b.test pki@site-b.test; do
    bash "$SRC/tests/support/postfix.sh" adduser "$RELAY" "$u"
done
bash "$SRC/tests/support/postfix.sh" defer "$RELAY" busy@site-b.test

gen() { # HOME UID USAGE
    mkdir -m 700 -p "$1"
    gpg --homedir "$1" --batch --pinentry-mode loopback --passphrase '' \
        --quick-gen-key "$2" "$([ "$3" = sign ] && echo ed25519 || echo future-default)" "$3" never 2>/dev/null
}
gen "$GNUPGHOME" "Example CSIRT <csirt@csirt.test>" sign
gen "$WORK/gpg-soc" "SOC <soc@site-a.test>" default
gen "$WORK/gpg-cio" "CIO <cio@site-a.test>" default
gpg --homedir "$WORK/gpg-soc" --armor --export soc@site-a.test >"$WORK/soc.asc"
gpg --armor --export csirt@csirt.test >"$WORK/csirt.asc"
for h in soc cio; do gpg --homedir "$WORK/gpg-$h" --batch --import "$WORK/csirt.asc" 2>/dev/null; done
# S/MIME: the CSIRT's signing certificate in its home (gpgsm), the contact
# pki@site-b.test's in its own, an expired one; self-signed, so each side
# trusts the other's as a root (trustlist.txt). No CRLs on loopback.
smime_gen() { # HOME CN EMAIL NOT_BEFORE NOT_AFTER: HOME/own.pem
    mkdir -m 700 -p "$1"
    echo disable-crl-checks >"$1/gpgsm.conf"
    printf 'Key-Type: RSA\nKey-Length: 2048\nKey-Usage: sign, encrypt\nSerial: random\nName-DN: CN=%s\nName-Email: %s\nNot-Before: %s\nNot-After: %s\n%%commit\n' \
        "$2" "$3" "$4" "$5" >"$1/params"
    gpgsm --homedir "$1" --batch --pinentry-mode loopback --passphrase '' --armor \
        --gen-key "$1/params" >"$1/own.pem" 2>/dev/null
    gpgsm --homedir "$1" --batch --import "$1/own.pem" 2>/dev/null
}
smime_fpr() { gpgsm --homedir "$1" --with-colons --list-keys 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}'; }
smime_gen "$GNUPGHOME" "Example CSIRT" csirt@csirt.test 2026-01-01 2036-01-01
smime_gen "$WORK/gpg-pki" "PKI Site B" pki@site-b.test 2026-01-01 2036-01-01
smime_gen "$WORK/gpg-old" "Old" old@site-b.test 2020-01-01 2021-01-01
CSIRT_SMIME=$(smime_fpr "$GNUPGHOME")
PKI_SMIME=$(smime_fpr "$WORK/gpg-pki")
echo "$CSIRT_SMIME S relax" >>"$GNUPGHOME/trustlist.txt"
echo "$PKI_SMIME S relax" >>"$GNUPGHOME/trustlist.txt"
echo "$CSIRT_SMIME S relax" >>"$WORK/gpg-pki/trustlist.txt"
echo "$PKI_SMIME S relax" >>"$WORK/gpg-pki/trustlist.txt"
for h in "$GNUPGHOME" "$WORK/gpg-pki"; do gpgconf --homedir "$h" --reload gpg-agent 2>/dev/null || true; done

"$TOCSIN" site add site-a >/dev/null
"$TOCSIN" site add site-b >/dev/null
"$TOCSIN" platform add --site site-a "openbsd:openssh:8.7p1" >/dev/null
"$TOCSIN" platform add --site site-b "openbsd:openssh:9.0p1" >/dev/null

# ---- Bad input first: refused, with a reason, nothing stored.
expect_rc "address without @" 2 "$TOCSIN" contact add --site site-a --email soc.site-a.test
expect_rc "header injection in the address" 2 "$TOCSIN" contact add --site site-a \
    --email $'soc@site-a.test\r\nBcc: x@evil.test'
expect_rc "header injection in the name" 2 "$TOCSIN" contact add --site site-a \
    --email soc@site-a.test --name $'SOC\r\nBcc: x@evil.test'
printf 'this is not a key\n' >"$WORK/notakey.asc"
expect_rc "a key that is not a key" 2 "$TOCSIN" contact add --site site-a \
    --email soc@site-a.test --key "$WORK/notakey.asc"
grep -q "pgp_key: not an OpenPGP public key" "$WORK/err" && ok || fail "key refusal: $(cat "$WORK/err")"
gpg --armor --export-secret-keys csirt@csirt.test >"$WORK/secret.asc" 2>/dev/null
expect_rc "a secret key" 2 "$TOCSIN" contact add --site site-a --email soc@site-a.test \
    --key "$WORK/secret.asc"
expect_rc "unknown site" 3 "$TOCSIN" contact add --site nowhere --email a@nowhere.test
expect_rc "bad language" 2 "$TOCSIN" contact add --site site-a --email soc@site-a.test --lang fr
printf 'this is not a certificate\n' >"$WORK/notacert.pem"
expect_rc "a certificate that is not one" 2 "$TOCSIN" contact add --site site-b \
    --email pki@site-b.test --smime-cert "$WORK/notacert.pem"
grep -q "smime_cert: not a PEM X.509 certificate" "$WORK/err" && ok || fail "cert refusal: $(cat "$WORK/err")"
expect_rc "an expired certificate" 2 "$TOCSIN" contact add --site site-b \
    --email pki@site-b.test --smime-cert "$WORK/gpg-old/own.pem"
grep -q "smime_cert: the certificate has expired" "$WORK/err" && ok || fail "expired cert: $(cat "$WORK/err")"
expect_rc "bad crypto" 2 "$TOCSIN" contact add --site site-b --email pki@site-b.test --crypto x509
printf 'site,email,tz\nsite-a,ok@site-a.test,UTC\nsite-b,x@site-b.test,Mars/Base\n' >"$WORK/bad.csv"
expect_rc "an import with a bad row" 2 "$TOCSIN" contact import "$WORK/bad.csv"
grep -q "line 3: tz:" "$WORK/err" && ok || fail "import refusal: $(cat "$WORK/err")"
expect_eq "nothing imported" "0" "$("$TOCSIN" contact list --format json | wc -l)"
mkdir -p "$WORK/badtpl"
cp -r "$SRC/templates/en" "$SRC/templates/de" "$WORK/badtpl/"
printf '* {{summary}} {{severity}}\n' >"$WORK/badtpl/de/item.txt"
expect_rc "a template with an unknown placeholder" 1 "$TOCSIN" notify run --once \
    --smtp "smtp://127.0.0.1:$PORT" --from csirt@csirt.test --templates "$WORK/badtpl"
grep -q "de/item.txt:1: unknown placeholder {{severity}}" "$WORK/err" && ok ||
    fail "template refusal: $(cat "$WORK/err")"

# ---- The contacts.
expect_rc "contact with a key" 0 "$TOCSIN" contact add --site site-a --email soc@site-a.test \
    --name "SOC" --key "$WORK/soc.asc" --immediate low --role abuse --role technical
expect_rc "contact without a key, German" 0 "$TOCSIN" contact add --site site-a \
    --email cio@site-a.test --name "Jürgen Müller" --lang de --immediate medium --role management
printf 'site,email,immediate\nsite-b,abuse@site-b.test,low\nsite-b,nobody@site-b.test,low\nsite-b,busy@site-b.test,low\n' >"$WORK/b.csv"
expect_rc "import" 0 "$TOCSIN" contact import "$WORK/b.csv"
expect_rc "contact with an S/MIME certificate" 0 "$TOCSIN" contact add --site site-b \
    --email pki@site-b.test --name "PKI" --smime-cert "$WORK/gpg-pki/own.pem" --immediate low
expect_rc "contact set --crypto smime" 0 "$TOCSIN" contact set --site site-b --email pki@site-b.test \
    --crypto smime
expect_eq "crypto kept" "smime true" "$("$TOCSIN" contact list --site site-b --format json | jq -r 'select(.email=="pki@site-b.test") | "\(.crypto) \(.smime)"')"
"$TOCSIN" contact list --site site-b | grep "pki@site-b.test" | grep -Eq " none +ok +smime +PKI$" && ok ||
    fail "contact list: $("$TOCSIN" contact list --site site-b)"
expect_eq "contacts" "6" "$("$TOCSIN" contact list --format json | wc -l)"
expect_eq "key checked" "ok" "$("$TOCSIN" contact list --site site-a --format json | jq -r 'select(.email=="soc@site-a.test") | .key')"

# ---- What is new: an advisory for OpenSSH (both sites' platforms match).
expect_rc "advisory import" 0 "$TOCSIN" advisories import "$SRC/../shared/corpus/advisories/cve/CVE-2024-6387.json"
sleep 2.2 # the source's settling time (docs/notify.md)
expect_rc "preview" 0 "$TOCSIN" notify preview --site site-a --portal https://portal.csirt.test
grep -q "To: \"SOC\" <soc@site-a.test>" "$WORK/out" && ok || fail "preview shows no mail to soc"
grep -q "abuse@site-b.test" "$WORK/out" && fail "preview of site-a shows site-b" || ok
expect_eq "preview changes nothing" "0" "$("$TOCSIN" outbox list --format json | wc -l)"

RUN=("$TOCSIN" notify run --smtp "smtp://127.0.0.1:$PORT" --from csirt@csirt.test
     --from-name "Example CSIRT" --portal https://portal.csirt.test --starttls
     --cafile "$RELAY/tls/cert.pem" --resolve-cmd "bash $SRC/tests/support/postfix_resolve.sh $RELAY"
     --smime-sign-key "$CSIRT_SMIME")
expect_rc "notify run --once" 0 "${RUN[@]}" --once
state() { "$TOCSIN" outbox list --format json | jq -r "select(.rcpt==\"$1\") | .state"; }
expect_eq "soc: sent" "sent" "$(state soc@site-a.test)"
expect_eq "cio: sent" "sent" "$(state cio@site-a.test)"
expect_eq "abuse@site-b: sent" "sent" "$(state abuse@site-b.test)"
expect_eq "nobody: failed (5xx)" "failed" "$(state nobody@site-b.test)"
"$TOCSIN" outbox list --format json | jq -r 'select(.rcpt=="nobody@site-b.test") | .reply' | grep -q "^550 5.1.1" && ok || fail "the 550 is not shown"
expect_eq "busy: deferred (4xx)" "deferred" "$(state busy@site-b.test)"
"$TOCSIN" outbox list | grep -q "450 4.2.1" && ok || fail "the 450 is not shown"

# Read as the recipients: one mail each, checked with gpg.
check() { python3 "$SRC/tests/support/mailcheck.py" "$1" "$2"; }
maildir() { find "$RELAY/mail/${1#*@}/${1%@*}/new" -type f 2>/dev/null; }
expect_eq "one mail for soc" "1" "$(maildir soc@site-a.test | wc -l)"
J=$(check "$WORK/gpg-soc" "$(maildir soc@site-a.test)")
expect_eq "soc: encrypted" "encrypted" "$(jq -r .form <<<"$J")"
expect_eq "soc: signature" "good" "$(jq -r .signature <<<"$J")"
jq -r .text <<<"$J" | grep -q "CVE-2024-6387" && ok || fail "soc: no advisory in the text"
jq -r .text <<<"$J" | grep -q "Why you: your platform openbsd:openssh:8.7p1 matches" && ok || fail "soc: no why"
jq -r .text <<<"$J" | grep -q "Portal: https://portal.csirt.test/#/advisories/CVE-2024-6387" && ok || fail "soc: no link"
expect_eq "soc: CSV attached" "events-vulnerable-system.csv" "$(jq -r '.attachments | join(",")' <<<"$J")"
grep -q "CVE-2024-6387" "$(maildir soc@site-a.test)" && fail "soc: the advisory is readable without the key" || ok
J=$(check "$WORK/gpg-cio" "$(maildir cio@site-a.test)")
expect_eq "cio: signed, not encrypted" "signed" "$(jq -r .form <<<"$J")"
expect_eq "cio: signature" "good" "$(jq -r .signature <<<"$J")"
expect_eq "cio: German subject" "[Example CSIRT] 1 neue Meldung(en) für site-a (sofort)" "$(jq -r .subject <<<"$J")"
expect_eq "cio: name encoded" "Jürgen Müller <cio@site-a.test>" "$(jq -r .to <<<"$J")"
grep -q "^Subject: =?UTF-8?B?" "$(maildir cio@site-a.test)" && ok || fail "cio: subject not RFC 2047"
J=$(check "$WORK/gpg-cio" "$(maildir abuse@site-b.test)")
jq -r .text <<<"$J" | grep -q "site-a" && fail "site-b's mail names site-a" || ok
# S/MIME (RFC 8551): enveloped to pki's certificate, signed inside with the
# CSIRT's; gpgsm in pki's home decrypts and verifies.
expect_eq "pki: sent" "sent" "$(state pki@site-b.test)"
expect_eq "one mail for pki" "1" "$(maildir pki@site-b.test | wc -l)"
grep -q "^Content-Type: application/pkcs7-mime; smime-type=enveloped-data;" "$(maildir pki@site-b.test)" && ok ||
    fail "pki: not enveloped"
J=$(check "$WORK/gpg-pki" "$(maildir pki@site-b.test)")
expect_eq "pki: S/MIME encrypted" "smime-encrypted" "$(jq -r .form <<<"$J")"
expect_eq "pki: signature" "good" "$(jq -r .signature <<<"$J")"
jq -r .text <<<"$J" | grep -q "CVE-2024-6387" && ok || fail "pki: no advisory in the text"
expect_eq "pki: CSV attached" "events-vulnerable-system.csv" "$(jq -r '.attachments | join(",")' <<<"$J")"
grep -q "CVE-2024-6387" "$(maildir pki@site-b.test)" && fail "pki: the advisory is readable without the key" || ok
# Exactly once: another run finds nothing new to build or send.
expect_rc "another run" 0 "${RUN[@]}" --once
grep -q "0 items, 0 mails queued" "$WORK/out" && ok || fail "another run: $(cat "$WORK/out")"
expect_eq "still one mail for soc" "1" "$(maildir soc@site-a.test | wc -l)"
expect_rc "retry the failed one" 0 "$TOCSIN" outbox retry --site site-b
expect_eq "queued again" "queued" "$(state nobody@site-b.test)"

# ---- Crashes: SIGKILL while sending, at least 50 times.
N=${NOTIFY_SITES:-200}
# Adds N sites with two contacts each; their platform (OpenSSH 8.8p1) is
# matched against the stored advisory as it is added: 2 mails per site to
# build, sign and send. A busy machine sends more between two kills, so the
# loop below adds another round when everything is sent before 50 kills.
rounds=0
add_bulk() {
    rounds=$((rounds + 1))
    for i in $(seq "$N"); do printf 'bulk-%d-%d\n' "$rounds" "$i"; done >"$WORK/bulk-sites"
    {
        echo "site,email,immediate"
        while read -r s; do
            "$TOCSIN" site add "$s" >/dev/null
            "$TOCSIN" platform add --site "$s" "openbsd:openssh:8.8p1" >/dev/null
            echo "$s,bulk@site-b.test,low"
            echo "$s,soc@site-a.test,low"
        done <"$WORK/bulk-sites"
    } >"$WORK/bulk.csv"
    "$TOCSIN" contact import "$WORK/bulk.csv"
}
expect_rc "bulk contacts" 0 add_bulk
sleep 2.2
kills=0
sending_kills=0
start=$(date +%s)
while :; do
    pending=$(q "SELECT count(*) FROM outbox WHERE state IN (1, 2)")
    built=$(q "SELECT count(*) FROM outbox WHERE site_id IN (SELECT id FROM sites WHERE name LIKE 'bulk-%')")
    # Done when everything is built and sent (a run with nothing left to
    # send is no crash test; fewer than 50 kills by then fails below).
    if [ "$built" -ge $((2 * N * rounds)) ] && [ "$pending" -eq 0 ]; then
        [ "$sending_kills" -ge 50 ] && break
        [ "$rounds" -lt 5 ] || break
        add_bulk >/dev/null || { fail "another round of bulk contacts"; break; }
        sleep 2.2
        continue
    fi
    [ $(( $(date +%s) - start )) -lt 600 ] || { fail "the kill loop did not finish in 10 minutes"; break; }
    sent_before=$(q "SELECT count(*) FROM outbox WHERE state = 3")
    "${RUN[@]}" --interval 1 2>>"$WORK/run.log" &
    RUNNER=$!
    # Kill it while it sends: once a mail more is sent than before it
    # started (it is past its start and its building), a few ms later, so
    # that the kill falls anywhere in a send (before, inside or after the
    # data, before or after the state is committed).
    for _ in $(seq 750); do
        [ "$(q "SELECT count(*) FROM outbox WHERE state = 3")" -gt "$sent_before" ] && break
        kill -0 "$RUNNER" 2>/dev/null || break
        sleep 0.02
    done
    sleep "0.0$((RANDOM % 8))"
    if kill -9 "$RUNNER" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$RUNNER" 2>/dev/null || true
    RUNNER=
    sent_after=$(q "SELECT count(*) FROM outbox WHERE state = 3")
    [ "$sent_after" -gt "$sent_before" ] && sending_kills=$((sending_kills + 1))
done
echo "killed notify run $kills times, $sending_kills of them while it was sending ($rounds rounds of $N sites)"
[ "$sending_kills" -ge 50 ] && ok || fail "only $sending_kills kills while sending (raise NOTIFY_SITES)"
expect_rc "final run" 0 "${RUN[@]}" --once
expect_eq "integrity" "ok" "$(q 'PRAGMA integrity_check')"
expect_eq "bulk mails built" "$((2 * N * rounds))" "$(q "SELECT count(*) FROM outbox WHERE site_id IN (SELECT id FROM sites WHERE name LIKE 'bulk-%')")"
expect_eq "none left to send" "0" "$(q "SELECT count(*) FROM outbox WHERE state IN (1, 2, 4) AND rcpt <> 'busy@site-b.test'")"
# Every expected mail delivered exactly once: the Message-IDs in the two
# mailboxes are the outbox's sent ones, each once.
for box in soc@site-a.test bulk@site-b.test; do
    d=$(dirname "$(maildir "$box" | head -1)")
    grep -h -i '^Message-ID:' "$d"/* | tr -d '\r' | awk '{print $2}' | sort >"$WORK/got-$box"
    q "SELECT message_id FROM outbox WHERE rcpt = '$box' AND state = 3" | sort >"$WORK/want-$box"
    expect_eq "$box: mails delivered" "$(wc -l <"$WORK/want-$box")" "$(wc -l <"$WORK/got-$box")"
    expect_eq "$box: none twice" "0" "$(uniq -d "$WORK/got-$box" | wc -l)"
    expect_eq "$box: exactly the sent ones" "" "$(diff "$WORK/want-$box" "$WORK/got-$box" | head -3)"
done
echo "in doubt after a crash (resolved by the relay's log): $(grep -c 'in doubt after a crash' "$WORK/run.log" || true)"
grep -q "csirt.test" "$WORK/run.log" && ok
finish
