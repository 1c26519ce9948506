#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench_contact in one run with its RDAP part: starts the loopback RDAP
# server of the tests (tests/support/contact_servers.py) with a throwaway
# CA's certificate, runs bench_contact against it and stops the server.
#   bench/contact_rdap.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: contact_rdap.sh BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
SRV=""
cleanup() {
    [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
certtool --generate-privkey --key-type ecdsa --outfile ca.key >/dev/null 2>&1
printf 'cn = "bench CA"\nca\ncert_signing_key\nexpiration_days = 2\n' >ca.tmpl
certtool --generate-self-signed --load-privkey ca.key --template ca.tmpl --outfile ca.pem >/dev/null 2>&1
certtool --generate-privkey --key-type ecdsa --outfile srv.key >/dev/null 2>&1
printf 'cn = "127.0.0.1"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nexpiration_days = 2\n' >srv.tmpl
certtool --generate-certificate --load-privkey srv.key --load-ca-certificate ca.pem \
    --load-ca-privkey ca.key --template srv.tmpl --outfile srv.pem >/dev/null 2>&1
python3 "$SRC/tests/support/contact_servers.py" srv.pem srv.key ports &
SRV=$!
for _ in $(seq 600); do [ -s ports ] && break; sleep 0.05; done
read -r RDAP_PORT _ _ <ports
"$BUILD/bench/bench_contact" "$WORK" --rdap "https://127.0.0.1:$RDAP_PORT/" --cacert "$WORK/ca.pem"
