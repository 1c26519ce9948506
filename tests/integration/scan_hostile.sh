# SPDX-License-Identifier: Apache-2.0
# Hostile and broken services: a binary banner, a 1 MiB banner, terminal
# escapes, HTML and script in an HTTP title and Server header, a service that
# accepts and never speaks, one that resets, a tarpit that drips a byte now
# and then. The scan finishes in bounded time and every text it keeps is
# bounded and clean. Oversized ranges are refused before anything is sent.
. "$(dirname "$0")/lib.inc"
command -v python3 >/dev/null || skip "python3 is not installed"
. "$(dirname "$0")/scan_netns.inc"

cat > "$WORK/hostile.py" <<'PY'
import socket, struct, sys, threading, time
ip = sys.argv[1]
def serve(port, fn):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port)); s.listen(64)
    def loop():
        while True:
            c, _ = s.accept()
            threading.Thread(target=fn, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
def send_close(data):
    def f(c):
        try:
            c.sendall(data); time.sleep(0.2)
        except OSError:
            pass
        c.close()
    return f
def silent(c):
    time.sleep(120)
def reset(c):
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close()
def tarpit(c):
    try:
        for _ in range(60):
            c.send(b'2'); time.sleep(2)
    except OSError:
        pass
serve(2001, send_close(bytes(range(256)) * 4))
serve(2002, send_close(b'220 ' + b'A' * (1 << 20) + b'\r\n'))
serve(2003, send_close(b'\x1b]0;pwned\x07\x1b[2J\x1b[31mSSH-2.0-Evil\x9b\r\n'))
page = (b'<html><head><title><script>alert(1)</script>\x1b[5m</title></head></html>')
serve(8080, send_close(b'HTTP/1.1 200 OK\r\nServer: <img src=x onerror=alert(1)>\r\n'
                       b'Content-Length: %d\r\n\r\n' % len(page) + page))
serve(2004, silent)
serve(2005, reset)
serve(2006, tarpit)
print('ready', flush=True)
time.sleep(600)
PY
in_target python3 "$WORK/hostile.py" "$TARGET_IP"
for p in 2001 2002 2003 2004 2005 2006 8080; do wait_tcp $p || true; done

expect_rc "site" 0 "$TOCSIN" site add uni --network "$NET.0/24"
expect_rc "site of a wide range" 0 "$TOCSIN" site add wide --network 198.18.0.0/15
before=$(sent_packets)
expect_rc "oversized range" 4 in_scanner "$TOCSIN" scan run --site wide --target 198.18.0.0/15 \
    --ports 22
grep -q 'more than 65536 addresses' "$WORK/err" && ok || fail "says why the range is refused"
expect_rc "a malformed target" 2 in_scanner "$TOCSIN" scan run --site uni --target 198.18.0.2/24 \
    --ports 22
expect_rc "a malformed port list" 2 in_scanner "$TOCSIN" scan run --site uni --target "$TARGET_IP" \
    --ports 22,,80
expect_rc "port 0" 2 in_scanner "$TOCSIN" scan run --site uni --target "$TARGET_IP" --ports 0-10
expect_eq "nothing sent for refused or malformed requests" "$before" "$(sent_packets)"

start=$(date +%s)
expect_rc "scan of hostile services" 0 in_scanner "$TOCSIN" scan run --site uni \
    --target "$TARGET_IP" --ports 2001-2006,8080 --wait 2000 --format json
took=$(( $(date +%s) - start ))
cp "$WORK/out" "$WORK/hostile.json"
[ "$took" -lt 120 ] && ok || fail "the scan took $took s"
python3 - "$WORK/hostile.json" <<'PY' && ok || fail "hostile results (see above)"
import json, sys
raw = open(sys.argv[1], 'rb').read()
bad = []
if b'\x1b' in raw or b'\x07' in raw:
    bad.append("a raw control byte in the output")
if len(raw) > 64 * 1024:
    bad.append("output of %d bytes" % len(raw))
scan = json.loads(raw)
ports = {p["port"]: p for h in scan["hosts"] for p in h["ports"]}
if sorted(ports) != [2001, 2002, 2003, 2004, 2005, 2006, 8080]:
    bad.append("open ports %s" % sorted(ports))
for p in ports.values():
    for k in ("banner", "info", "title"):
        v = p[k]
        if len(v.encode()) > 512 or any(ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0 for ch in v):
            bad.append("%d %s not clean: %r" % (p["port"], k, v[:80]))
if ports.get(2003, {}).get("service") != "":
    # starts with an escape, so it is no SSH greeting: it stays unknown
    bad.append("2003 recognised as %r" % ports[2003]["service"])
if "\\x1b]0;pwned" not in ports.get(2003, {}).get("banner", ""):
    bad.append("2003 banner %r" % ports.get(2003, {}).get("banner"))
h = ports.get(8080, {})
if h.get("title") != "<script>alert(1)</script>\\x1b[5m":
    bad.append("title %r" % h.get("title"))
if h.get("info") != "<img src=x onerror=alert(1)>":
    bad.append("server %r" % h.get("info"))
for b in bad:
    print("hostile:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
expect_rc "text output" 0 "$TOCSIN" scan show 2
LC_ALL=C grep -q "$(printf '\033')" "$WORK/out" && fail "an escape in the text output" || ok
finish
