#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A loopback HTTPS server for tests/integration/feeds_pull.sh.

    feed_server.py CERT KEY ROOT PORTFILE APIKEY SECRETFILE

GET /f/NAME      ROOT/files/NAME with an ETag (its SHA-256) and Last-Modified;
                 If-None-Match with that ETag gives 304
GET /503         a server error
GET /trunc       announces 1000 bytes, sends 10 and closes
POST /api2/reports/list, /api2/reports/download
                 Shadowserver's Reports API over ROOT/reports/*.csv (id "r-" and
                 the file's name without .csv, type from the name); each request
                 must carry HMAC2, the hex HMAC-SHA256 of its exact body with the
                 secret, and the right apikey, else 401.
Every request is logged to ROOT/access.log as "METHOD PATH STATUS".
"""
import hashlib
import hmac
import http.server
import json
import os
import ssl
import sys
import time

CERT, KEY, ROOT, PORTFILE, APIKEY, SECRETFILE = sys.argv[1:7]
with open(SECRETFILE, "rb") as f:
    SECRET = f.read().rstrip(b"\r\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log(self, status):
        with open(os.path.join(ROOT, "access.log"), "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path, status))

    def reply(self, status, body=b"", ctype="text/plain", headers=()):
        self.log(status)
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/503":
            return self.reply(503, b"down for maintenance\n")
        if self.path == "/trunc":
            self.log(200)
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"1.2.3.0/24")
            self.wfile.flush()
            self.connection.unwrap()  # a clean TLS close: the body just ends early
            self.close_connection = True
            return
        if self.path.startswith("/f/"):
            name = os.path.basename(self.path[3:])
            path = os.path.join(ROOT, "files", name)
            if not os.path.isfile(path):
                return self.reply(404, b"no such file\n")
            with open(path, "rb") as f:
                body = f.read()
            etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
            lm = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(os.path.getmtime(path)))
            if self.headers.get("If-None-Match") == etag:
                return self.reply(304, headers=[("ETag", etag)])
            return self.reply(200, body, headers=[("ETag", etag), ("Last-Modified", lm)])
        return self.reply(404, b"no such path\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        want = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, self.headers.get("HMAC2", "")):
            return self.reply(401, b'{"error":"bad signature"}', "application/json")
        try:
            req = json.loads(body)
        except ValueError:
            return self.reply(400, b'{"error":"not JSON"}', "application/json")
        if req.get("apikey") != APIKEY:
            return self.reply(401, b'{"error":"unknown key"}', "application/json")
        rdir = os.path.join(ROOT, "reports")
        files = sorted(f for f in os.listdir(rdir) if f.endswith(".csv"))
        if self.path == "/api2/reports/list":
            if not isinstance(req.get("date"), str) or ":" not in req["date"]:
                return self.reply(400, b'{"error":"date"}', "application/json")
            out = []
            for f in files:
                parts = f[:-4].split("-")
                out.append({"id": "r-" + f[:-4], "file": f, "type": parts[3],
                            "report": "test", "timestamp": "-".join(parts[:3])})
            return self.reply(200, json.dumps(out).encode(), "application/json")
        if self.path == "/api2/reports/download":
            for f in files:
                if req.get("id") == "r-" + f[:-4]:
                    with open(os.path.join(rdir, f), "rb") as fh:
                        return self.reply(200, fh.read(), "text/csv")
            return self.reply(404, b'{"error":"no such report"}', "application/json")
        return self.reply(404, b"{}", "application/json")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
