#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Synthetic Suricata EVE alerts for the cluster test and the scale-out
benchmark: gen_eve.py EXPECTED N RATE FILE... appends N alert lines to each
FILE (RATE lines/s per file, 0 = at once). The source address picks the
owner: 10.1-3.x.x belong to site1-3, every seventh line (203.0.113.x) to no
site. EXPECTED receives "siteK COUNT" per site, counted here as written."""
import json
import sys
import time

expected, n, rate, paths = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
files = [open(p, "a") for p in paths]
counts = {"site1": 0, "site2": 0, "site3": 0}
chunk = max(1, rate // 20) if rate else 10000
t0 = time.time()
for start in range(0, n, chunk):
    for k, f in enumerate(files):
        lines = []
        for i in range(start, min(n, start + chunk)):
            uid = k * 10**8 + i
            s = 1 + uid % 3
            if uid % 7 == 0:
                src = f"203.0.113.{uid % 250}"
            else:
                src = f"10.{s}.{uid // 256 % 256}.{uid % 256}"
                counts[f"site{s}"] += 1
            lines.append(json.dumps({
                "timestamp": "2026-11-20T10:00:00.000000+0000", "event_type": "alert",
                "src_ip": src, "src_port": 40000 + uid % 20000, "dest_ip": "192.0.2.1",
                "dest_port": 22, "proto": "TCP",
                "alert": {"signature_id": uid, "signature": f"generated alert {uid}",
                          "category": "Attempted Information Leak", "severity": 2}}))
        f.write("\n".join(lines) + "\n")
        f.flush()
    if rate:
        time.sleep(max(0.0, t0 + (start + chunk) / rate - time.time()))
with open(expected, "w") as out:
    for site, c in sorted(counts.items()):
        out.write(f"{site} {c}\n")
