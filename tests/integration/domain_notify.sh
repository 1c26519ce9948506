# SPDX-License-Identifier: Apache-2.0
# Who is informed of a domain deactivation, end to end: a policy file, a case
# with the holder's, the registrar's and the reporter's addresses (German),
# the deactivation queueing the policy's notices in the outbox (site 0,
# contact 0), signed with the CSIRT's OpenPGP key, and `tocsin notify run`
# (the real outbox sender) delivering them through Postfix on loopback
# (tests/support/postfix.sh) to each recipient's Maildir, read back and
# verified as the recipient would (tests/support/mailcheck.py).
. "$(dirname "$0")/lib.inc"

for c in postfix gpg jq python3; do
    command -v "$c" >/dev/null || skip "$c not installed (scripts/install-deps.sh installs it)"
done
RELAY=$WORK/relay
export GNUPGHOME=$WORK/gpg-csirt
cleanup() {
    bash "$SRC/tests/support/postfix.sh" stop "$RELAY" || true
    for h in "$WORK"/gpg-*; do gpgconf --homedir "$h" --kill all >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
bash "$SRC/tests/support/postfix.sh" start "$RELAY" e.test registrar.test national.test reporter.test
PORT=$(cat "$RELAY/port")
for u in holder@e.test tech@registrar.test cert@national.test abuse@reporter.test; do
    bash "$SRC/tests/support/postfix.sh" adduser "$RELAY" "$u"
done

# The CSIRT's signing key; the holder and the national CSIRT trust it.
mkdir -m 700 -p "$GNUPGHOME" "$WORK/gpg-holder" "$WORK/gpg-national"
gpg --batch --pinentry-mode loopback --passphrase '' \
    --quick-gen-key "Registry CSIRT <csirt@registry.test>" ed25519 sign never 2>/dev/null
FPR=$(gpg --with-colons --fingerprint csirt@registry.test 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
gpg --armor --export csirt@registry.test >"$WORK/csirt.asc"
for h in holder national; do gpg --homedir "$WORK/gpg-$h" --batch --import "$WORK/csirt.asc" 2>/dev/null; done

cat >"$WORK/policy" <<EOF
from csirt@registry.test
from-name Registry CSIRT
national-csirt cert@national.test
procedure https://registry.test/public/domains
sign-key $FPR
gnupg-home $GNUPGHOME
notify deactivate holder registrar national-csirt
EOF

"$TOCSIN" domain zone add cz
ID=$("$TOCSIN" domain case open shop.example.cz --reason phishing \
    --evidence https://shop.example.cz/login --holder holder@e.test \
    --registrar tech@registrar.test --reporter abuse@reporter.test --lang de)
expect_rc "deactivate with notices" 0 "$TOCSIN" domain case deactivate "$ID" --days 7 \
    --why "a kit imitating a bank" --policy "$WORK/policy"
grep -q "3 notice(s) queued" "$WORK/err" && ok || fail "notices not reported"
# Outside the constituency: no site (site 0, contact 0 in the store).
expect_eq "queued for no site" '"" "" ""' \
    "$("$TOCSIN" outbox list --format json | jq -rs '[.[].site | tojson] | join(" ")')"

# The real sender, once.
expect_rc "notify run --once" 0 "$TOCSIN" notify run --once --smtp "smtp://127.0.0.1:$PORT" \
    --from csirt@registry.test --from-name "Registry CSIRT" --starttls --cafile "$RELAY/tls/cert.pem"
state() { "$TOCSIN" outbox list --format json | jq -r "select(.rcpt==\"$1\") | .state"; }
for r in holder@e.test tech@registrar.test cert@national.test; do
    expect_eq "$r: sent" sent "$(state "$r")"
done
expect_eq "the reporter is not told of a deactivation by this policy" "" "$(state abuse@reporter.test)"

check() { python3 "$SRC/tests/support/mailcheck.py" "$1" "$2"; }
maildir() { find "$RELAY/mail/${1#*@}/${1%@*}/new" -type f 2>/dev/null; }
expect_eq "one mail for the holder" 1 "$(maildir holder@e.test | wc -l)"
J=$(check "$WORK/gpg-holder" "$(maildir holder@e.test)")
expect_eq "holder: signed" signed "$(jq -r .form <<<"$J")"
expect_eq "holder: good signature" good "$(jq -r .signature <<<"$J")"
jq -r .subject <<<"$J" | grep -q "shop.example.cz deaktiviert bis" && ok || fail "holder: not German"
jq -r .text <<<"$J" | grep -q "a kit imitating a bank" && ok || fail "holder: no reason given"
jq -r .text <<<"$J" | grep -q "https://registry.test/public/domains" && ok || fail "holder: no procedure"
J=$(check "$WORK/gpg-national" "$(maildir cert@national.test)")
expect_eq "national CSIRT: good signature" good "$(jq -r .signature <<<"$J")"
jq -r .subject <<<"$J" | grep -q "shop.example.cz deactivated until" && ok || fail "national: not English"
expect_eq "nothing for the reporter" 0 "$(maildir abuse@reporter.test | wc -l)"

# Once: a second run sends nothing again.
expect_rc "notify run again" 0 "$TOCSIN" notify run --once --smtp "smtp://127.0.0.1:$PORT" \
    --from csirt@registry.test --starttls --cafile "$RELAY/tls/cert.pem"
expect_eq "still one mail for the holder" 1 "$(maildir holder@e.test | wc -l)"

finish
