# SPDX-License-Identifier: Apache-2.0
# `tocsin scan run` against real services of Debian 12, started by this test
# with its own configuration in a network namespace of its own: OpenSSH, nginx
# (HTTP, and HTTPS with an expired self-signed certificate), dnsmasq, ntpsec,
# snmpd, Redis and memcached. The scan must find exactly the open ports they
# were told to use, with the products and versions of the installed packages;
# the advisory that affects the OpenSSH version, the certificate problems and
# the exposed Redis/memcached become events of the site; a second scan after
# a service stops reports the change. A scan of a target outside the site's
# space exits 4 and sends nothing.
. "$(dirname "$0")/lib.inc"

for b in /usr/sbin/sshd /usr/sbin/nginx /usr/sbin/dnsmasq /usr/sbin/ntpd /usr/sbin/snmpd \
    /usr/bin/redis-server /usr/bin/memcached /usr/bin/certtool; do
    [ -x "$b" ] || skip "$b is not installed (scripts/install-deps.sh installs it)"
done
. "$(dirname "$0")/scan_netns.inc"

upstream() { dpkg-query -W -f '${Version}' "$1" | sed -e 's/^[0-9]*://' -e 's/[-+~].*//'; }
V_SSH=$(upstream openssh-server)
V_NGINX=$(/usr/sbin/nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')
V_DNSMASQ=$(upstream dnsmasq-base)
V_NTPSEC=$(upstream ntpsec)
V_REDIS=$(upstream redis-server)
V_MEMCACHED=$(upstream memcached)
D=$WORK/srv
mkdir -p "$D/www" "$D/snmp" /run/sshd

# OpenSSH on 22.
ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey"
cat > "$D/sshd_config" <<CONF
Port 22
ListenAddress $TARGET_IP
HostKey $D/hostkey
PidFile $D/sshd.pid
UsePAM no
CONF
in_target /usr/sbin/sshd -D -e -f "$D/sshd_config"

# nginx: HTTP on 80, HTTPS on 443 with a self-signed certificate that expired,
# TLS 1.0 allowed besides 1.2 and 1.3 (a weak protocol to report).
certtool --generate-privkey --key-type ecdsa --outfile "$D/tls.key" 2>/dev/null
cat > "$D/tls.tmpl" <<CONF
cn = "expired.tocsin.test"
dns_name = "expired.tocsin.test"
activation_date = "2020-01-01 00:00:00"
expiration_date = "2021-01-01 00:00:00"
tls_www_server
CONF
certtool --generate-self-signed --load-privkey "$D/tls.key" --template "$D/tls.tmpl" \
    --outfile "$D/tls.crt" 2>/dev/null
printf '<html><head><title>tocsin test page</title></head><body>hi</body></html>\n' > "$D/www/index.html"
cat > "$D/nginx.conf" <<CONF
daemon off;
master_process off;
pid $D/nginx.pid;
error_log $D/nginx.err;
events { worker_connections 64; }
http {
    access_log $D/nginx.access;
    client_body_temp_path $D/tmp; proxy_temp_path $D/tmp; fastcgi_temp_path $D/tmp;
    uwsgi_temp_path $D/tmp; scgi_temp_path $D/tmp;
    server {
        listen $TARGET_IP:80;
        listen $TARGET_IP:443 ssl;
        ssl_certificate $D/tls.crt;
        ssl_certificate_key $D/tls.key;
        ssl_protocols TLSv1 TLSv1.2 TLSv1.3;
        ssl_ciphers DEFAULT:@SECLEVEL=0;
        root $D/www;
    }
}
CONF
mkdir -p "$D/tmp"
in_target /usr/sbin/nginx -c "$D/nginx.conf" -p "$D"

# dnsmasq: DNS on 53 (UDP and TCP), no upstream, answers version.bind.
in_target /usr/sbin/dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
    --listen-address="$TARGET_IP" --port=53 --user=root --pid-file="$D/dnsmasq.pid" \
    --log-facility="$D/dnsmasq.log"

# ntpsec: no time source (so it never sets the clock); mode 6 queries allowed.
cat > "$D/ntp.conf" <<CONF
logfile $D/ntp.log
interface ignore wildcard
interface listen $TARGET_IP
restrict default
restrict $NET.0 mask 255.255.255.0
CONF
in_target /usr/sbin/ntpd -n -c "$D/ntp.conf" -p "$D/ntp.pid"

# snmpd: v2c community public, its own configuration only.
cat > "$D/snmpd.conf" <<CONF
agentAddress udp:$TARGET_IP:161
rocommunity public default
sysDescr tocsin test agent
master no
CONF
in_target env SNMP_PERSISTENT_DIR="$D/snmp" /usr/sbin/snmpd -f -C -c "$D/snmpd.conf" \
    -Lf "$D/snmpd.log" -p "$D/snmpd.pid"

# Redis and memcached, open to anyone (what the scan must warn about).
in_target /usr/bin/redis-server --bind "$TARGET_IP" --port 6379 --protected-mode no \
    --save '' --appendonly no --dir "$D" --daemonize no --logfile "$D/redis.log"
REDIS_PID=$LAST_PID
in_target /usr/bin/memcached -u root -l "$TARGET_IP" -p 11211 -U 11211

for p in 22 53 80 443 6379 11211; do wait_tcp $p || true; done

# The constituency, and an advisory that affects the installed OpenSSH.
expect_rc "site" 0 "$TOCSIN" site add uni --network "$NET.0/24"
expect_rc "other site" 0 "$TOCSIN" site add other --network 198.19.0.0/24
cat > "$WORK/cve.json" <<CONF
{"dataType": "CVE_RECORD", "dataVersion": "5.1",
 "cveMetadata": {"cveId": "CVE-2099-0001", "state": "PUBLISHED",
                 "assignerOrgId": "00000000-0000-4000-8000-000000000000",
                 "datePublished": "2099-01-01T00:00:00Z"},
 "containers": {"cna": {"providerMetadata": {"orgId": "00000000-0000-4000-8000-000000000000"},
   "descriptions": [{"lang": "en", "value": "OpenSSH before 99.0 (a test record)"}],
   "affected": [{"vendor": "OpenBSD", "product": "OpenSSH", "defaultStatus": "unaffected",
                 "versions": [{"version": "0", "lessThan": "99.0", "status": "affected",
                               "versionType": "custom"}]}]}}}
CONF
expect_rc "advisory import" 0 "$TOCSIN" advisories import "$WORK/cve.json"

# Out of scope: refused, exit 4, and not one packet leaves the scanner.
before=$(sent_packets)
expect_rc "target of another site" 4 in_scanner "$TOCSIN" scan run --site uni \
    --target 198.19.0.5 --ports 22
expect_rc "one target inside, one outside" 4 in_scanner "$TOCSIN" scan run --site uni \
    --target "$TARGET_IP" --target 198.19.0.0/30 --ports 22
grep -q 'outside the site' "$WORK/err" && ok || fail "the refusal says why"
grep -q 'other' "$WORK/err" && fail "the refusal names the other site" || ok
expect_rc "an address nobody owns" 4 in_scanner "$TOCSIN" scan run --site uni \
    --target 192.0.2.1 --ports 22
after=$(sent_packets)
expect_eq "nothing sent for refused scans" "$before" "$after"
expect_rc "refusals are recorded" 0 "$TOCSIN" scan list --format json
[ "$(grep -o '"state":"refused"' "$WORK/out" | wc -l)" = 3 ] && ok || fail "3 refused scans listed"

# The scan, in the default mode (SYN as root) with UDP.
expect_rc "scan run" 0 in_scanner "$TOCSIN" scan run --site uni --target "$TARGET_IP" \
    --ports top100 --udp --format json
cp "$WORK/out" "$WORK/scan1.json"
python3 - "$WORK/scan1.json" "$TARGET_IP" "$V_SSH" "$V_NGINX" "$V_DNSMASQ" "$V_NTPSEC" \
    "$V_REDIS" "$V_MEMCACHED" <<'PY' && ok || fail "scan results (see above)"
import json, sys
scan = json.load(open(sys.argv[1]))
ip, v_ssh, v_nginx, v_dnsmasq, v_ntpsec, v_redis, v_mc = sys.argv[2:]
bad = []
hosts = {h["ip"]: h for h in scan["hosts"]}
if set(hosts) != {ip}:
    bad.append("hosts %s" % sorted(hosts))
h = hosts.get(ip, {"ports": [], "findings": []})
got = {(p["transport"], p["port"]): p for p in h["ports"]}
want = {
    ("tcp", 22): ("ssh", "openbsd:openssh", v_ssh),
    ("tcp", 53): ("dns", "thekelleys:dnsmasq", v_dnsmasq),
    ("tcp", 80): ("http", "f5:nginx", v_nginx),
    ("tcp", 443): ("https", "f5:nginx", v_nginx),
    ("tcp", 6379): ("redis", "redis:redis", v_redis),
    ("tcp", 11211): ("memcached", "memcached:memcached", v_mc),
    ("udp", 53): ("dns", "thekelleys:dnsmasq", v_dnsmasq),
    ("udp", 123): ("ntp", "ntpsec:ntpsec", v_ntpsec),
    ("udp", 161): ("snmp", "net-snmp:net-snmp", ""),
    ("udp", 11211): ("memcached", "memcached:memcached", v_mc),
}
if set(got) != set(want):
    bad.append("open ports %s, expected %s" % (sorted(got), sorted(want)))
for k, (svc, prod, ver) in want.items():
    p = got.get(k)
    if p and (p["service"], p["product"], p["version"]) != (svc, prod, ver):
        bad.append("%s/%d: %s %s %s, expected %s %s %s" % (k[0], k[1], p["service"],
                   p["product"], p["version"], svc, prod, ver))
p = got.get(("tcp", 80))
if p and p["title"] != "tocsin test page":
    bad.append("title %r" % p["title"])
t = (got.get(("tcp", 443)) or {}).get("tls") or {}
if "expired.tocsin.test" not in t.get("subject", "") or not t.get("self_signed"):
    bad.append("tls %r" % t)
if not t.get("not_after", "").startswith("2021-01-01"):
    bad.append("not_after %r" % t.get("not_after"))
if t.get("versions") != ["TLS1.0", "TLS1.2", "TLS1.3"]:
    bad.append("TLS versions %r (tested %r)" % (t.get("versions"), t.get("tested")))
snmp = got.get(("udp", 161))
if snmp and "tocsin test agent" not in snmp["info"]:
    bad.append("sysDescr %r" % snmp["info"])
ids = {(f["kind"], f["identifier"], f["port"]) for f in h["findings"]}
for need in [("advisory", "CVE-2099-0001", 22), ("certificate", "ssl-expired-certificate", 443),
             ("certificate", "ssl-self-signed-certificate", 443),
             ("certificate", "ssl-weak-protocol", 443), ("exposed", "open-redis", 6379),
             ("exposed", "open-memcached", 11211), ("exposed", "open-snmp", 161),
             ("exposed", "ntp-version", 123)]:
    if need not in ids:
        bad.append("finding %s missing" % (need,))
adv = [f for f in h["findings"] if f["kind"] == "advisory"]
if adv and "from a banner" not in adv[0]["detail"]:
    bad.append("advisory evidence %r" % adv[0]["detail"])
if any(f["event_id"] is None for f in h["findings"]):
    bad.append("a finding without its event")
for b in bad:
    print("scan1:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# The findings are events of the site, of the vulnerable classes.
expect_rc "events of the site" 0 "$TOCSIN" events --site uni --format json
n=$(grep -c '"feed.name":"tocsin-scan"' "$WORK/out" || true)
[ "$n" -ge 7 ] && ok || fail "scan findings as events ($n)"
grep -q '"classification.taxonomy":"vulnerable"' "$WORK/out" && ok || fail "vulnerable class"
expect_rc "events of the other site" 0 "$TOCSIN" events --site other --format json
grep -q 'tocsin-scan' "$WORK/out" && fail "the other site sees the scan" || ok

# Redis stops: the next scan of the same targets reports the change.
kill "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
expect_rc "second scan" 0 in_scanner "$TOCSIN" scan run --site uni --target "$TARGET_IP" \
    --ports top100 --udp --format json --mode connect
grep -q '"identifier":"port-no-longer-open"' "$WORK/out" && ok || fail "the closed port is a change"
grep -q '"mode":"connect"' "$WORK/out" && ok || fail "connect mode"
expect_rc "scan show" 0 "$TOCSIN" scan show 5
grep -q 'open 198.18.0.2 22/tcp ssh openbsd:openssh' "$WORK/out" && ok || fail "show text"
finish
