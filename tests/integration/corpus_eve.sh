# SPDX-License-Identifier: Apache-2.0
# Ingests the real Suricata EVE samples of ../shared/corpus/sensors and checks
# the per-site counts against numbers derived here, independently of tocsin,
# from the raw lines with grep and awk.
. "$(dirname "$0")/lib.inc"

CORPUS=${TS_CORPUS_DIR:-$SRC/../shared/corpus}/sensors
FILES="mssis_malware_eve.json beats_suricata_eve-small.log suricata-verify_alert-testmyids_eve.json"
for f in $FILES; do
    [ -r "$CORPUS/$f" ] || skip "corpus file $CORPUS/$f is absent"
done

# A constituency over the samples' private ranges, nested three deep.
"$TOCSIN" site add lab --network 10.0.0.0/8 >/dev/null
"$TOCSIN" site add lab-net --parent lab --network 10.10.31.0/24 >/dev/null
"$TOCSIN" site add lab-gw --parent lab-net --network 10.10.31.1/32 >/dev/null
"$TOCSIN" site add verify-net --parent lab --network 10.16.0.0/16 >/dev/null
"$TOCSIN" site add home --network 192.168.0.0/16 >/dev/null
"$TOCSIN" site add hosting --network 162.33.179.0/24 >/dev/null

for f in $FILES; do
    expect_rc "ingest $f" 0 "$TOCSIN" ingest --format eve "$CORPUS/$f"
done

# Independent expectation: the alert lines, their two addresses, and the
# owner of each address by the ranges above written as plain string tests.
cat $(for f in $FILES; do echo "$CORPUS/$f"; done) | grep '"event_type": *"alert"' |
    sed -E 's/.*"src_ip": *"([^"]*)".*"dest_ip": *"([^"]*)".*/\1 \2/' > "$WORK/pairs"
alerts=$(wc -l < "$WORK/pairs")
[ "$alerts" -gt 30 ] && ok || fail "expected the corpus to hold more than 30 alerts, found $alerts"

awk '
function owner(ip) {
    if (ip == "10.10.31.1") return "lab-gw"
    if (ip ~ /^10\.10\.31\./) return "lab-net"
    if (ip ~ /^10\.16\./) return "verify-net"
    if (ip ~ /^10\./) return "lab"
    if (ip ~ /^192\.168\./) return "home"
    if (ip ~ /^162\.33\.179\./) return "hosting"
    return ""
}
function chain(site,   out) {   # the site and its ancestors
    out = site
    if (site == "lab-gw") out = out " lab-net lab"
    else if (site == "lab-net" || site == "verify-net") out = out " lab"
    return out
}
{
    delete seen
    n = split(chain(owner($1)) " " chain(owner($2)), s, " ")
    for (i = 1; i <= n; i++) if (s[i] != "" && !(s[i] in seen)) { seen[s[i]] = 1; count[s[i]]++ }
}
END { for (k in count) print k, count[k] }' "$WORK/pairs" | sort > "$WORK/expected"

: > "$WORK/actual"
for site in lab lab-net lab-gw verify-net home hosting; do
    n=$("$TOCSIN" events --site "$site" --format json | wc -l)
    [ "$n" -gt 0 ] && echo "$site $n" >> "$WORK/actual"
done
sort -o "$WORK/actual" "$WORK/actual"
if diff -u "$WORK/expected" "$WORK/actual" >&2; then ok; else fail "per-site counts differ"; fi

total=$("$TOCSIN" events --format json | wc -l)
expect_eq "every alert stored once, nothing else" "$alerts" "$total"

# Every JSON line names its site and role, and a site never sees another's links.
"$TOCSIN" events --site lab-net --format json > "$WORK/labnet.json"
bad=$(grep -c -v '"tocsin.site":"lab-\(net\|gw\)"' "$WORK/labnet.json" || true)
expect_eq "lab-net sees only its subtree's links" 0 "$bad"
grep -q '"tocsin.role":"destination"' "$WORK/labnet.json" && ok || fail "roles present"
grep -q '"hosting"' "$WORK/labnet.json" && fail "lab-net sees the hosting site's link" || ok

# Running the same ingest again stores nothing twice (checkpoints).
for f in $FILES; do "$TOCSIN" ingest -q --format eve "$CORPUS/$f"; done
expect_eq "re-ingest adds nothing" "$total" "$("$TOCSIN" events --format json | wc -l)"
expect_eq "nothing quarantined from real data" "0" \
    "$("$TOCSIN" quarantine list --json | wc -l)"
finish
