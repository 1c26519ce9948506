# SPDX-License-Identifier: Apache-2.0
"""Loopback RDAP (HTTPS) and whois servers for tests/integration/contact_find.sh.

    python3 contact_servers.py CERT KEY PORTS_FILE

Writes "RDAP_PORT IANA_WHOIS_PORT RIR_WHOIS_PORT" to PORTS_FILE once all three
listen. The answers are shaped like the registries' published examples
(RFC 9083 section 5 and the RIRs' RDAP and whois output) and include the bad
cases a client must survive: 429, malformed JSON, a redirect loop, a huge
answer, an answer that never ends, a whois flood, a whois referral loop.
"""
import json
import socket
import socketserver
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def vcard(name, email):
    return ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", name],
                      ["kind", {}, "text", "group"], ["email", {}, "text", email]]]


# ARIN-like: the abuse entity nested inside the registrant organisation.
NESTED = {
    "rdapConformance": ["rdap_level_0", "nro_rdap_profile_0"],
    "objectClassName": "ip network", "handle": "NET-192-0-2-0-1",
    "startAddress": "192.0.2.0", "endAddress": "192.0.2.255", "ipVersion": "v4",
    "entities": [{
        "objectClassName": "entity", "handle": "EXAMPLE-ORG", "roles": ["registrant"],
        "vcardArray": vcard("Example Org", "noc@org.example"),
        "entities": [
            {"objectClassName": "entity", "handle": "TECH-ARIN", "roles": ["technical"],
             "vcardArray": vcard("Tech", "tech@org.example")},
            {"objectClassName": "entity", "handle": "ABUSE-ARIN", "roles": ["abuse"],
             "vcardArray": vcard("Abuse", "abuse@org.example")},
        ],
    }],
}
# RIPE-like: a top-level abuse entity on an aut-num.
AUTNUM = {
    "rdapConformance": ["rdap_level_0"], "objectClassName": "autnum",
    "handle": "AS64501", "startAutnum": 64501, "endAutnum": 64501,
    "entities": [{"objectClassName": "entity", "handle": "AR123-RIPE", "roles": ["abuse"],
                  "vcardArray": vcard("Abuse-C Role", "abuse@as64501.example")}],
}
DOMAIN = {
    "rdapConformance": ["rdap_level_0"], "objectClassName": "domain",
    "handle": "D123-EXAMPLE", "ldhName": "example.org",
    "entities": [{"objectClassName": "entity", "handle": "292", "roles": ["registrar"],
                  "vcardArray": vcard("Registrar", "info@registrar.example"),
                  "entities": [{"objectClassName": "entity", "roles": ["abuse"],
                                "vcardArray": vcard("", "abuse@registrar.example")}]}],
}
NO_ABUSE = {"objectClassName": "ip network", "handle": "NET-NOABUSE", "entities": [
    {"objectClassName": "entity", "roles": ["registrant"],
     "vcardArray": vcard("x", "x@example.net")}]}


class Rdap(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once, as a real server's

    def log_message(self, *args):
        pass

    def send_json(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path
        if p == "/ip/192.0.2.1" or p == "/ip/192.0.2.0/28":
            return self.send_json(200, NESTED)
        if p == "/autnum/64501":
            return self.send_json(200, AUTNUM)
        if p == "/domain/example.org":
            return self.send_json(200, DOMAIN)
        if p == "/ip/192.0.2.2":  # rate-limited
            body = b'{"errorCode":429,"title":"Too Many Requests"}'
            self.send_response(429)
            self.send_header("Retry-After", "60")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        if p == "/ip/192.0.2.3":  # malformed
            body = b'{"objectClassName": "ip network", "entities": [{"roles": ["abuse"'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        if p.startswith("/ip/192.0.2.4"):  # a redirect loop
            self.send_response(302)
            self.send_header("Location", "/ip/192.0.2.4" + ("?b" if p.endswith("?a") else "?a"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if p == "/ip/192.0.2.5":  # huge: 2 MiB of entities
            doc = dict(NO_ABUSE)
            doc["remarks"] = [{"description": ["x" * 1000]} for _ in range(2100)]
            return self.send_json(200, doc)
        if p == "/ip/192.0.2.6":  # never ends
            self.send_response(200)
            self.send_header("Content-Type", "application/rdap+json")
            self.end_headers()
            try:
                self.wfile.write(b'{"remarks": [')
                while True:
                    self.wfile.write(b'"x",')
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                return None
        if p == "/ip/192.0.2.9":  # nested too deep, abuse at the bottom
            e = {"objectClassName": "entity", "roles": ["abuse"],
                 "vcardArray": vcard("deep", "deep@example.net")}
            for _ in range(12):
                e = {"objectClassName": "entity", "roles": ["registrant"], "entities": [e]}
            return self.send_json(200, {"objectClassName": "ip network", "entities": [e]})
        if p == "/ip/192.0.2.10":
            return self.send_json(200, NO_ABUSE)
        return self.send_json(404, {"errorCode": 404, "title": "Not Found"})


# ---- whois ----------------------------------------------------------------------------

PORTS = {}


class Whois(socketserver.BaseRequestHandler):
    role = "rir"

    def handle(self):
        self.request.settimeout(5)
        data = b""
        while b"\n" not in data and len(data) < 1024:
            chunk = self.request.recv(1024)
            if not chunk:
                return
            data += chunk
        q = data.split(b"\n")[0].strip().decode("ascii", "replace")
        if self.role == "iana":
            # IANA refers every query to the RIR (the RIR port).
            self.send("%% IANA WHOIS server\n\nrefer:        127.0.0.1:%d\n\ninetnum:      192.0.0.0 - "
                      "192.255.255.255\norganisation: Example RIR\nstatus:       ALLOCATED\n\n"
                      % PORTS["rir"])
            return
        if q == "192.0.2.2":  # ARIN-like
            self.send("NetRange:       192.0.2.0 - 192.0.2.255\nCIDR:           192.0.2.0/24\n"
                      "NetName:        TEST-NET-1\n\nOrgAbuseHandle: ABUSE1-ARIN\n"
                      "OrgAbuseEmail:  abuse@arin-like.example\n")
        elif q == "192.0.2.3":  # RIPE-like
            self.send("%% Abuse contact for '192.0.2.0 - 192.0.2.255' is 'abuse@ripe-like.example'\n\n"
                      "inetnum:        192.0.2.0 - 192.0.2.255\nnetname:        EXAMPLE-NET\n"
                      "abuse-c:        AR1-RIPE\n\nrole:           Abuse Role\nnic-hdl:        AR1-RIPE\n"
                      "abuse-mailbox:  abuse@ripe-like.example\n".replace("%%", "%"))
        elif q == "192.0.2.5":  # a flood
            try:
                for _ in range(4096):
                    self.request.sendall(b"remarks: " + b"y" * 1000 + b"\n")
            except OSError:
                pass
        elif q == "192.0.2.6":  # never ends
            try:
                while True:
                    self.request.sendall(b"remarks: still here\n")
                    time.sleep(0.2)
            except OSError:
                pass
        elif q == "192.0.2.11":  # aims the client at another service
            self.send("ReferralServer: whois://127.0.0.2:25\n")
        elif q == "192.0.2.8":  # a referral loop: back to IANA, which refers here
            self.send("ReferralServer: whois://127.0.0.1:%d\n" % PORTS["iana"])
        else:
            self.send("% No entries found for the selected source(s).\n")

    def send(self, text):
        try:
            self.request.sendall(text.encode())
        except OSError:
            pass


class IanaWhois(Whois):
    role = "iana"


class TServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up on a flood are the point of the test


class HServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def main():
    cert, key, ports_file = sys.argv[1:4]
    httpd = HServer(("127.0.0.1", 0), Rdap)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    iana = TServer(("127.0.0.1", 0), IanaWhois)
    rir = TServer(("127.0.0.1", 0), Whois)
    PORTS["iana"] = iana.server_address[1]
    PORTS["rir"] = rir.server_address[1]
    for srv in (iana, rir):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    with open(ports_file + ".tmp", "w") as f:
        f.write("%d %d %d\n" % (httpd.server_address[1], PORTS["iana"], PORTS["rir"]))
    import os
    os.rename(ports_file + ".tmp", ports_file)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
