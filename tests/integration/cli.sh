# SPDX-License-Identifier: Apache-2.0
# The command line: help everywhere, version, exit codes, site management,
# conflicts refused with a clear error, routing answers with the rule.
. "$(dirname "$0")/lib.inc"

expect_rc "--version" 0 "$TOCSIN" --version
grep -q '^tocsin [0-9]' "$WORK/out" && ok || fail "--version prints the version"
expect_rc "--help" 0 "$TOCSIN" --help
grep -q 'Exit codes' "$WORK/out" && ok || fail "--help documents exit codes"
for cmd in site constituency ingest events route quarantine inputs collect flows; do
    expect_rc "$cmd --help" 0 "$TOCSIN" "$cmd" --help
    grep -q 'Usage' "$WORK/out" && ok || fail "$cmd --help prints usage"
done
expect_rc "no command" 2 "$TOCSIN"
expect_rc "unknown command" 2 "$TOCSIN" frobnicate
expect_rc "ingest without format" 2 "$TOCSIN" ingest /dev/null
expect_rc "ingest unknown format" 2 "$TOCSIN" ingest --format xml /dev/null
expect_rc "quarantine bad limit" 2 "$TOCSIN" quarantine list --limit abc
expect_rc "collect bad threshold" 2 "$TOCSIN" collect --netflow 127.0.0.1:0 --scan-hosts 0
grep -q -- '--scan-hosts takes a number' "$WORK/err" && ok || fail "threshold error names the option"

# Invalid claims first.
expect_rc "bad cidr" 2 "$TOCSIN" site add bad --network 192.0.2.1/24
grep -q 'invalid network' "$WORK/err" && ok || fail "bad cidr explained"
expect_rc "bad asn" 2 "$TOCSIN" site add bad --asn AS0
expect_rc "bad name" 2 "$TOCSIN" site add 'bad name'
expect_rc "unknown parent" 3 "$TOCSIN" site add orphan --parent nobody

expect_rc "add root" 0 "$TOCSIN" site add csirt --network 198.18.0.0/15 --asn 64496 --domain nren.example
expect_rc "add child" 0 "$TOCSIN" site add uni --parent csirt --network 198.18.0.0/17 \
    --network 2001:db8:100::/40 --asn AS64497 --domain uni.example --contact abuse@uni.example
expect_rc "add grandchild" 0 "$TOCSIN" site add dept --parent uni --network 198.18.10.0/24
expect_rc "add sibling" 0 "$TOCSIN" site add other --parent csirt --network 198.19.0.0/16
expect_rc "duplicate name" 4 "$TOCSIN" site add uni
expect_rc "same network twice" 4 "$TOCSIN" site add thief --network 198.18.10.0/24
grep -q 'already claimed by site dept' "$WORK/err" && ok || fail "conflict names the holder"
expect_rc "failed add leaves nothing" 3 "$TOCSIN" site show thief
expect_rc "same asn twice" 4 "$TOCSIN" site claim other --asn 64497
expect_rc "same domain other case" 4 "$TOCSIN" site claim other --domain UNI.example.
expect_rc "claim more" 0 "$TOCSIN" site claim other --domain other.example

expect_rc "route dept" 0 "$TOCSIN" route 198.18.10.7
grep -q 'site dept (network 198.18.10.0/24)' "$WORK/out" && ok || fail "route names site and rule: $(cat "$WORK/out")"
grep -q 'visible to: dept, uni, csirt' "$WORK/out" && ok || fail "route lists ancestors"
expect_rc "route uni v6" 0 "$TOCSIN" route 2001:db8:1ff::1
grep -q 'site uni' "$WORK/out" && ok || fail "v6 route"
expect_rc "route asn" 0 "$TOCSIN" route AS64497
grep -q 'site uni (asn' "$WORK/out" && ok || fail "asn route"
expect_rc "route domain suffix" 0 "$TOCSIN" route www.uni.example
grep -q 'site uni (domain uni.example)' "$WORK/out" && ok || fail "domain route"
expect_rc "route not a suffix" 3 "$TOCSIN" route baduni.example
expect_rc "route none" 3 "$TOCSIN" route 203.0.113.5
expect_rc "route json" 0 "$TOCSIN" route --json 198.18.10.7
grep -q '"visible_to":\["dept","uni","csirt"\]' "$WORK/out" && ok || fail "route json: $(cat "$WORK/out")"

expect_rc "remove parent refused" 4 "$TOCSIN" site remove uni
expect_rc "remove leaf" 0 "$TOCSIN" site remove dept
expect_rc "route after removal" 0 "$TOCSIN" route 198.18.10.7
grep -q 'site uni ' "$WORK/out" && ok || fail "falls back to parent network"
expect_rc "unclaim" 0 "$TOCSIN" site unclaim other --domain other.example
expect_rc "unclaim missing" 3 "$TOCSIN" site unclaim other --domain other.example
# Domains are claimed and unclaimed in their canonical form, whatever the spelling.
expect_rc "claim mixed case" 0 "$TOCSIN" site claim other --domain Mixed.Example.
expect_rc "unclaim other spelling" 0 "$TOCSIN" site unclaim other --domain MIXED.example
expect_rc "unclaim invalid domain" 2 "$TOCSIN" site unclaim other --domain 'bad..name'

expect_rc "list" 0 "$TOCSIN" site list
grep -q 'csirt' "$WORK/out" && ok || fail "site list"
expect_rc "events of unknown site" 3 "$TOCSIN" events --site nobody

# stdin: IntelMQ events piped in, routed, stored; a bad line quarantined.
printf '%s\n' \
  '{"__type": "Event", "feed.name": "Example Feed", "classification.type": "vulnerable service", "source.ip": "198.18.1.2", "source.port": 11211, "time.source": "2026-11-27T08:00:00+00:00"}' \
  '{"__type": "Event", "feed.name": "Example Feed", "classification.type": "c&c", "source.fqdn": "c2.uni.example"}' \
  '{"__type": "Event", "source.ip": "not-an-ip"}' \
  '{"__type": "Event", "feed.name": "Example Feed", "source.asn": 64496, "classification.taxonomy": "other"}' \
  | "$TOCSIN" ingest --format intelmq - 2>"$WORK/err" && ok || fail "stdin ingest"
expect_eq "stdin events stored" 3 "$("$TOCSIN" events --format json | wc -l)"
"$TOCSIN" events --site uni --format json > "$WORK/uni.json"
expect_eq "uni sees the address and the domain event" 2 "$(wc -l < "$WORK/uni.json")"
grep -q '"classification.type":"vulnerable-system"' "$WORK/uni.json" && ok || fail "legacy type mapped"
grep -q '"classification.type":"c2-server","source.fqdn":"c2.uni.example"' "$WORK/uni.json" && ok || fail "c&c mapped, fqdn kept"
grep -q '"match":"domain"' "$WORK/uni.json" && ok || fail "domain match recorded"
expect_eq "csirt sees all three" 3 "$("$TOCSIN" events --site csirt --format json | wc -l)"
expect_eq "other sees none" 0 "$("$TOCSIN" events --site other --format json | wc -l)"
expect_eq "bad stdin line quarantined" 1 "$("$TOCSIN" quarantine list --json | wc -l)"
"$TOCSIN" events --site uni --format csv > "$WORK/uni.csv"
expect_eq "csv: header + 2 rows" 3 "$(wc -l < "$WORK/uni.csv")"
expect_rc "events --since filters" 0 "$TOCSIN" events --since 2030-01-01 --format json
expect_eq "nothing after 2030" 0 "$(wc -l < "$WORK/out")"

# A blocklisted netblock (IntelMQ source.network, no address) over three sites'
# claims: each site sees the network and only its own part of it; the TLP shows
# in every format.
printf '%s\n' '{"feed.name": "drop", "classification.type": "spam", "source.network": "198.18.0.0/15", "tlp": "amber", "time.source": "2026-11-27T09:00:00+00:00"}' \
  | "$TOCSIN" ingest --format intelmq - 2>"$WORK/err" && ok || fail "netblock ingest"
"$TOCSIN" events --site other --format csv > "$WORK/other.csv"
expect_eq "other sees the netblock only" 2 "$(wc -l < "$WORK/other.csv")"
tail -1 "$WORK/other.csv" | grep -q ',AMBER,198.18.0.0/15,,198.19.0.0/16,,,' && ok || fail "other's own part only: $(tail -1 "$WORK/other.csv")"
"$TOCSIN" events --site uni --format json | grep '"source.network"' > "$WORK/uni_net.json"
grep -q '"source.network":"198.18.0.0/15"' "$WORK/uni_net.json" && ok || fail "uni sees the network"
grep -q '"tlp":"AMBER"' "$WORK/uni_net.json" && ok || fail "json shows the TLP"
grep -q '"tocsin.source.targets":{"exact":false,"summary":"targets in 198.18.0.0/17","list":\["198.18.0.0/17"\]}' "$WORK/uni_net.json" && ok || fail "uni's own part: $(cat "$WORK/uni_net.json")"
grep -q '198.19.0.0/16' "$WORK/uni_net.json" && fail "uni sees other's part" || ok
"$TOCSIN" events --format json | grep '"source.network"' > "$WORK/all_net.json"
expect_eq "the CSIRT sees three owners" 3 "$(grep -o '"site":"[a-z]*","role":"source"' "$WORK/all_net.json" | wc -l)"
"$TOCSIN" events --site uni --format table > "$WORK/uni_net.table"
grep -q 'TLP:AMBER' "$WORK/uni_net.table" && ok || fail "table shows the TLP"

# Constituency file round trip: export, import into a fresh database, export again.
expect_rc "export" 0 "$TOCSIN" constituency export "$WORK/c1.json"
expect_rc "import into fresh db" 0 "$TOCSIN" --db "$WORK/other.db" constituency import "$WORK/c1.json"
expect_rc "export again" 0 "$TOCSIN" --db "$WORK/other.db" constituency export "$WORK/c2.json"
cmp -s "$WORK/c1.json" "$WORK/c2.json" && ok || fail "export is stable across import"
printf '{"tocsin_constituency": 1, "sites": [{"name": "a", "networks": ["10.0.0.0/8"]}, {"name": "b", "networks": ["10.0.0.0/8"]}]}' > "$WORK/bad.json"
expect_rc "conflicting file refused" 4 "$TOCSIN" --db "$WORK/other.db" constituency import "$WORK/bad.json"
grep -q 'also claimed by site a' "$WORK/err" && ok || fail "conflict explained: $(cat "$WORK/err")"

# A usage error prints what is wrong and a one-line hint, not the whole help.
usage_err() { # WHAT COMMAND...
    local what=$1
    shift
    expect_rc "$what" 2 "$@"
    expect_eq "$what: two lines on stderr" 2 "$(wc -l <"$WORK/err")"
    grep -q "^tocsin: see 'tocsin .*--help'$" "$WORK/err" && ok || fail "$what: hint: $(cat "$WORK/err")"
    expect_eq "$what: nothing on stdout" 0 "$(wc -c <"$WORK/out")"
}
usage_err "no command (hint)" "$TOCSIN"
usage_err "unknown option" "$TOCSIN" events --bogus
usage_err "group without verb" "$TOCSIN" site
usage_err "unknown verb" "$TOCSIN" cert frob
usage_err "route without query" "$TOCSIN" route
usage_err "ingest without format (hint)" "$TOCSIN" ingest /dev/null
usage_err "extra argument" "$TOCSIN" quarantine stats extra
usage_err "flows stats bad option" "$TOCSIN" flows stats --bad
expect_rc "flows stats --help" 0 "$TOCSIN" flows stats --help
grep -q '^Usage: tocsin flows stats' "$WORK/out" && ok || fail "flows stats --help prints its usage"

# Read-only commands refuse a database that does not exist, and create none.
NODB=$WORK/nothing-here.db
for cmd in "events" "route 192.0.2.1" "inputs" "quarantine stats" "flows stats" "site list" \
    "constituency export" "cert list" "advisories" "platform list"; do
    # shellcheck disable=SC2086
    expect_rc "$cmd on a missing database" 1 "$TOCSIN" --db "$NODB" $cmd
    grep -q "no database at $NODB" "$WORK/err" && ok || fail "$cmd: missing database explained: $(cat "$WORK/err")"
    [ ! -e "$NODB" ] && ok || { fail "$cmd created $NODB"; rm -f "$NODB"; }
done
# A database that cannot be opened: one line, not two.
expect_rc "unopenable database" 1 "$TOCSIN" --db "$WORK/no-such-dir/x.db" site add x
expect_eq "one error line for an unopenable database" 1 "$(wc -l <"$WORK/err")"
grep -q "no-such-dir/x.db" "$WORK/err" && ok || fail "unopenable database named: $(cat "$WORK/err")"

# route takes an address, an AS number or a domain name, nothing else.
for q in 300.1.2.3 192.0.2.0/24 'two words' 2001:db8::zz 99999999999 ''; do
    expect_rc "route '$q' refused" 2 "$TOCSIN" route -- "$q"
    grep -q "is not an IP address, an AS number or a domain name" "$WORK/err" && ok ||
        fail "route '$q': $(cat "$WORK/err")"
done

# A file of the wrong format: nothing stored, exit 5 and a hint about --format.
printf '%s\n' 'Nov 27 06:30:00 host sshd[1]: Failed password for root from 198.18.1.9 port 22 ssh2' \
    'Nov 27 06:30:01 host sshd[1]: Failed password for root from 198.18.1.9 port 22 ssh2' >"$WORK/auth.log"
expect_rc "wrong format" 5 "$TOCSIN" ingest --format eve "$WORK/auth.log"
grep -q 'is it really eve? (--format ' "$WORK/err" && ok || fail "wrong format hint: $(cat "$WORK/err")"
expect_rc "right format" 0 "$TOCSIN" ingest --format sshd "$WORK/auth.log"

# --follow waits for a file that does not exist yet.
LATER=$WORK/later.jsonl
"$TOCSIN" ingest --format intelmq --follow -q "$LATER" 2>"$WORK/follow.err" &
FPID=$!
sleep 0.5
kill -0 "$FPID" 2>/dev/null && ok || fail "ingest --follow gave up on a missing file: $(cat "$WORK/follow.err")"
printf '%s\n' '{"__type": "Event", "feed.name": "Later", "classification.type": "scanner", "source.ip": "198.18.1.3"}' >"$LATER"
for _ in $(seq 100); do
    [ "$("$TOCSIN" events --site uni --format json | grep -c '"feed.name":"Later"')" = 1 ] && break
    sleep 0.1
done
expect_eq "the file's event stored once it appeared" 1 "$("$TOCSIN" events --site uni --format json | grep -c '"feed.name":"Later"')"
kill -TERM "$FPID"
frc=0
wait "$FPID" || frc=$?
expect_eq "follow exits 0 on SIGTERM" 0 "$frc"
grep -q 'does not exist yet: waiting for it' "$WORK/follow.err" && ok || fail "waiting logged"
finish
