# SPDX-License-Identifier: Apache-2.0
# `advisories fetch` against a real CSAF provider over HTTPS: nginx on
# loopback with a certificate from a throwaway CA (certtool), a provider tree
# built here from tests/data/csaf-provider with .sha512 files and .asc
# signatures by a throwaway OpenPGP key. Checks: first fetch imports all,
# second downloads nothing, a changed document alone is fetched and replaces
# its earlier revision, a wrong digest or signature refuses only that
# document, ROLIE is preferred over directories, index.txt works, --limit
# defers, and plain http, http redirects and untrusted certificates are
# refused with nothing imported.
. "$(dirname "$0")/lib.inc"

for tool in nginx certtool gpg gpgconf sha512sum; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
"$TOCSIN" advisories fetch --help >/dev/null 2>&1 || skip "tocsin advisories fetch is not wired in"

# Loopback only: no proxy may stand in between.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

FIX="$SRC/tests/data/csaf-provider"
# A short path: gpg-agent puts its socket in the home directory.
GNUPGHOME=$(mktemp -d /tmp/tocsin-gpg.XXXXXX)
export GNUPGHOME
NGINX_PID=""
cleanup() {
    if [ -n "$NGINX_PID" ]; then
        kill "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
    fi
    gpgconf --kill all >/dev/null 2>&1 || true
    rm -rf "$GNUPGHOME"
}
trap cleanup EXIT

# ---- PKI: a CA the test trusts, another it does not, a server certificate ----
cd "$WORK"
mkpki() {
    certtool --generate-privkey --key-type ecdsa --outfile "$1.key" >/dev/null 2>&1
    printf 'cn = "%s"\nca\ncert_signing_key\nexpiration_days = 2\n' "$1" >"$1.tmpl"
    certtool --generate-self-signed --load-privkey "$1.key" --template "$1.tmpl" \
        --outfile "$1.pem" >/dev/null 2>&1
}
mkpki ca
mkpki otherca
certtool --generate-privkey --key-type ecdsa --outfile srv.key >/dev/null 2>&1
printf 'cn = "127.0.0.1"\nip_address = "127.0.0.1"\ndns_name = "localhost"\ntls_www_server\nsigning_key\nexpiration_days = 2\n' >srv.tmpl
certtool --generate-certificate --load-privkey srv.key --load-ca-certificate ca.pem \
    --load-ca-privkey ca.key --template srv.tmpl --outfile srv.pem >/dev/null 2>&1
[ -s srv.pem ] || { echo "FAIL: certtool could not make the server certificate" >&2; exit 1; }

# ---- OpenPGP: the provider's key and another one ----
gpg --batch --pinentry-mode loopback --passphrase '' \
    --quick-gen-key 'Tocsin Test Provider <csaf@provider.test>' ed25519 sign 1d >/dev/null 2>&1
gpg --batch --pinentry-mode loopback --passphrase '' \
    --quick-gen-key 'Someone Else <other@provider.test>' ed25519 sign 1d >/dev/null 2>&1
gpg --armor --export csaf@provider.test >provider-key.asc 2>/dev/null
[ -s provider-key.asc ] || { echo "FAIL: gpg could not make a key" >&2; exit 1; }
FPR=$(gpg --with-colons --fingerprint csaf@provider.test 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
sign() { # sign FILE [SIGNER]: FILE.asc
    gpg --batch --yes --pinentry-mode loopback --passphrase '' \
        --local-user "${2:-csaf@provider.test}" --armor --detach-sign --output "$1.asc" "$1" 2>/dev/null
}

# ---- The provider tree ----
WWW="$WORK/www"
mkdir -p "$WWW"
port_pick() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 40000))
    fi
}
# put DIR NAME SOURCE: a document with its .sha512 and .asc
put() {
    mkdir -p "$1"
    cp "$3" "$1/$2"
    (cd "$1" && sha512sum "$2" >"$2.sha512")
    sign "$1/$2"
}
pmd() { # pmd DIR ROLE DISTRIBUTIONS_JSON
    mkdir -p "$WWW/$1/.well-known/csaf"
    cat >"$WWW/$1/.well-known/csaf/provider-metadata.json" <<EOF
{"canonical_url":"$BASE/$1/.well-known/csaf/provider-metadata.json",
 "distributions":$3,
 "last_updated":"2024-04-15T10:00:00.000Z","list_on_CSAF_aggregators":false,
 "metadata_version":"2.0","mirror_on_CSAF_aggregators":false,
 "public_openpgp_keys":[{"fingerprint":"$FPR","url":"$BASE/$1/key.asc"}],
 "publisher":{"category":"vendor","name":"Tocsin Test Provider","namespace":"https://provider.test"},
 "role":"$2"}
EOF
}
F1="$FIX/tocsin-test-2024-001.json"
F1B="$FIX/tocsin-test-2024-001.rev2.json"
F2="$FIX/tocsin-test-2024-002.json"
F3="$FIX/tocsin-test-2024-003.json"
F4="$FIX/tocsin-test-2024-004.json"
ADIR="$WWW/a/csaf/white"
A="$ADIR/2024"

# ---- nginx ----
NG="$WORK/nginx"
mkdir -p "$NG/tmp"
ACCESS="$NG/access.log"
start_nginx() {
    cat >"$NG/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/error.log;
events { worker_connections 64; }
http {
    access_log $ACCESS;
    client_body_temp_path $NG/tmp/body;
    proxy_temp_path $NG/tmp/proxy;
    fastcgi_temp_path $NG/tmp/fastcgi;
    uwsgi_temp_path $NG/tmp/uwsgi;
    scgi_temp_path $NG/tmp/scgi;
    types { application/json json; text/csv csv; text/plain txt sha512 sha256 asc; }
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $WORK/srv.pem;
        ssl_certificate_key $WORK/srv.key;
        root $WWW;
        location = /r/.well-known/csaf/provider-metadata.json {
            return 301 http://127.0.0.1:$PORT/a/.well-known/csaf/provider-metadata.json;
        }
        location = /s/.well-known/csaf/provider-metadata.json {
            return 301 https://127.0.0.1:$PORT/a/.well-known/csaf/provider-metadata.json;
        }
    }
}
EOF
    : >"$ACCESS"
    nginx -p "$NG" -c "$NG/nginx.conf" -e "$NG/error.log" &
    NGINX_PID=$!
    for _ in $(seq 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
        kill -0 "$NGINX_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
    return 1
}

started=0
for _ in 1 2 3 4 5; do
    PORT=$(port_pick)
    BASE="https://127.0.0.1:$PORT"
    if start_nginx; then started=1; break; fi
done
[ "$started" = 1 ] || { sed 's/^/  | /' "$NG/error.log" >&2; echo "FAIL: nginx did not start" >&2; exit 1; }

# Provider A: directory-based, trusted provider.
pmd a csaf_trusted_provider "[{\"directory_url\":\"$BASE/a/csaf/white/\"}]"
put "$A" tocsin-test-2024-001.json "$F1"
put "$A" tocsin-test-2024-002.json "$F2"
cat >"$ADIR/changes.csv" <<EOF
"../../../etc/passwd.json","2024-03-09T00:00:00Z"
"2024/tocsin-test-2024-002.json","2024-03-02T10:00:00.000Z"
"2024/readme.txt","2024-03-01T12:00:00.000Z"
"2024/tocsin-test-2024-001.json","2024-03-01T10:00:00.000Z"
EOF

# ---- helpers ----
DB="$WORK/a.db"
mkdir -p "$WORK/tmp" # TMPDIR of the fetches: the temporary keyrings go there
# fetch WHAT RC DB ARGS...: runs the fetch; NEW holds the requests it made.
fetch() {
    local what=$1 rc=$2 db=$3
    shift 3
    local before
    before=$(wc -l <"$ACCESS")
    expect_rc "$what" "$rc" env TOCSIN_DB="$db" TMPDIR="$WORK/tmp" "$TOCSIN" advisories fetch "$@"
    NEW=$(tail -n +$((before + 1)) "$ACCESS")
    # kept per case for a reader of a failed run
    cat "$WORK/out" "$WORK/err" >"$WORK/case.${what// /_}" 2>/dev/null || true
}
fs() { sed -n "s/^fetch: .*\b$1=\([0-9]*\).*/\1/p" "$WORK/out"; }
is() { sed -n "s/^import: .*\b$1=\([0-9]*\).*/\1/p" "$WORK/out"; }
# docs PATTERN: documents (not digests or signatures) requested in NEW
docs() { printf '%s\n' "$NEW" | grep "\"GET $1" | grep -c '/2024/[^ ]*\.json HTTP' || true; }
CA=(--cacert "$WORK/ca.pem")

# ---- Refusals first: plain http, untrusted certificates, http redirects ----
fetch "http refused" 2 "$WORK/none.db" --provider "http://127.0.0.1:$PORT/a" "${CA[@]}"
grep -q 'only https' "$WORK/err" && ok || fail "http refusal explained: $(cat "$WORK/err")"
[ ! -e "$WORK/none.db" ] && ok || fail "http refusal created a database"
expect_eq "http: no request" "" "$NEW"

fetch "untrusted cert" 1 "$WORK/tls.db" --provider "$BASE/a" --state "$WORK/st-tls"
grep -qiE 'certificate|tls|ssl' "$WORK/err" && ok || fail "TLS failure reported: $(cat "$WORK/err")"
expect_eq "untrusted: imported" 0 "$(is imported)"
expect_eq "untrusted: no request reached the server" "" "$NEW"
fetch "other CA" 1 "$WORK/tls.db" --provider "$BASE/a" --cacert "$WORK/otherca.pem" \
    --state "$WORK/st-tls"
grep -qiE 'certificate|tls|ssl' "$WORK/err" && ok || fail "wrong CA reported: $(cat "$WORK/err")"

fetch "redirect to http" 1 "$WORK/tls.db" --provider "$BASE/r" "${CA[@]}" --state "$WORK/st-tls"
grep -qi 'http' "$WORK/err" && ok || fail "redirect refusal reported"
expect_eq "redirect to http: one request" 1 "$(printf '%s\n' "$NEW" | grep -c GET)"
expect_eq "redirect to http: imported" 0 "$(is imported)"

expect_rc "empty key file" 1 env TOCSIN_DB="$WORK/tls.db" "$TOCSIN" advisories fetch \
    --provider "$BASE/a" "${CA[@]}" --key /dev/null --state "$WORK/st-tls"
grep -q 'no OpenPGP public key' "$WORK/err" && ok || fail "empty key explained: $(cat "$WORK/err")"
expect_rc "no provider" 2 "$TOCSIN" advisories fetch "${CA[@]}"
expect_rc "bad limit" 2 "$TOCSIN" advisories fetch --provider "$BASE/a" --limit 0

mkdir -p "$WWW/d/.well-known/csaf"
echo 'this is not JSON' >"$WWW/d/.well-known/csaf/provider-metadata.json"
fetch "bad metadata" 1 "$WORK/tls.db" --provider "$BASE/d" "${CA[@]}" --state "$WORK/st-tls"
grep -q 'provider-metadata.json' "$WORK/err" && ok || fail "bad metadata named"

# ---- Directory provider: first fetch, then nothing new ----
fetch "first fetch" 0 "$DB" --provider "$BASE/a" "${CA[@]}"
expect_eq "first: listed" 2 "$(fs listed)"
expect_eq "first: downloaded" 2 "$(fs downloaded)"
expect_eq "first: imported" 2 "$(is imported)"
expect_eq "first: documents requested" 2 "$(docs /a/)"
grep -q 'changes.csv: line 1: .*unsafe' "$WORK/err" && ok || fail "traversal line reported: $(cat "$WORK/err")"
grep -q 'changes.csv: line 3: ' "$WORK/err" && ok || fail "non-JSON line reported"
if printf '%s\n' "$NEW" | grep -q passwd; then fail "traversal path requested"; else ok; fi
printf '%s\n' "$NEW" | grep -q 'GET /a/csaf/white/2024/tocsin-test-2024-001.json.sha512' && ok ||
    fail "digest fetched"
grep -q 'tocsin/' "$ACCESS" && ok || fail "User-Agent tocsin/VERSION"
grep -q 'warning: the provider publishes an OpenPGP key' "$WORK/err" && ok || fail "no --key noted"
[ -d "$DB.csaf" ] && ok || fail "default state directory DB.csaf"

fetch "second fetch" 0 "$DB" --provider "$BASE/a" "${CA[@]}"
expect_eq "second: downloaded" 0 "$(fs downloaded)"
expect_eq "second: unchanged" 2 "$(fs unchanged)"
expect_eq "second: requests (metadata + changes.csv)" 2 "$(fs requests)"
expect_eq "second: documents requested" 0 "$(docs /a/)"
expect_eq "second: imported" 0 "$(is imported)"

# Redirects within https are followed.
fetch "https redirect" 0 "$DB" --provider "$BASE/s" "${CA[@]}" --state "$WORK/st-s"
expect_eq "https redirect: imported or unchanged" 2 "$(($(is imported) + $(is unchanged)))"

# ---- A changed document: only it is fetched, and it replaces revision 1 ----
put "$A" tocsin-test-2024-001.json "$F1B"
cat >"$ADIR/changes.csv" <<EOF
"2024/tocsin-test-2024-001.json","2024-04-15T09:30:00.000Z"
"2024/tocsin-test-2024-002.json","2024-03-02T10:00:00.000Z"
EOF
fetch "changed document" 0 "$DB" --provider "$BASE/a" "${CA[@]}"
expect_eq "changed: downloaded" 1 "$(fs downloaded)"
expect_eq "changed: unchanged" 1 "$(fs unchanged)"
expect_eq "changed: replaced" 1 "$(is replaced)"
expect_eq "changed: documents requested" 1 "$(docs /a/)"
expect_eq "changed: it was 001" 1 "$(docs /a/csaf/white/2024/tocsin-test-2024-001)"
if command -v sqlite3 >/dev/null 2>&1; then
    expect_eq "stored revision" 2 "$(sqlite3 -readonly "$DB" \
        "SELECT revision FROM advisories WHERE adv_id = 'TOCSIN-TEST-2024-001'" 2>&1)"
fi

# ---- A wrong digest refuses that document only ----
put "$A" tocsin-test-2024-003.json "$F3"
put "$A" tocsin-test-2024-004.json "$F4"
(cd "$A" && sha512sum tocsin-test-2024-004.json | sed 's/004/003/' >tocsin-test-2024-003.json.sha512)
cat >"$ADIR/changes.csv" <<EOF
"2024/tocsin-test-2024-001.json","2024-04-15T09:30:00.000Z"
"2024/tocsin-test-2024-004.json","2024-03-04T10:00:00.000Z"
"2024/tocsin-test-2024-003.json","2024-03-03T10:00:00.000Z"
"2024/tocsin-test-2024-002.json","2024-03-02T10:00:00.000Z"
EOF
fetch "wrong digest" 5 "$DB" --provider "$BASE/a" "${CA[@]}"
expect_eq "digest: refused" 1 "$(fs refused)"
expect_eq "digest: imported" 1 "$(is imported)"
if grep -q 'not newest first' "$WORK/err"; then fail "fixture changes.csv out of order"; else ok; fi
grep -q 'tocsin-test-2024-003.json: refused .*SHA-512 digest does not match' "$WORK/err" && ok ||
    fail "digest mismatch reported: $(cat "$WORK/err")"
if command -v sqlite3 >/dev/null 2>&1; then
    expect_eq "003 not stored" 0 "$(sqlite3 -readonly "$DB" \
        "SELECT count(*) FROM advisories WHERE adv_id = 'TOCSIN-TEST-2024-003'" 2>&1)"
fi
fetch "refused document retried" 5 "$DB" --provider "$BASE/a" "${CA[@]}"
expect_eq "retry: downloaded only 003" 1 "$(docs /a/csaf/white/2024/tocsin-test-2024-003)"
expect_eq "retry: documents requested" 1 "$(docs /a/)"

# ---- Signatures with --key ----
sign "$A/tocsin-test-2024-002.json" other@provider.test  # another key
cp "$A/tocsin-test-2024-001.json.asc" "$A/tocsin-test-2024-004.json.asc" # not over 004
fetch "signatures" 5 "$WORK/k.db" --provider "$BASE/a" "${CA[@]}" --key "$WORK/provider-key.asc" \
    --state "$WORK/st-k"
expect_eq "signatures: imported (001)" 1 "$(is imported)"
expect_eq "signatures: refused (002 key, 003 digest, 004 signature)" 3 "$(fs refused)"
grep -q 'tocsin-test-2024-002.json: refused (.*): signed by another key' "$WORK/err" && ok ||
    fail "other key reported: $(cat "$WORK/err")"
grep -q 'tocsin-test-2024-004.json: refused (.*): bad signature' "$WORK/err" && ok ||
    fail "bad signature reported"
rm "$A/tocsin-test-2024-001.json.asc"
fetch "missing signature" 5 "$WORK/k2.db" --provider "$BASE/a" "${CA[@]}" \
    --key "$WORK/provider-key.asc" --state "$WORK/st-k2"
expect_eq "no .asc: imported" 0 "$(is imported)"
grep -q 'tocsin-test-2024-001.json: refused (.*): no signature' "$WORK/err" && ok ||
    fail "missing signature reported"
[ -z "$(ls -A "$WORK/tmp")" ] && ok || fail "temporary keyring left behind: $(ls "$WORK/tmp")"

# ---- --limit defers the rest to the next run ----
fetch "limit" 0 "$WORK/l.db" --provider "$BASE/a" "${CA[@]}" --limit 1 --state "$WORK/st-l"
expect_eq "limit: downloaded" 1 "$(fs downloaded)"
expect_eq "limit: deferred" 3 "$(fs deferred)"
fetch "limit, next run" 5 "$WORK/l.db" --provider "$BASE/a" "${CA[@]}" --state "$WORK/st-l"
expect_eq "limit: rest downloaded" 3 "$(fs downloaded)"
expect_eq "limit: 001 not again" 0 "$(docs /a/csaf/white/2024/tocsin-test-2024-001)"

# ---- ROLIE provider: feeds preferred over the directory ----
B="$WWW/b/2024"
put "$B" tocsin-test-2024-001.json "$F1"
put "$B" tocsin-test-2024-002.json "$F2"
mkdir -p "$WWW/b/dir"
echo '"2024/missing.json","2024-03-01T00:00:00Z"' >"$WWW/b/dir/changes.csv"
pmd b csaf_provider "[{\"directory_url\":\"$BASE/b/dir/\"},{\"rolie\":{\"feeds\":[{\"tlp_label\":\"WHITE\",\"url\":\"$BASE/b/feed-white.json\"}]}}]"
feed() { # feed UPDATED_OF_001
    cat >"$WWW/b/feed-white.json" <<EOF
{"feed":{"id":"tocsin-test-white","title":"Tocsin test WHITE","updated":"$1",
 "link":[{"rel":"self","href":"$BASE/b/feed-white.json"}],
 "entry":[
  {"id":"TOCSIN-TEST-2024-001","title":"Widget overflow","published":"2024-03-01T10:00:00Z","updated":"$1",
   "link":[{"rel":"self","href":"$BASE/b/2024/tocsin-test-2024-001.json"},
           {"rel":"hash","href":"$BASE/b/2024/tocsin-test-2024-001.json.sha512"},
           {"rel":"signature","href":"$BASE/b/2024/tocsin-test-2024-001.json.asc"}],
   "content":{"type":"application/json","src":"$BASE/b/2024/tocsin-test-2024-001.json"},
   "format":{"schema":"https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json","version":"2.0"}},
  {"id":"TOCSIN-TEST-2024-002","title":"Gadget injection","published":"2024-03-02T10:00:00Z",
   "updated":"2024-03-02T10:00:00Z",
   "link":[{"rel":"self","href":"$BASE/b/2024/tocsin-test-2024-002.json"}],
   "content":{"type":"application/json","src":"$BASE/b/2024/tocsin-test-2024-002.json"},
   "format":{"schema":"https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json","version":"2.0"}},
  {"id":"bad","title":"no https","updated":"2024-03-02T10:00:00Z",
   "content":{"src":"http://127.0.0.1:$PORT/b/2024/tocsin-test-2024-002.json"}}
 ]}}
EOF
}
feed "2024-03-01T10:00:00Z"
fetch "rolie first" 0 "$WORK/b.db" --provider "$BASE/b/.well-known/csaf/provider-metadata.json" \
    "${CA[@]}" --key "$WORK/provider-key.asc"
expect_eq "rolie: imported" 2 "$(is imported)"
expect_eq "rolie: documents requested" 2 "$(docs /b/2024/)"
if printf '%s\n' "$NEW" | grep -q '/b/dir/'; then fail "directory used although ROLIE is listed"; else ok; fi
grep -q 'feed-white.json: entry 2: .*https' "$WORK/err" && ok || fail "bad ROLIE entry reported"
fetch "rolie second" 0 "$WORK/b.db" --provider "$BASE/b/.well-known/csaf/provider-metadata.json" \
    "${CA[@]}" --key "$WORK/provider-key.asc"
expect_eq "rolie second: downloaded" 0 "$(fs downloaded)"
expect_eq "rolie second: unchanged" 2 "$(fs unchanged)"
feed "2024-03-05T10:00:00Z" # newer date, same bytes
fetch "rolie same bytes" 0 "$WORK/b.db" --provider "$BASE/b/.well-known/csaf/provider-metadata.json" \
    "${CA[@]}" --key "$WORK/provider-key.asc"
expect_eq "same bytes: downloaded" 1 "$(fs downloaded)"
expect_eq "same bytes: unchanged" 2 "$(fs unchanged)"
expect_eq "same bytes: not imported again" 0 "$(($(is imported) + $(is replaced) + $(is unchanged)))"

# ---- index.txt when there is no changes.csv ----
C="$WWW/c/white"
put "$C/2024" tocsin-test-2024-002.json "$F2"
put "$C/2024" tocsin-test-2024-004.json "$F4"
printf '2024/tocsin-test-2024-002.json\n2024/tocsin-test-2024-004.json\n' >"$C/index.txt"
pmd c csaf_provider "[{\"directory_url\":\"$BASE/c/white\"}]"
fetch "index first" 0 "$WORK/c.db" --provider "$BASE/c" "${CA[@]}"
expect_eq "index: imported" 2 "$(is imported)"
fetch "index second" 0 "$WORK/c.db" --provider "$BASE/c" "${CA[@]}"
expect_eq "index second: downloaded" 0 "$(fs downloaded)"
expect_eq "index second: unchanged (by digest)" 2 "$(fs unchanged)"
expect_eq "index second: documents requested" 0 "$(docs /c/)"

finish
