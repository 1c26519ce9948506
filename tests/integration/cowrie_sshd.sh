# SPDX-License-Identifier: Apache-2.0
# Ingests the real Cowrie and sshd logs of ../shared/corpus/sensors with
# --format cowrie / --format sshd and checks the per-site counts against
# numbers derived here, independently of tocsin, from the raw lines with grep
# and awk.
. "$(dirname "$0")/lib.inc"

CORPUS=${TS_CORPUS_DIR:-$SRC/../shared/corpus}/sensors
COWRIE=$CORPUS/cowrie.json.2018-06-12
SSHD=$CORPUS/loghub_OpenSSH_2k.log
for f in "$COWRIE" "$SSHD"; do
    [ -r "$f" ] || skip "corpus file $f is absent"
done

# Sites owning a /8 that many of the attackers fall in (146/8 in the
# honeypot log, 183/8 in the sshd log), and one nobody attacks from.
"$TOCSIN" site add hp-attackers --network 146.0.0.0/8 >/dev/null
"$TOCSIN" site add ssh-attackers --network 183.0.0.0/8 >/dev/null
"$TOCSIN" site add quiet --network 192.0.2.0/24 >/dev/null

expect_rc "ingest cowrie" 0 "$TOCSIN" ingest --format cowrie "$COWRIE"
expect_rc "ingest sshd" 0 "$TOCSIN" ingest --format sshd "$SSHD"
expect_eq "nothing quarantined from real data" "0" "$("$TOCSIN" quarantine list --json | wc -l)"

# Cowrie: logins, commands and uploads are about src_ip (and dst_ip when the
# line has one); downloads are about the URL's host.
grep -E '"eventid": "cowrie\.(login\.failed|login\.success|command\.input|session\.file_upload)"' \
    "$COWRIE" > "$WORK/cowrie-attacker"
grep -E '"eventid": "cowrie\.session\.file_download"' "$COWRIE" > "$WORK/cowrie-download"
cowrie_total=$(( $(wc -l < "$WORK/cowrie-attacker") + $(wc -l < "$WORK/cowrie-download") ))
cowrie_site=$(( $(grep -cE '"(src|dst)_ip": "146\.' "$WORK/cowrie-attacker" || true) +
                $(grep -cE '"url": "[a-z]+://([^/"]*@)?146\.' "$WORK/cowrie-download" || true) ))
[ "$cowrie_site" -gt 20 ] && ok || fail "expected more than 20 cowrie events from 146/8, found $cowrie_site"

# sshd: the kinds of attack lines the loghub file holds, by the attacker's address.
awk '
/ sshd\[[0-9]+\]: / {
    ip = ""
    if (match($0, /(Failed [^ ]+ for .* from |Invalid user .* from |Did not receive identification string from )[0-9.]+/)) {
        s = substr($0, RSTART, RLENGTH); n = split(s, w, " "); ip = w[n]
    } else if (match($0, /Received disconnect from [0-9.]+: 3: .*: Auth fail/)) {
        split(substr($0, RSTART + 25), w, ":"); ip = w[1]
    }
    if (ip != "") { total++; if (ip ~ /^183\./) site++ }
}
END { print total + 0, site + 0 }' "$SSHD" > "$WORK/sshd-expected"
read -r sshd_total sshd_site < "$WORK/sshd-expected"
[ "$sshd_site" -gt 100 ] && ok || fail "expected more than 100 sshd events from 183/8, found $sshd_site"

echo "expected: cowrie $cowrie_total events ($cowrie_site of 146/8), sshd $sshd_total ($sshd_site of 183/8)"
"$TOCSIN" events --format json > "$WORK/all.json"
expect_eq "cowrie events stored" "$cowrie_total" "$(grep -c '"feed.name":"cowrie"' "$WORK/all.json" || true)"
expect_eq "sshd events stored" "$sshd_total" "$(grep -c '"feed.name":"sshd"' "$WORK/all.json" || true)"
expect_eq "cowrie events of 146/8" "$cowrie_site" \
    "$("$TOCSIN" events --site hp-attackers --format json | grep -c '"feed.name":"cowrie"' || true)"
expect_eq "sshd events of 183/8" "$sshd_site" \
    "$("$TOCSIN" events --site ssh-attackers --format json | grep -c '"feed.name":"sshd"' || true)"
expect_eq "the quiet site sees nothing" "0" "$("$TOCSIN" events --site quiet --format json | wc -l)"

# No cleartext password reaches the store (the long, distinctive ones, which
# cannot turn up in a user name or elsewhere by chance).
# Passwords some attacker also tried as a user name are left out.
sed -nE 's/.*"username": "([^"]*)".*/\1/p' "$COWRIE" | sort -u > "$WORK/usernames"
grep '"eventid": "cowrie.login' "$COWRIE" | sed -nE 's/.*"password": "([^"\\]{10,})".*/\1/p' |
    sort -u | comm -23 - "$WORK/usernames" > "$WORK/passwords"
[ "$(wc -l < "$WORK/passwords")" -gt 5 ] && ok || fail "expected some long passwords in the log"
leaked=$(grep '"feed.name":"cowrie"' "$WORK/all.json" | grep -cFf "$WORK/passwords" || true)
expect_eq "no stored event holds a cleartext password" "0" "$leaked"
grep -q '"extra.cowrie.password_sha256":"[0-9a-f]\{64\}"\|"cowrie.password_sha256":"[0-9a-f]\{64\}"' "$WORK/all.json" &&
    ok || fail "password digests present"
finish
