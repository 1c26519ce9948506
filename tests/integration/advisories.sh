# SPDX-License-Identifier: Apache-2.0
# Advisories on the real corpus (../shared/corpus/advisories): inventories
# for a few sites, the import, and exactly the matches each document states.
# Every expectation cites the product entry that decides it (CSAF
# product_id / CVE JSON path), read from the document itself. Then: a
# platform added after the import is matched, a re-import raises no alert,
# bad documents are named and the good ones still go in, the CLI's refusals.
. "$(dirname "$0")/lib.inc"

CORPUS="$SRC/../shared/corpus/advisories"
[ -d "$CORPUS/csaf" ] && [ -d "$CORPUS/cve" ] || skip "advisory corpus absent ($CORPUS)"
command -v jq >/dev/null || skip "jq not installed"

for s in dce-old dce-new rhel9 pan pan-h1 xz digi log4j late wincc s7; do
    "$TOCSIN" site add "$s" >/dev/null
done

# Refusals first: bad specs (exit 2), unknown site (exit 3), duplicates (exit 4).
expect_rc "spec without product" 2 "$TOCSIN" platform add --site dce-old "schneider"
expect_rc "range as a version" 2 "$TOCSIN" platform add --site dce-old "a:b:<=1.0"
expect_rc "malformed CPE" 2 "$TOCSIN" platform add --site dce-old "cpe:2.3:a:x"
expect_rc "unknown site" 3 "$TOCSIN" platform add --site nosuch "a:b:1.0"
expect_rc "no spec" 2 "$TOCSIN" platform add --site dce-old

P() { expect_rc "platform add $*" 0 "$TOCSIN" platform add "$@"; }
P --site dce-old "Schneider Electric:Data Center Expert:8.1.0"
P --site dce-new "Schneider Electric:Data Center Expert:8.2"
P --site rhel9 "openbsd:openssh:8.7p1" "cpe:2.3:o:redhat:enterprise_linux:9:*:*:*:*:*:*:*"
P --site pan "Palo Alto Networks:PAN-OS:10.2.9"
P --site pan-h1 "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9-h1:*:*:*:*:*:*:*"
P --site xz "tukaani:xz:5.6.1"
P --site digi "Digi International, Inc.:Digi PortServer TS:82000747" \
    "Digi International:Digi Connect ES:2.26.2.4"
P --site log4j "apache:log4j:2.14.1"
P --site wincc "Siemens:SIMATIC WinCC V7.4:V7.4_SP1"
P --site s7 "siemens:industrial edge:V2.3;model=6AV2170-0BL00-0AA0"
expect_rc "duplicate platform" 4 "$TOCSIN" platform add --site xz "Tukaani:XZ:5.6.1"
expect_rc "identifier on a vendor family" 2 "$TOCSIN" platform add --site s7 "siemens:*;model=X"

expect_rc "import the corpus" 0 "$TOCSIN" advisories import "$CORPUS"
grep -q " 0 rejected" "$WORK/out" && ok || fail "corpus import rejected something: $(cat "$WORK/out")"

# list SITE [--all]: "id|platform|status|reason" lines, sorted.
list() {
    local site=$1
    shift
    "$TOCSIN" advisories --site "$site" --format json "$@" |
        jq -r '[.id, .platform, .status, .reason] | join("|")' | sort
}

# ICSA-24-289-02, product_tree: "Data Center Expert" CSAFPID-0001 range "<=8.1.1.3",
# vulnerabilities[*].product_status.known_affected = [CSAFPID-0001], remediations
# vendor_fix + mitigation for CSAFPID-0001.
expect_eq "dce-old" \
    "ICSA-24-289-02|schneider_electric:data_center_expert:8.1.0|known_affected|name schneider_electric/data_center_expert, vers:generic/<=8.1.1.3 contains 8.1.0" \
    "$(list dce-old)"
expect_eq "dce-old remediations" "vendor_fix,mitigation" \
    "$("$TOCSIN" advisories --site dce-old --format json | jq -r '[.remediations[].category] | join(",")')"
# CSAFPID-0002 (product_version "8.2") is listed under product_status.fixed:
# not an alert, shown with --all.
expect_eq "dce-new" "" "$(list dce-new)"
expect_eq "dce-new --all" \
    "ICSA-24-289-02|schneider_electric:data_center_expert:8.2|fixed|name schneider_electric/data_center_expert, vers:generic/8.2 contains 8.2" \
    "$(list dce-new --all)"

# CVE-2024-6387, containers.cna.affected[0]: packageName "OpenSSH", no vendor,
# version 8.5p1 lessThanOrEqual 9.7p1 affected, versionType "custom" (read as
# generic dotted versions, and the reason says so). The RHEL 9 entries
# (affected[1], [2]) give rpm ranges of the openssh package under the OS CPE
# cpe:/o:redhat:enterprise_linux:9::baseos, whose edition "baseos" a plain
# RHEL 9 CPE does not carry: no match for the CPE platform.
expect_eq "rhel9" \
    "CVE-2024-6387|openbsd:openssh:8.7p1|known_affected|name */openssh, vers:generic/>=8.5p1|<=9.7p1 contains 8.7p1 (versionType custom compared as generic dotted versions)" \
    "$(list rhel9)"

# CVE-2024-3400, containers.cna.affected[0].versions[4]: 10.2.0 lessThan
# 10.2.9-h1 (changes[0]: 10.2.9-h1 unaffected), affected, versionType custom.
expect_eq "pan" \
    "CVE-2024-3400|paloaltonetworks:pan_os:10.2.9|known_affected|name paloaltonetworks/pan_os, vers:generic/>=10.2.0|<10.2.9-h1 contains 10.2.9 (versionType custom compared as generic dotted versions)" \
    "$(list pan)"
# 10.2.9-h1 is past the fix: defaultStatus "unaffected" covers it.
expect_eq "pan-h1" "" "$(list pan-h1)"
expect_eq "pan-h1 --all status" "known_not_affected" \
    "$("$TOCSIN" advisories --site pan-h1 --all --format json | jq -r .status)"

# CVE-2024-3094, containers.cna.affected[0]: packageName "xz", versions 5.6.0
# and 5.6.1 affected ([1] is 5.6.1).
expect_eq "xz" \
    "CVE-2024-3094|tukaani:xz:5.6.1|known_affected|name */xz, vers:generic/5.6.1 contains 5.6.1" \
    "$(list xz)"

# ICSA-23-243-04: CSAFPID-0007 "Digi PortServer TS: *" (all versions) known_affected;
# CSAFPID-0020 "Digi Connect ES: < 2.26.2.4" does not contain 2.26.2.4.
expect_eq "digi" \
    "ICSA-23-243-04|digi_international:digi_portserver_ts:82000747|known_affected|name digi_international/digi_portserver_ts, vers:all/* contains 82000747" \
    "$(list digi)"
expect_eq "digi product" "CSAFPID-0007" \
    "$("$TOCSIN" advisories --site digi --format json | jq -r .product_ref)"

# RHSA-2021:5186 (the log4j-era OpenShift metering update): its product_tree
# names only OpenShift container images (relationships[*] "as a component of
# Red Hat OpenShift Container Platform 4.6"), no log4j product: no match.
expect_eq "log4j" "" "$(list log4j --all)"

# ICSA-24-256-08 CSAFPID-0010 "SIMATIC WinCC V7.4", range
# "All_versions_with_installed_WebRH": not a range, so the match needs a look
# (an alert, with the reason), never "affected".
expect_eq "wincc verdict" "needs_a_look|true" \
    "$("$TOCSIN" advisories --site wincc --format json | jq -r '[.verdict, .undecided|tostring] | join("|")')"
"$TOCSIN" advisories --site wincc >"$WORK/table"
grep -q "needs_a_look" "$WORK/table" && ok || fail "table: $(cat "$WORK/table")"
"$TOCSIN" advisories show ICSA-24-256-08 --site wincc >"$WORK/show"
grep -q "V7.4_SP1: needs_a_look" "$WORK/show" && ok || fail "show: $(cat "$WORK/show")"
# CSAFPID-0003 "LiveTwin Industrial Edge app (6AV2170-0BL00-0AA0)",
# model_numbers [6AV2170-0BL00-0AA0], vers:all/<V2.4: the model number decides.
expect_eq "s7" \
    "ICSA-24-256-08|siemens:industrial_edge:V2.3;model=6AV2170-0BL00-0AA0|known_affected|model_numbers \"6AV2170-0BL00-0AA0\" of siemens/livetwin_industrial_edge_app, vers:generic/<V2.4 contains V2.3" \
    "$(list s7)"

# A platform added after the import is matched against what is stored
# (ICSA-24-289-02 CSAFPID-0001 again), and the add reports the alert.
expect_rc "late platform" 0 "$TOCSIN" platform add --site late "schneider electric:data center expert:8.0"
grep -q "(1 new alerts)" "$WORK/out" && ok || fail "late platform: $(cat "$WORK/out")"
expect_eq "late" \
    "ICSA-24-289-02|schneider_electric:data_center_expert:8.0|known_affected|name schneider_electric/data_center_expert, vers:generic/<=8.1.1.3 contains 8.0" \
    "$(list late)"
# A family (every version) matches too, saying so.
expect_rc "family platform" 0 "$TOCSIN" platform add --site late "Palo Alto Networks:PAN-OS"
expect_eq "family rule" "yes" \
    "$("$TOCSIN" advisories --site late --format json | jq -r 'select(.id=="CVE-2024-3400") | .reason' | grep -q 'family' && echo yes)"

# Importing the same documents again changes nothing and alerts nobody.
expect_rc "re-import" 0 "$TOCSIN" advisories import "$CORPUS"
grep -q " 0 imported, 0 replaced, 11 unchanged.* 0 new alerts, 0 changed alerts" "$WORK/out" && ok ||
    fail "re-import: $(cat "$WORK/out")"

# Bad documents next to good ones: each named with its reason, the good go in.
mkdir -p "$WORK/mixed"
cp "$CORPUS/csaf/icsa-24-289-02.json" "$WORK/mixed/a-good.json"
printf '{"document": {' >"$WORK/mixed/b-truncated.json"
printf '{"hello": "world"}' >"$WORK/mixed/c-unknown.json"
cp "$CORPUS/cve/CVE-2024-3094.json" "$WORK/mixed/d-good.json"
export TOCSIN_DB="$WORK/mixed.db"
expect_rc "mixed import" 0 "$TOCSIN" advisories import "$WORK/mixed"
grep -q "2 imported.* 2 rejected" "$WORK/out" && ok || fail "mixed: $(cat "$WORK/out")"
grep -q "b-truncated.json: rejected" "$WORK/err" && ok || fail "truncated document not named"
grep -q "c-unknown.json: rejected" "$WORK/err" && ok || fail "unknown document not named"
expect_rc "mixed import --strict" 5 "$TOCSIN" advisories import --strict "$WORK/mixed"
expect_rc "missing path" 3 "$TOCSIN" advisories import "$WORK/nonexistent"
expect_rc "show unknown" 3 "$TOCSIN" advisories show NOPE-1
expect_rc "show known" 0 "$TOCSIN" advisories show ICSA-24-289-02
expect_rc "bad format" 2 "$TOCSIN" advisories --format xml
expect_rc "bad status" 2 "$TOCSIN" advisories --status broken
expect_rc "help" 0 "$TOCSIN" advisories --help
expect_rc "platform help" 0 "$TOCSIN" platform --help

# platform import: CSV with columns, JSON; a bad line is named, others go in.
"$TOCSIN" site add imp >/dev/null
printf 'vendor,product,version\n"Digi International, Inc.",Digi PortServer TS,1.0\nacme,,1\nopenbsd,openssh,9.8p1\n' >"$WORK/p.csv"
expect_rc "platform import csv" 0 "$TOCSIN" platform import --site imp "$WORK/p.csv"
grep -q "2 added, 0 already present, 1 refused" "$WORK/out" && ok || fail "csv import: $(cat "$WORK/out")"
grep -q "p.csv:3" "$WORK/err" && ok || fail "bad csv line not named"
printf '["xz:xz:5.6.0", {"spec": "pkg:npm/lodash@4.17.20"}, {"vendor": "a", "product": "b"}, 42]\n' >"$WORK/p.json"
expect_rc "platform import json --strict" 5 "$TOCSIN" platform import --strict --site imp "$WORK/p.json"
expect_eq "platforms of imp" "5" "$("$TOCSIN" platform list --site imp --format json | wc -l | tr -d ' ')"
expect_rc "platform remove by spec" 0 "$TOCSIN" platform remove --site imp "a:b"
expect_rc "platform remove again" 3 "$TOCSIN" platform remove --site imp "a:b"
# Device identifiers as columns and keys.
"$TOCSIN" site add ids >/dev/null
printf 'vendor,product,version,serial,model\nSiemens,SIMATIC S7-1500,V3.0.1,,6ES7518-4AP00-0AB0\n' >"$WORK/ids.csv"
expect_rc "platform import csv with a model column" 0 "$TOCSIN" platform import --site ids "$WORK/ids.csv"
printf '[{"vendor": "siemens", "product": "scalance", "sku": "6GK5", "serial": "X1"}]\n' >"$WORK/ids.json"
expect_rc "platform import json with identifiers" 0 "$TOCSIN" platform import --site ids "$WORK/ids.json"
expect_eq "identified platforms" \
    "siemens:scalance;sku=6GK5;serial=X1 siemens:simatic_s7_1500:V3.0.1;model=6ES7518-4AP00-0AB0" \
    "$("$TOCSIN" platform list --site ids --format json | jq -r .spec | sort | tr '\n' ' ' | sed 's/ $//')"

# The feed is well-formed XML with the site's advisory.
export TOCSIN_DB="$WORK/tocsin.db"
"$TOCSIN" advisories feed --site dce-old >"$WORK/feed.xml"
grep -q "<id>urn:tocsin:advisory:dce-old:ICSA-24-289-02</id>" "$WORK/feed.xml" && ok || fail "feed entry"
if command -v xmllint >/dev/null; then
    xmllint --noout "$WORK/feed.xml" && ok || fail "feed is not well-formed XML"
fi
finish
