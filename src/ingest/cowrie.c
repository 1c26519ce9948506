/* SPDX-License-Identifier: Apache-2.0 */
/* Cowrie honeypot JSON log (cowrie.json): one object per line.
 *
 * Decisions:
 * - Events are made of five eventids; every other one (session.connect,
 *   client.*, direct-tcpip.*, log.*, session.closed, command.failed, unknown
 *   future ids) is TS_PARSE_SKIP. A skipped line is still fully validated JSON
 *   with a string eventid, else it is an error.
 * - Mandatory for events: timestamp and src_ip (the attacker). dst_ip and
 *   dst_port become the destination when present (Cowrie writes them on
 *   session.connect only, so login/command events normally have none).
 *   IPv4-mapped IPv6 addresses (a dual-stack listener) are unmapped so that
 *   IPv4 constituency prefixes match.
 * - login.failed, login.success and command.input are intrusion-attempts/
 *   brute-force with source = src_ip. A "successful" login only opened the fake
 *   shell of a honeypot: no real system was compromised, so the intrusions
 *   types (which assert a compromise) would mislead the constituent; what the
 *   attacker host did was guess credentials, and typing commands afterwards is
 *   the same intrusion attempt carried on. The identifiers
 *   cowrie-login-failed / cowrie-login-success / cowrie-command-input keep the
 *   three apart.
 * - Passwords: a honeypot also receives real passwords (a constituent's user
 *   mistyping the host name, credential lists built from real leaks), and
 *   events are shown to site contacts and kept in the store, so the
 *   cleartext is never kept: extra cowrie.password_sha256 holds the hex
 *   SHA-256 of the password bytes, enough to correlate the same password
 *   across events and sensors or check it against a dictionary. An unsalted
 *   hash does not protect a weak password against a determined guesser; it
 *   keeps secrets out of casual view. The username is kept
 *   (cowrie.username). Cowrie's message repeats the password, so the message
 *   is not kept for login events.
 * - session.file_download is malicious-code/malware-distribution about the
 *   host serving the file: source.url = url, source.ip (literal IP host) or
 *   source.fqdn (DNS name host) from the URL's authority. The attacker's
 *   src_ip is not the subject of this event (its login and command events
 *   report it) and is kept as extra cowrie.src_ip, not as destination, which
 *   would name it a victim. A URL without a usable host keeps only
 *   source.url. session.file_upload (the attacker pushed the file itself) is
 *   malware-distribution with source = src_ip.
 * - protocol.transport is tcp; protocol.application is ssh or telnet when the
 *   Cowrie "system" field names the transport.
 * - extra keys: cowrie.session, cowrie.sensor, cowrie.username,
 *   cowrie.password_sha256, cowrie.input, cowrie.shasum, cowrie.outfile,
 *   cowrie.filename, cowrie.src_ip (values as JSON text).
 * - Duplicate keys: the last occurrence wins. */
#include <stdint.h>
#include <string.h>

#include "core/jsonscan.h"
#include "ingest/parser.h"
#include "ingest/parser_int.h"

#define KEY_IS(k, lit) ((k).len == sizeof(lit) - 1 && memcmp((k).ptr, lit, sizeof(lit) - 1) == 0)

/* ---- SHA-256 (FIPS 180-4), only for password digests ----------------------------- */

struct sha256 {
    uint32_t h[8];
    uint8_t buf[64];
    size_t n;      /* bytes in buf */
    uint64_t bits; /* total length */
};

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha_block(struct sha256 *s, const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5],
             g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 =
            h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
    s->h[5] += f;
    s->h[6] += g;
    s->h[7] += h;
}

/* Hex SHA-256 of p (n bytes) into hex (65 bytes, NUL-terminated). */
static void sha256_hex(const void *p, size_t n, char hex[65])
{
    struct sha256 s = {{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
                        0x1f83d9ab, 0x5be0cd19},
                       {0},
                       0,
                       (uint64_t)n * 8};
    const uint8_t *b = p;
    for (; n >= 64; n -= 64, b += 64)
        sha_block(&s, b);
    memcpy(s.buf, b, n);
    s.buf[n++] = 0x80;
    if (n > 56) {
        memset(s.buf + n, 0, 64 - n);
        sha_block(&s, s.buf);
        n = 0;
    }
    memset(s.buf + n, 0, 56 - n);
    for (int i = 0; i < 8; i++)
        s.buf[56 + i] = (uint8_t)(s.bits >> (56 - 8 * i));
    sha_block(&s, s.buf);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        uint8_t x = (uint8_t)(s.h[i / 4] >> (24 - 8 * (i % 4)));
        hex[2 * i] = digits[x >> 4];
        hex[2 * i + 1] = digits[x & 15];
    }
    hex[64] = '\0';
}

/* ---- the record ------------------------------------------------------------------- */

enum kind { K_SKIP, K_LOGIN_FAILED, K_LOGIN_SUCCESS, K_COMMAND, K_DOWNLOAD, K_UPLOAD };

struct cowrie_top {
    ts_jscan_val_t eventid, timestamp, src_ip, dst_ip, dst_port, session, sensor, username,
        password, input, url, shasum, outfile, filename, system;
};

static void top_member(struct cowrie_top *t, ts_str_t k, const ts_jscan_val_t *v)
{
    static const struct {
        const char *name;
        size_t off;
    } keys[] = {
        {"eventid", offsetof(struct cowrie_top, eventid)},
        {"timestamp", offsetof(struct cowrie_top, timestamp)},
        {"src_ip", offsetof(struct cowrie_top, src_ip)},
        {"dst_ip", offsetof(struct cowrie_top, dst_ip)},
        {"dst_port", offsetof(struct cowrie_top, dst_port)},
        {"session", offsetof(struct cowrie_top, session)},
        {"sensor", offsetof(struct cowrie_top, sensor)},
        {"username", offsetof(struct cowrie_top, username)},
        {"password", offsetof(struct cowrie_top, password)},
        {"input", offsetof(struct cowrie_top, input)},
        {"url", offsetof(struct cowrie_top, url)},
        {"shasum", offsetof(struct cowrie_top, shasum)},
        {"outfile", offsetof(struct cowrie_top, outfile)},
        {"filename", offsetof(struct cowrie_top, filename)},
        {"system", offsetof(struct cowrie_top, system)},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (ts_str_eq_c(k, keys[i].name)) {
            *(ts_jscan_val_t *)((char *)t + keys[i].off) = *v;
            return;
        }
}

static enum kind kind_of(ts_str_t id)
{
    if (KEY_IS(id, "cowrie.login.failed"))
        return K_LOGIN_FAILED;
    if (KEY_IS(id, "cowrie.login.success"))
        return K_LOGIN_SUCCESS;
    if (KEY_IS(id, "cowrie.command.input"))
        return K_COMMAND;
    if (KEY_IS(id, "cowrie.session.file_download"))
        return K_DOWNLOAD;
    if (KEY_IS(id, "cowrie.session.file_upload"))
        return K_UPLOAD;
    return K_SKIP;
}

/* ::ffff:a.b.c.d as a.b.c.d: constituencies list IPv4 prefixes. */
static void unmap_v4(ts_ip_t *ip)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (ip->family == TS_AF_INET6 && memcmp(ip->bytes, mapped, 12) == 0) {
        memmove(ip->bytes, ip->bytes + 12, 4);
        memset(ip->bytes + 4, 0, 12);
        ip->family = TS_AF_INET;
    }
}

static int parse_ip(const ts_jscan_val_t *v, const char *field, ts_ip_t *out, ts_parse_error_t *err)
{
    if (v->type == TS_JSCAN_NONE)
        return ts_perr(err, TS_EMISSING, "%s: missing", field);
    char buf[TS_IP_STRLEN];
    ts_str_t s;
    int rc = ts_pstr_small(v, buf, sizeof buf, &s);
    if (rc == TS_ETYPE)
        return ts_perr(err, TS_ETYPE, "%s: expected a string, got %s", field,
                       ts_jscan_type_name(v->type));
    if (rc != 0 || ts_ip_parse(s.ptr, s.len, out) != 0)
        return ts_perr(err, TS_EADDR, "%s: not an IP address", field);
    unmap_v4(out);
    return 0;
}

/* extra[key] = v when present; v must be a string. */
static int add_str(ts_arena_t *a, ts_event_t *e, const char *key, const ts_jscan_val_t *v,
                   bool required, ts_parse_error_t *err)
{
    if (v->type == TS_JSCAN_NONE || v->type == TS_JSCAN_NULL) {
        if (required)
            return ts_perr(err, TS_EMISSING, "%s: missing", key + sizeof "cowrie." - 1);
        return 0;
    }
    if (v->type != TS_JSCAN_STRING)
        return ts_perr(err, TS_ETYPE, "%s: expected a string, got %s", key + sizeof "cowrie." - 1,
                       ts_jscan_type_name(v->type));
    return ts_pextra(a, e, ts_str_c(key), v, err);
}

static int add_password_hash(ts_arena_t *a, ts_event_t *e, const ts_jscan_val_t *v,
                             ts_parse_error_t *err)
{
    if (v->type == TS_JSCAN_NONE || v->type == TS_JSCAN_NULL)
        return 0;
    char buf[TS_EVENT_STR_MAX];
    ts_str_t pw;
    int rc = ts_pstr_small(v, buf, sizeof buf, &pw);
    if (rc == TS_ETYPE)
        return ts_perr(err, rc, "password: expected a string, got %s", ts_jscan_type_name(v->type));
    /* An unescaped value comes back as a slice of any length: bound it too. */
    if (rc == TS_ETOOBIG || (rc == 0 && pw.len > TS_EVENT_STR_MAX))
        return ts_perr(err, TS_ETOOBIG, "password: longer than %d bytes", TS_EVENT_STR_MAX);
    if (rc != 0)
        return ts_perr(err, rc, "password: contains U+0000");
    char json[67];
    json[0] = '"';
    sha256_hex(pw.ptr, pw.len, json + 1);
    json[65] = '"';
    json[66] = '\0';
    ts_jscan_val_t hv = {.type = TS_JSCAN_STRING, .raw = ts_str(json, 66)};
    return ts_pextra(a, e, TS_STR_LIT("cowrie.password_sha256"), &hv, err);
}

/* Host of a URL's authority ("scheme://[user@]host[:port]/..."), IPv6 in
 * brackets; empty slice when there is none. */
static ts_str_t url_host(ts_str_t u, bool *bracketed)
{
    *bracketed = false;
    const char *p = u.ptr, *end = u.ptr + u.len;
    const char *s = NULL;
    for (const char *q = p; q + 2 < end; q++) {
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            s = q + 3;
            break;
        }
        if (*q == '/' || *q == '?' || *q == '#')
            break;
    }
    if (s == NULL)
        return ts_str("", 0);
    const char *auth_end = s;
    while (auth_end < end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
        auth_end++;
    const char *at = NULL;
    for (const char *q = s; q < auth_end; q++)
        if (*q == '@')
            at = q;
    if (at)
        s = at + 1;
    if (s < auth_end && *s == '[') {
        const char *close = memchr(s, ']', (size_t)(auth_end - s));
        if (close == NULL)
            return ts_str("", 0);
        *bracketed = true;
        return ts_str(s + 1, (size_t)(close - s - 1));
    }
    const char *h = s;
    while (h < auth_end && *h != ':')
        h++;
    return ts_str(s, (size_t)(h - s));
}

static int download_source(ts_arena_t *a, ts_event_t *e, const ts_jscan_val_t *url,
                           ts_parse_error_t *err)
{
    if (url->type == TS_JSCAN_NONE || url->type == TS_JSCAN_NULL)
        return ts_perr(err, TS_EMISSING, "url: missing");
    int rc = ts_pstr(a, url, "url", false, &e->src.url, err);
    if (rc != 0)
        return rc;
    bool br;
    ts_str_t host = url_host(e->src.url, &br);
    if (host.len == 0)
        return 0;
    if (ts_ip_parse(host.ptr, host.len, &e->src.ip) == 0)
        unmap_v4(&e->src.ip);
    else if (!br && ts_pdns_name(host))
        e->src.fqdn = ts_pdns_copy(a, host);
    else
        e->src.ip.family = TS_AF_NONE;
    return 0;
}

static int parse_time(const ts_jscan_val_t *v, int64_t *out, ts_parse_error_t *err)
{
    if (v->type == TS_JSCAN_NONE)
        return ts_perr(err, TS_EMISSING, "timestamp: missing");
    char tb[64];
    ts_str_t ts;
    int rc = ts_pstr_small(v, tb, sizeof tb, &ts);
    if (rc == TS_ETYPE)
        return ts_perr(err, TS_ETYPE, "timestamp: expected a string, got %s",
                       ts_jscan_type_name(v->type));
    if (rc != 0 || ts_time_parse(ts.ptr, ts.len, out) != 0)
        return ts_perr(err, TS_EINVAL, "timestamp: not a valid time");
    return 0;
}

static ts_str_t application(const ts_jscan_val_t *sys)
{
    if (sys->type != TS_JSCAN_STRING)
        return TS_STR_NULL;
    ts_str_t s = ts_jscan_str_raw(sys);
    for (size_t i = 0; i + 6 <= s.len; i++) {
        if (memcmp(s.ptr + i, "Telnet", 6) == 0)
            return TS_STR_LIT("telnet");
        if (memcmp(s.ptr + i, "SSH", 3) == 0)
            return TS_STR_LIT("ssh");
    }
    return TS_STR_NULL;
}

int ts_cowrie_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                    ts_parse_error_t *err)
{
    ts_jscan_iter_t it;
    if (ts_jscan_object_begin(&it, line, len) != 0)
        return ts_perr(err, TS_ESYNTAX, "not a JSON object");
    struct cowrie_top t;
    memset(&t, 0, sizeof t);
    ts_jscan_key_t k;
    ts_jscan_val_t v;
    char kb[32];
    int rc;
    while ((rc = ts_jscan_object_next(&it, &k, &v)) == 1)
        top_member(&t, ts_pkey(&k, kb, sizeof kb), &v);
    if (rc < 0)
        return ts_perr_json(err, &it);

    if (t.eventid.type == TS_JSCAN_NONE)
        return ts_perr(err, TS_EMISSING, "eventid: missing");
    char idb[64];
    ts_str_t id;
    rc = ts_pstr_small(&t.eventid, idb, sizeof idb, &id);
    if (rc == TS_ETYPE)
        return ts_perr(err, TS_ETYPE, "eventid: expected a string, got %s",
                       ts_jscan_type_name(t.eventid.type));
    enum kind kind = rc == 0 ? kind_of(id) : K_SKIP;
    if (kind == K_SKIP)
        return TS_PARSE_SKIP;

    ts_event_t *e = out;
    ts_event_init(e);
    e->feed_name = TS_STR_LIT("cowrie");
    e->transport = TS_STR_LIT("tcp");
    e->application = application(&t.system);
    if ((rc = parse_time(&t.timestamp, &e->time_source, err)) != 0)
        return rc;
    ts_ip_t attacker;
    if ((rc = parse_ip(&t.src_ip, "src_ip", &attacker, err)) != 0)
        return rc;

    const char *type_name = "brute-force";
    switch (kind) {
    case K_LOGIN_FAILED:
    case K_LOGIN_SUCCESS:
        e->identifier = kind == K_LOGIN_FAILED ? TS_STR_LIT("cowrie-login-failed")
                                               : TS_STR_LIT("cowrie-login-success");
        e->description = kind == K_LOGIN_FAILED
                             ? TS_STR_LIT("login attempt on a honeypot failed")
                             : TS_STR_LIT("login attempt on a honeypot succeeded (fake system)");
        if ((rc = add_str(arena, e, "cowrie.username", &t.username, true, err)) != 0 ||
            (rc = add_password_hash(arena, e, &t.password, err)) != 0)
            return rc;
        break;
    case K_COMMAND:
        e->identifier = TS_STR_LIT("cowrie-command-input");
        e->description = TS_STR_LIT("command typed into a honeypot shell");
        if ((rc = add_str(arena, e, "cowrie.input", &t.input, true, err)) != 0)
            return rc;
        break;
    case K_DOWNLOAD:
        type_name = "malware-distribution";
        e->identifier = TS_STR_LIT("cowrie-file-download");
        e->description = TS_STR_LIT("file fetched into a honeypot by an attacker");
        if ((rc = download_source(arena, e, &t.url, err)) != 0 ||
            (rc = add_str(arena, e, "cowrie.src_ip", &t.src_ip, true, err)) != 0 ||
            (rc = add_str(arena, e, "cowrie.shasum", &t.shasum, false, err)) != 0 ||
            (rc = add_str(arena, e, "cowrie.outfile", &t.outfile, false, err)) != 0)
            return rc;
        break;
    case K_UPLOAD:
        type_name = "malware-distribution";
        e->identifier = TS_STR_LIT("cowrie-file-upload");
        e->description = TS_STR_LIT("file uploaded into a honeypot by an attacker");
        if ((rc = add_str(arena, e, "cowrie.filename", &t.filename, false, err)) != 0 ||
            (rc = add_str(arena, e, "cowrie.shasum", &t.shasum, false, err)) != 0 ||
            (rc = add_str(arena, e, "cowrie.outfile", &t.outfile, false, err)) != 0)
            return rc;
        break;
    case K_SKIP:
        return TS_PARSE_SKIP;
    }
    if (ts_type_lookup(type_name, strlen(type_name), &e->type) != 0)
        return ts_perr(err, TS_EINVAL, "internal: unknown type %s", type_name);

    if (kind != K_DOWNLOAD) {
        e->src.ip = attacker;
        if (t.dst_ip.type != TS_JSCAN_NONE &&
            (rc = parse_ip(&t.dst_ip, "dst_ip", &e->dst.ip, err)) != 0)
            return rc;
        if (t.dst_port.type != TS_JSCAN_NONE &&
            (rc = ts_pport(&t.dst_port, "dst_port", &e->dst.port, err)) != 0)
            return rc;
    }
    if ((rc = add_str(arena, e, "cowrie.session", &t.session, false, err)) != 0 ||
        (rc = add_str(arena, e, "cowrie.sensor", &t.sensor, false, err)) != 0)
        return rc;
    return TS_PARSE_EVENT;
}
