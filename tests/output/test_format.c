/* SPDX-License-Identifier: Apache-2.0 */
/* Golden tests for the event output formats (json, csv, table).
 *
 * The events below are built by hand and formatted in each format; the result
 * is compared byte for byte with tests/data/golden/events.{json,csv,table}.
 * After an intended change of the output, regenerate the files with
 *
 *     TS_UPDATE_GOLDEN=1 ctest -R output/test_format
 *
 * (or run the test binary with TS_UPDATE_GOLDEN=1 set), which rewrites the
 * golden files instead of comparing, then inspect `git diff tests/data/golden`
 * by eye before committing. Independently of the golden files, each output is
 * checked structurally: every JSON line parses with json-c (strict, UTF-8
 * validated) and holds exactly the expected keys in the fixed order; the CSV
 * is read back with an RFC 4180 reader; the table holds no control bytes and
 * keeps its columns aligned. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <iconv.h>
#include <json-c/json.h>

#include "output/format.h"
#include "testutil.h"

#define N_EVENTS 8

/* ---- fixture ---------------------------------------------------------------- */

static char long_desc[TS_EVENT_STR_MAX];

static ts_ip_t ip(const char *s)
{
    ts_ip_t a;
    assert_int_equal(ts_ip_parse(s, strlen(s), &a), 0);
    return a;
}

static ts_type_t type(const char *s)
{
    ts_type_t t;
    assert_int_equal(ts_type_lookup(s, strlen(s), &t), 0);
    return t;
}

static void extra(ts_event_t *e, const char *key, const char *json)
{
    e->extra[e->n_extra].key = ts_str_c(key);
    e->extra[e->n_extra].value_json = ts_str_c(json);
    e->n_extra++;
}

static ts_link_t link_store[N_EVENTS][4];
static const ts_stored_event_t *fixture; /* the array make_events() fills */

static ts_link_t *link_(ts_stored_event_t *s, ts_role_t role, int64_t site_id, const char *site,
                        ts_rule_kind_t kind, const char *rule)
{
    ts_link_t *l = &link_store[s - fixture][s->n_links++];
    s->links = link_store[s - fixture];
    memset(l, 0, sizeof *l);
    l->role = role;
    l->match.site_id = site_id;
    l->match.site_name = site;
    l->match.kind = kind;
    l->match.rule = rule;
    return l;
}

static void make_events(ts_stored_event_t *ev)
{
    memset(ev, 0, sizeof *ev * N_EVENTS);
    fixture = ev;
    for (int i = 0; i < N_EVENTS; i++) {
        ts_event_init(&ev[i].ev);
        ev[i].id = i + 1;
        ev[i].input_id = 1;
        ev[i].line = (uint64_t)i + 1;
    }

    /* 1: IPv4, everything present, one link. */
    ts_event_t *e = &ev[0].ev;
    e->time_source = 1795761000123456; /* 2026-11-27T06:30:00.123456Z */
    e->time_observation = 1795761005000000;
    e->type = type("scanner");
    e->identifier = ts_str_c("ssh-scan");
    e->description = ts_str_c("SSH scan from a known scanner");
    e->src.ip = ip("192.0.2.10");
    e->src.port = 51234;
    e->src.asn = 64500;
    e->src.fqdn = ts_str_c("scan.example.net");
    e->dst.ip = ip("198.51.100.7");
    e->dst.port = 22;
    e->dst.asn = 64501;
    e->transport = ts_str_c("tcp");
    e->application = ts_str_c("ssh");
    e->feed_name = ts_str_c("suricata-eve");
    e->feed_provider = ts_str_c("sensor-1");
    e->count = 3;
    extra(e, "signature_id", "2001219");
    extra(e, "tags", "[\"scan\", \"ssh\"]");
    extra(e, "flow", "{\"pkts\": 12, \"tls\": false, \"ratio\": 0.5e-3}");
    link_(&ev[0], TS_ROLE_DESTINATION, 2, "uni-a", TS_RULE_NETWORK, "198.51.100.0/24");

    /* 2: IPv6 both ends, two links (ASN and domain), no source port. */
    e = &ev[1].ev;
    e->time_source = 1795824000000000; /* midnight */
    e->time_observation = 1795824000000000;
    e->type = type("ids-alert");
    e->identifier = ts_str_c("2024897");
    e->description = ts_str_c("ET POLICY Outbound request");
    e->src.ip = ip("2001:db8::1");
    e->src.asn = 64502;
    e->dst.ip = ip("2001:db8:ffff:1234:5678:9abc:def0:42");
    e->dst.port = 443;
    e->dst.fqdn = ts_str_c("www.uni-b.example");
    e->transport = ts_str_c("tcp");
    e->feed_name = ts_str_c("suricata-eve");
    link_(&ev[1], TS_ROLE_SOURCE, 3, "dept-x", TS_RULE_ASN, "AS64502");
    link_(&ev[1], TS_ROLE_DESTINATION, 4, "uni-b", TS_RULE_DOMAIN, "uni-b.example");

    /* 3: minimal: no source time, no ports, ASN, FQDN, links or extras. */
    e = &ev[2].ev;
    e->time_observation = 946684799999999;
    e->src.ip = ip("203.0.113.99");

    /* 4: hostile strings everywhere the data reaches. */
    e = &ev[3].ev;
    e->time_source = 1767323045000006;
    e->type = type("brute-force");
    e->identifier = ts_str_c("=cmd|' /C calc'!A0");
    e->description = ts_str_c("he said \"hi\", then\r\nleft\t\x1b[31mRED\x1b[0m \xC2\x9B"
                              "2J \xE2\x80\xAE"
                              "evil\xE2\x80\xAC bad:\xC0\xAF\xFF del:\x7f end");
    e->src.ip = ip("192.0.2.66");
    e->src.port = 0;
    e->src.asn = 0;
    e->src.fqdn = ts_str_c("-evil,host\"");
    e->src.url = ts_str_c("http://example.com/?q=\"</script><script>alert(1)</script>");
    e->dst.ip = ip("198.51.100.8");
    e->dst.port = 65535;
    e->dst.fqdn = ts_str_c("+1 555 0100");
    e->transport = ts_str_c("@SUM(1+1)*cmd|' /C calc'!A0");
    e->application = ts_str_c("\tTAB");
    e->feed_name = ts_str_c("feed\nwith newline");
    e->feed_provider = ts_str_c("\xE2\x80\xA8sep");
    extra(e, "user\"name\n", "\"root\\u0000\"");
    extra(e, "not_json", "rm -rf / ; \x1b]0;pwned\x07");
    extra(e, "deep", "[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]");
    extra(e, "user\"name\n", "\"duplicate, dropped\"");
    link_(&ev[3], TS_ROLE_SOURCE, 5, "-dash-site", TS_RULE_NETWORK, "192.0.2.64/26");

    /* 5: a description far longer than the table column, cut inside a
     * multi-byte character if the cut were byte based. */
    e = &ev[4].ev;
    e->time_source = 1795761000123456;
    e->type = type("c2-server");
    size_t n = 0;
    const char *pieces[] = {"a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", " "};
    for (size_t i = 0; n + 4 < sizeof long_desc - 1; i++) {
        const char *p = pieces[i % 5];
        memcpy(long_desc + n, p, strlen(p));
        n += strlen(p);
    }
    long_desc[n] = '\0';
    e->description = ts_str(long_desc, n);
    e->dst.ip = ip("192.0.2.200");
    e->dst.port = 4444;
    e->count = 12345;
    ev[4].id = 9007199254740993; /* beyond double precision */
    link_(&ev[4], TS_ROLE_DESTINATION, 6, "a-site-with-a-rather-long-name", TS_RULE_NETWORK,
          "192.0.2.128/25");

    /* 6: IPv4-mapped source, destination known only by name, with port. */
    e = &ev[5].ev;
    e->time_source = 1795761005000000;
    e->type = type("phishing");
    e->src.ip = ip("::ffff:192.0.2.1");
    e->dst.fqdn = ts_str_c("xn--bcher-kva.example");
    e->dst.port = 8080;
    e->dst.url = ts_str_c("https://xn--bcher-kva.example:8080/login?a=1&b=2");
    e->description = ts_str_c("Phishing page, caf\xC3\xA9 \xE2\x82\xAC");
    link_(&ev[5], TS_ROLE_DESTINATION, 7, "uni-a", TS_RULE_DOMAIN, "xn--bcher-kva.example");

    /* 7: a link whose site has been removed (no name), a very long FQDN. */
    e = &ev[6].ev;
    e->time_source = 1795761005000000;
    e->type = type("undetermined");
    e->src.fqdn = ts_str_c("a-very-long-host-name-that-does-not-fit.sub.example.org");
    e->src.port = 25;
    link_(&ev[6], TS_ROLE_SOURCE, 8, NULL, TS_RULE_DOMAIN, "example.org");

    /* 8: many targets: a blocklisted netblock as the source, three hosts as
     * the destination, each owning site with its share; TLP:AMBER+STRICT. */
    static ts_prefix_t dst_hosts[3], src_share[1], a_share[2], b_share[1];
    static ts_targets_t dst_t;
    const char *h[] = {"192.0.2.3", "192.0.2.20", "2001:db8::5"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(ts_prefix_parse(h[i], strlen(h[i]), &dst_hosts[i]), 0);
    dst_t = (ts_targets_t){dst_hosts, 3, 3};
    e = &ev[7].ev;
    e->time_source = 1795761010000000;
    e->type = type("scanner");
    e->tlp = TS_TLP_AMBER_STRICT;
    assert_int_equal(ts_prefix_parse("198.51.100.0/24", 15, &e->src.network), 0);
    e->dst.targets = &dst_t;
    e->dst.port = 22;
    e->description = ts_str_c("address scan: 3 hosts on tcp/22");
    src_share[0] = e->src.network;
    a_share[0] = dst_hosts[0];
    a_share[1] = dst_hosts[1];
    b_share[0] = dst_hosts[2];
    link_(&ev[7], TS_ROLE_SOURCE, 1, "nren", TS_RULE_NETWORK, "198.51.100.0/24")->own =
        (ts_targets_t){src_share, 1, 1};
    link_(&ev[7], TS_ROLE_DESTINATION, 2, "uni-a", TS_RULE_NETWORK, "192.0.2.0/25")->own =
        (ts_targets_t){a_share, 2, 2};
    link_(&ev[7], TS_ROLE_DESTINATION, 4, "uni-b", TS_RULE_NETWORK, "2001:db8::/32")->own =
        (ts_targets_t){b_share, 1, 1};
}

static void format_all(ts_format_t fmt, const ts_stored_event_t *ev, ts_buf_t *out)
{
    ts_format_header(fmt, out);
    for (int i = 0; i < N_EVENTS; i++)
        ts_format_event(fmt, &ev[i], out);
    ts_format_footer(fmt, N_EVENTS, out);
}

/* ---- golden comparison ------------------------------------------------------- */

static void golden(const char *name, const ts_buf_t *out)
{
    char why[8192];
    if (tt_golden(name, out->data, out->len, why, sizeof why) != 0)
        fail_msg("%s", why);
}

/* ---- independent checks ------------------------------------------------------ */

static int utf8_valid(const char *s, size_t n)
{
    iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char *in = (char *)s;
    size_t inleft = n;
    int ok = 1;
    while (inleft > 0) {
        char outb[256];
        char *o = outb;
        size_t outleft = sizeof outb;
        if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1 && errno != E2BIG) {
            ok = 0;
            break;
        }
    }
    iconv_close(cd);
    return ok;
}

/* The fixed key order of format.h; extra.* keys sit between feed.provider
 * and tocsin.id. */
static const char *const key_order[] = {
    "time.source",
    "time.observation",
    "classification.taxonomy",
    "classification.type",
    "classification.identifier",
    "event_description.text",
    "source.ip",
    "source.port",
    "source.asn",
    "source.fqdn",
    "source.url",
    "source.network",
    "destination.ip",
    "destination.port",
    "destination.asn",
    "destination.fqdn",
    "destination.url",
    "destination.network",
    "protocol.transport",
    "protocol.application",
    "feed.name",
    "feed.provider",
    "tlp",
    "extra.",
    "tocsin.id",
    "tocsin.count",
    "tocsin.source.targets",
    "tocsin.destination.targets",
    "tocsin.site",
    "tocsin.role",
    "tocsin.links",
};

static int key_rank(const char *k)
{
    for (size_t i = 0; i < sizeof key_order / sizeof key_order[0]; i++)
        if (strcmp(k, key_order[i]) == 0 ||
            (strcmp(key_order[i], "extra.") == 0 && strncmp(k, "extra.", 6) == 0))
            return (int)i;
    return -1;
}

static json_object *parse_line(const char *s, size_t n)
{
    json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *o = json_tokener_parse_ex(tok, s, (int)n);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (o == NULL || err != json_tokener_success || used != n)
        fail_msg("line does not parse (%s): %.*s", json_tokener_error_desc(err), (int)n, s);
    return o;
}

static const char *jget_str(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    assert_true(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

static void check_json(const ts_stored_event_t *ev, const ts_buf_t *out)
{
    assert_true(utf8_valid(out->data, out->len));
    const char *p = out->data, *end = out->data + out->len;
    int i = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl); /* every line ends with \n */
        assert_true(i < N_EVENTS);
        for (const char *q = p; q < nl; q++)
            assert_true((unsigned char)*q >= 0x20);
        json_object *o = parse_line(p, (size_t)(nl - p));
        const ts_event_t *e = &ev[i].ev;

        /* Keys: known, in order, and no nulls. */
        int last = -1;
        json_object_object_foreach(o, k, kv)
        {
            int r = key_rank(k);
            if (r < 0)
                fail_msg("event %d: unexpected key %s", i, k);
            if (r < last)
                fail_msg("event %d: key %s out of order", i, k);
            last = r;
            assert_false(json_object_is_type(kv, json_type_null));
        }

        /* Values that must match the event. */
        json_object *v;
        assert_true(json_object_object_get_ex(o, "tocsin.id", &v));
        assert_true(json_object_get_int64(v) == ev[i].id);
        assert_true(json_object_object_get_ex(o, "tocsin.count", &v));
        assert_true((uint64_t)json_object_get_int64(v) == e->count);
        assert_int_equal(jget_str(o, "time.source") != NULL, e->time_source != TS_TIME_NONE);
        assert_int_equal(json_object_object_get_ex(o, "source.port", NULL), e->src.port >= 0);
        assert_int_equal(json_object_object_get_ex(o, "destination.asn", NULL), e->dst.asn >= 0);
        assert_int_equal(jget_str(o, "source.fqdn") != NULL, e->src.fqdn.ptr != NULL);
        assert_int_equal(jget_str(o, "classification.type") != NULL, true);
        if (e->src.ip.family != TS_AF_NONE) {
            char a[TS_IP_STRLEN];
            ts_ip_format(&e->src.ip, a, sizeof a);
            assert_string_equal(jget_str(o, "source.ip"), a);
        } else {
            assert_null(jget_str(o, "source.ip"));
        }
        if (e->identifier.ptr)
            assert_string_equal(jget_str(o, "classification.identifier"), e->identifier.ptr);
        if (ev[i].n_links > 0) {
            assert_true(json_object_object_get_ex(o, "tocsin.links", &v));
            assert_int_equal(json_object_array_length(v), ev[i].n_links);
            const char *site = ev[i].links[0].match.site_name;
            if (site)
                assert_string_equal(jget_str(o, "tocsin.site"), site);
            else
                assert_null(jget_str(o, "tocsin.site"));
            assert_string_equal(jget_str(o, "tocsin.role"),
                                ev[i].links[0].role == TS_ROLE_SOURCE ? "source" : "destination");
        } else {
            assert_false(json_object_object_get_ex(o, "tocsin.links", NULL));
            assert_null(jget_str(o, "tocsin.site"));
        }
        /* Extras: first of duplicate keys kept, each value valid JSON. */
        int n_extra = 0;
        json_object_object_foreach(o, k2, v2)
        {
            (void)v2;
            n_extra += strncmp(k2, "extra.", 6) == 0;
        }
        int want_extra = 0;
        for (uint32_t x = 0; x < e->n_extra; x++) {
            bool dup = false;
            for (uint32_t y = 0; y < x; y++)
                dup |= ts_str_eq(e->extra[x].key, e->extra[y].key);
            want_extra += !dup;
        }
        assert_int_equal(n_extra, want_extra);
        json_object_put(o);
        p = nl + 1;
        i++;
    }
    assert_int_equal(i, N_EVENTS);
}

/* Minimal RFC 4180 reader: returns the number of fields of the record at *p
 * (advancing past its CRLF), copying field k into fields[k] (NUL-terminated). */
#define CSV_COLS 27
static int csv_record(const char **pp, const char *end, char fields[][8192])
{
    const char *p = *pp;
    int nf = 0;
    for (;;) {
        assert_true(nf < CSV_COLS + 1);
        char *f = fields[nf];
        size_t fn = 0;
        if (p < end && *p == '"') {
            p++;
            for (;;) {
                assert_true(p < end);
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        f[fn++] = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                f[fn++] = *p++;
            }
        } else {
            while (p < end && *p != ',' && *p != '\r' && *p != '\n' && *p != '"')
                f[fn++] = *p++;
        }
        assert_true(fn < 8192);
        f[fn] = '\0';
        nf++;
        assert_true(p < end);
        if (*p == ',') {
            p++;
            continue;
        }
        /* A record ends with CRLF, never a bare LF or CR. */
        assert_true(end - p >= 2 && p[0] == '\r' && p[1] == '\n');
        *pp = p + 2;
        return nf;
    }
}

static void check_csv(const ts_stored_event_t *ev, const ts_buf_t *out)
{
    static char fields[CSV_COLS + 1][8192];
    assert_true(utf8_valid(out->data, out->len));
    const char *p = out->data, *end = out->data + out->len;
    assert_int_equal(csv_record(&p, end, fields), CSV_COLS);
    assert_string_equal(fields[0], "id");
    assert_string_equal(fields[CSV_COLS - 1], "destination.targets");
    static const bool numeric[CSV_COLS] = {
        [0] = true, [6] = true, [7] = true, [10] = true, [11] = true, [22] = true, [25] = true};
    for (int i = 0; i < N_EVENTS; i++) {
        assert_int_equal(csv_record(&p, end, fields), CSV_COLS);
        assert_true(strtoll(fields[0], NULL, 10) == ev[i].id);
        for (int c = 0; c < CSV_COLS; c++) {
            char f0 = fields[c][0];
            if (numeric[c]) {
                for (const char *q = fields[c]; *q; q++)
                    assert_true(*q >= '0' && *q <= '9');
                continue;
            }
            /* No text field may start a formula. */
            if (f0 == '=' || f0 == '+' || f0 == '-' || f0 == '@' || f0 == '\t' || f0 == '\r')
                fail_msg("event %d column %d starts a formula: %s", i, c, fields[c]);
            for (const char *q = fields[c]; *q; q++)
                assert_true((unsigned char)*q >= 0x20 || *q == '\t' || *q == '\r' || *q == '\n');
        }
        /* Hostile text comes back whole, behind the protective quote. */
        if (ev[i].ev.identifier.ptr && ev[i].ev.identifier.ptr[0] == '=') {
            assert_int_equal(fields[4][0], '\'');
            assert_string_equal(fields[4] + 1, ev[i].ev.identifier.ptr);
        }
        if (ev[i].ev.feed_name.ptr && strchr(ev[i].ev.feed_name.ptr, '\n'))
            assert_string_equal(fields[15], ev[i].ev.feed_name.ptr);
    }
    assert_true(p == end); /* no footer */
}

/* Display columns (code points) of s[0..n). */
static size_t cols(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static void check_table(const ts_buf_t *out)
{
    assert_true(utf8_valid(out->data, out->len));
    const unsigned char *u = (const unsigned char *)out->data;
    for (size_t i = 0; i < out->len; i++) {
        assert_true(u[i] >= 0x20 || u[i] == '\n');
        assert_true(u[i] != 0x7F);
        if (u[i] == 0xC2 && i + 1 < out->len)
            assert_false(u[i + 1] >= 0x80 && u[i + 1] <= 0x9F); /* C1 */
        if (u[i] == 0xE2 && i + 2 < out->len && u[i + 1] == 0x80)
            assert_false(u[i + 2] >= 0xA8 && u[i + 2] <= 0xAE); /* U+2028-202E */
    }
    /* Every row but the footer: the description starts at the same column,
     * preceded by the two-space separator, and fits its width. */
    const size_t desc_col = 8 + 2 + 19 + 2 + 20 + 2 + 16 + 2 + 30 + 2 + 30 + 2 + 20 + 2;
    const char *p = out->data, *end = out->data + out->len;
    int rows = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        if (nl + 1 == end) {
            assert_true(strncmp(p, "8 events\n", 9) == 0);
            break;
        }
        /* An id wider than its column shifts the row by the excess. */
        size_t idw = 0;
        while (p + idw < nl && p[idw] == ' ')
            idw++;
        while (p + idw < nl && p[idw] != ' ')
            idw++;
        size_t want_col = desc_col + (idw > 8 ? idw - 8 : 0);
        size_t c = 0;
        const char *q = p;
        while (q < nl && c < want_col)
            c += ((unsigned char)*q++ & 0xC0) != 0x80;
        while (q < nl && ((unsigned char)*q & 0xC0) == 0x80)
            q++;
        assert_int_equal(c, want_col);
        assert_true(q[-1] == ' ' && q[-2] == ' ');
        assert_true(cols(q, (size_t)(nl - q)) <= 50);
        assert_true(nl == q || nl[-1] != ' '); /* no trailing blanks */
        rows++;
        p = nl + 1;
    }
    assert_int_equal(rows, 2 + N_EVENTS);
}

/* ---- tests --------------------------------------------------------------------- */

static void test_parse_invalid(void **state)
{
    ts_format_t f = TS_FMT_CSV;
    assert_int_equal(ts_format_parse(NULL, &f), TS_EINVAL);
    assert_int_equal(ts_format_parse("", &f), TS_EINVAL);
    assert_int_equal(ts_format_parse("JSON", &f), TS_EINVAL);
    assert_int_equal(ts_format_parse("json ", &f), TS_EINVAL);
    assert_int_equal(ts_format_parse("xml", &f), TS_EINVAL);
    assert_int_equal(f, TS_FMT_CSV); /* untouched on error */
}

static void test_parse_valid(void **state)
{
    const char *names[] = {"table", "json", "csv"};
    for (size_t i = 0; i < 3; i++) {
        ts_format_t f;
        assert_int_equal(ts_format_parse(names[i], &f), 0);
        assert_string_equal(ts_format_name(f), names[i]);
    }
    ts_format_t f;
    assert_int_equal(ts_format_parse("ndjson", &f), 0);
    assert_int_equal(f, TS_FMT_JSON);
}

static void run_golden(ts_format_t fmt, const char *file)
{
    static ts_stored_event_t ev[N_EVENTS];
    make_events(ev);
    ts_buf_t out = TS_BUF_INIT;
    format_all(fmt, ev, &out);
    assert_non_null(out.data);
    /* When updating, write first so that a file failing the checks below can
     * still be inspected. */
    golden(file, &out);
    if (fmt == TS_FMT_JSON)
        check_json(ev, &out);
    else if (fmt == TS_FMT_CSV)
        check_csv(ev, &out);
    else
        check_table(&out);

    /* Streaming: event by event into a reused buffer gives the same bytes. */
    ts_buf_t one = TS_BUF_INIT, all = TS_BUF_INIT;
    ts_format_header(fmt, &one);
    ts_buf_append(&all, one.data ? one.data : "", one.len);
    for (int i = 0; i < N_EVENTS; i++) {
        ts_buf_reset(&one);
        ts_format_event(fmt, &ev[i], &one);
        ts_buf_append(&all, one.data, one.len);
    }
    ts_buf_reset(&one);
    ts_format_footer(fmt, N_EVENTS, &one);
    ts_buf_append(&all, one.data ? one.data : "", one.len);
    assert_int_equal(all.len, out.len);
    assert_memory_equal(all.data, out.data, out.len);
    ts_buf_free(&one);
    ts_buf_free(&all);
    ts_buf_free(&out);
}

static void test_json(void **state)
{
    run_golden(TS_FMT_JSON, "events.json");
}

static void test_csv(void **state)
{
    run_golden(TS_FMT_CSV, "events.csv");
}

static void test_table(void **state)
{
    run_golden(TS_FMT_TABLE, "events.table");
}

static void test_empty_output(void **state)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_format_header(TS_FMT_JSON, &b);
    ts_format_footer(TS_FMT_JSON, 0, &b);
    assert_int_equal(b.len, 0);
    ts_format_footer(TS_FMT_TABLE, 0, &b);
    assert_string_equal(b.data, "0 events\n");
    ts_buf_reset(&b);
    ts_format_footer(TS_FMT_TABLE, 1, &b);
    assert_string_equal(b.data, "1 event\n");
    ts_buf_reset(&b);
    ts_format_header(TS_FMT_CSV, &b);
    ts_format_footer(TS_FMT_CSV, 0, &b);
    assert_int_equal(strncmp(b.data, "id,time.source,", 15), 0);
    assert_int_equal(strcmp(b.data + b.len - 2, "\r\n"), 0);
    ts_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_invalid), cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_empty_output),  cmocka_unit_test(test_json),
        cmocka_unit_test(test_csv),           cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
