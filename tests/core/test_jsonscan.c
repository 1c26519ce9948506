/* SPDX-License-Identifier: Apache-2.0 */
/* The scanner against three oracles: hand-written cases, a deliberately naive
 * recursive RFC 8259 validator written here (must agree exactly), and json-c
 * 0.16 with JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8.
 *
 * Measured json-c divergences (so json-c can only be a one-way oracle): in
 * strict mode it still ACCEPTS raw control characters in strings, overlong
 * UTF-8, encoded surrogates, code points above U+10FFFF, lone surrogate \u
 * escapes, NaN/Infinity/-Infinity, leading zeros after a minus ("-01") and
 * single-quoted strings. We reject all of these (RFC 8259 / RFC 3629). The
 * test therefore checks: whatever json-c rejects we reject too, and whatever
 * we reject that json-c accepts is rejected by the reference validator. Input
 * with NUL bytes is not given to json-c (it stops at NUL). Nesting: json-c's
 * depth 64 and our TS_JSCAN_DEPTH_MAX agree (64 levels ok, 65 refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonscan.h"
#include "testutil.h"

/* ---- naive reference validator (recursive, byte by byte) ---- */
struct ref {
    const unsigned char *p, *e;
    int depth;
};

static int ref_value(struct ref *r);

static void ref_ws(struct ref *r)
{
    while (r->p < r->e && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static int ref_hex4(struct ref *r, unsigned *cp)
{
    *cp = 0;
    for (int i = 0; i < 4; i++) {
        if (r->p >= r->e)
            return -1;
        unsigned c = *r->p++, d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        *cp = *cp * 16 + d;
    }
    return 0;
}

static int ref_string(struct ref *r)
{
    r->p++; /* quote */
    for (;;) {
        if (r->p >= r->e)
            return -1;
        unsigned c = *r->p;
        if (c == '"') {
            r->p++;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            r->p++;
            if (r->p >= r->e)
                return -1;
            c = *r->p++;
            if (c == 'u') {
                unsigned cp, lo;
                if (ref_hex4(r, &cp))
                    return -1;
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return -1;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (r->e - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                        return -1;
                    r->p += 2;
                    if (ref_hex4(r, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                        return -1;
                }
            } else if (!strchr("\"\\/bfnrt", (int)c) || c == 0) {
                return -1;
            }
            continue;
        }
        if (c < 0x80) {
            r->p++;
            continue;
        }
        /* Decode and range-check the scalar value. */
        int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (n == 0 || c > 0xF7 || r->e - r->p < n)
            return -1;
        unsigned long cp = c & (0xFF >> (n + 1));
        for (int i = 1; i < n; i++) {
            if ((r->p[i] & 0xC0) != 0x80)
                return -1;
            cp = cp << 6 | (r->p[i] & 0x3F);
        }
        unsigned long min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return -1;
        r->p += n;
    }
}

static int ref_digits(struct ref *r)
{
    if (r->p >= r->e || *r->p < '0' || *r->p > '9')
        return -1;
    while (r->p < r->e && *r->p >= '0' && *r->p <= '9')
        r->p++;
    return 0;
}

static int ref_number(struct ref *r)
{
    if (*r->p == '-')
        r->p++;
    if (r->p < r->e && *r->p == '0')
        r->p++;
    else if (ref_digits(r))
        return -1;
    if (r->p < r->e && *r->p == '.') {
        r->p++;
        if (ref_digits(r))
            return -1;
    }
    if (r->p < r->e && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->e && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (ref_digits(r))
            return -1;
    }
    return 0;
}

static int ref_lit(struct ref *r, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(r->e - r->p) < n || memcmp(r->p, w, n))
        return -1;
    r->p += n;
    return 0;
}

static int ref_container(struct ref *r, char close)
{
    if (++r->depth > TS_JSCAN_DEPTH_MAX)
        return -1;
    r->p++;
    ref_ws(r);
    if (r->p < r->e && *r->p == close) {
        r->p++;
        r->depth--;
        return 0;
    }
    for (;;) {
        ref_ws(r);
        if (close == '}') {
            if (r->p >= r->e || *r->p != '"' || ref_string(r))
                return -1;
            ref_ws(r);
            if (r->p >= r->e || *r->p++ != ':')
                return -1;
            ref_ws(r);
        }
        if (ref_value(r))
            return -1;
        ref_ws(r);
        if (r->p >= r->e)
            return -1;
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p != close)
            return -1;
        r->p++;
        r->depth--;
        return 0;
    }
}

static int ref_value(struct ref *r)
{
    if (r->p >= r->e)
        return -1;
    switch (*r->p) {
    case '{':
        return ref_container(r, '}');
    case '[':
        return ref_container(r, ']');
    case '"':
        return ref_string(r);
    case 't':
        return ref_lit(r, "true");
    case 'f':
        return ref_lit(r, "false");
    case 'n':
        return ref_lit(r, "null");
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
            return ref_number(r);
        return -1;
    }
}

static bool ref_valid(const char *s, size_t n)
{
    struct ref r = {(const unsigned char *)s, (const unsigned char *)s + n, 0};
    ref_ws(&r);
    if (ref_value(&r))
        return false;
    ref_ws(&r);
    return r.p == r.e;
}

/* ---- json-c ---- */
static struct json_tokener *tok;

static bool jc_valid(const char *s, size_t n)
{
    /* Pass the NUL terminator too: it ends a trailing top-level number. */
    char *buf = malloc(n + 1);
    memcpy(buf, s, n);
    buf[n] = '\0';
    json_tokener_reset(tok);
    struct json_object *o = json_tokener_parse_ex(tok, buf, (int)n + 1);
    bool ok = false;
    if (o != NULL) {
        size_t end = json_tokener_get_parse_end(tok);
        ok = true;
        for (size_t i = end; i < n; i++)
            if (!strchr(" \t\r\n", buf[i]))
                ok = false;
        json_object_put(o);
    }
    free(buf);
    return ok;
}

static bool ours_valid(const char *s, size_t n)
{
    /* Exact-size heap copy: ASan sees any read past n. */
    char *buf = malloc(n ? n : 1);
    memcpy(buf, s, n);
    int rc = ts_jscan_validate(buf, n, NULL, NULL);
    free(buf);
    assert_true(rc == 0 || rc == TS_ESYNTAX || rc == TS_EUTF8);
    return rc == 0;
}

static int ours_rc(const char *s)
{
    return ts_jscan_validate(s, strlen(s), NULL, NULL);
}

/* ---- tests ---- */
static void test_invalid(void **state)
{
    (void)state;
    static const char *syntax[] = {
        "",
        " ",
        "{",
        "}",
        "[",
        "]",
        "{]",
        "[}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":1,}",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[1,,2]",
        "01",
        "-01",
        "-",
        "1.",
        ".5",
        "+1",
        "1e",
        "1e+",
        "1.e5",
        "0x10",
        "NaN",
        "Infinity",
        "-Infinity",
        "nul",
        "tru",
        "truex",
        "\"abc",
        "\"a\\\"",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"a\tb\"",
        "\"a\nb\"",
        "\"\x01\"",
        "{}x",
        "{} {}",
        "[][]",
        "1 2",
        "\xef\xbb\xbf{}",
        "/*c*/{}",
        "{\"a\":1}//",
        "[1]\v",
        "{\"a\":1 \"b\":2}",
    };
    for (size_t i = 0; i < sizeof syntax / sizeof syntax[0]; i++)
        if (ours_rc(syntax[i]) != TS_ESYNTAX)
            fail_msg("not a syntax error: %s", syntax[i]);
    static const char *utf8[] = {
        "\"\xc0\x80\"",            /* overlong NUL */
        "\"\xc1\xbf\"",            /* overlong */
        "\"\xe0\x9f\xbf\"",        /* overlong 3-byte */
        "\"\xf0\x8f\xbf\xbf\"",    /* overlong 4-byte */
        "\"\xed\xa0\x80\"",        /* encoded surrogate */
        "\"\xed\xbf\xbf\"",        /* encoded surrogate */
        "\"\xf4\x90\x80\x80\"",    /* > U+10FFFF */
        "\"\xf5\x80\x80\x80\"",    /* bad lead */
        "\"\xff\"",                /* bad lead */
        "\"\x80\"",                /* lone continuation */
        "\"\xe2\x82\"",            /* truncated in string */
        "\"\xe2\x82",              /* truncated at end */
        "\"\xc3\x28\"",            /* bad continuation */
        "\"\\ud800\"",             /* lone high surrogate */
        "\"\\ud800x\"",            /* lone high surrogate */
        "\"\\ud800\\u0041\"",      /* high + non-low */
        "\"\\udc00\"",             /* lone low */
        "{\"\xed\xa0\x80\":1}",    /* in a key */
        "[\"ok\",[\"\xc0\xaf\"]]", /* nested */
    };
    for (size_t i = 0; i < sizeof utf8 / sizeof utf8[0]; i++)
        if (ours_rc(utf8[i]) != TS_EUTF8)
            fail_msg("not a UTF-8 error: case %zu", i);
    /* Depth: 64 levels ok, 65 refused, and no recursion on hostile input. */
    char deep[200000];
    for (int d = 63; d <= 66; d++) {
        memset(deep, '[', (size_t)d);
        memset(deep + d, ']', (size_t)d);
        assert_int_equal(ours_valid(deep, 2 * (size_t)d), d <= TS_JSCAN_DEPTH_MAX);
        assert_int_equal(jc_valid(deep, 2 * (size_t)d), d <= TS_JSCAN_DEPTH_MAX);
    }
    memset(deep, '[', sizeof deep);
    assert_false(ours_valid(deep, sizeof deep));
    /* Error offsets point at the problem. */
    size_t off = 0;
    const char *msg = NULL;
    assert_int_equal(ts_jscan_validate("{\"a\":[1,2,x]}", 13, &off, &msg), TS_ESYNTAX);
    assert_int_equal(off, 10);
    assert_non_null(msg);
}

static void test_valid(void **state)
{
    (void)state;
    static const char *ok[] = {
        "{}",
        "[]",
        " {} \n",
        "0",
        "-0",
        "1.5e-3",
        "1E+10",
        "-12.0e0",
        "true",
        "false",
        "null",
        "\"\"",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
        "\"\\u00e9\\uD83D\\uDE00\"",
        "\"\\u0000\"",
        "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbf\"",
        "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"e\"}",
        "[1,[2,[3,[4]]]]",
        "{ \"a\" : 1 , \"a\" : 2 }", /* duplicate keys are accepted */
        "123456789012345678901234567890",
        "1e99999",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (ours_rc(ok[i]) != 0)
            fail_msg("rejected: %s", ok[i]);
}

static void test_walk(void **state)
{
    (void)state;
    const char *doc = "{\"timestamp\":\"t\",\"a\\u0062c\":1,\"alert\":{\"sid\":7,\"m\":[1,2]},"
                      "\"n\":-5.5,\"b\":true}  ";
    ts_jscan_iter_t it, in;
    ts_jscan_key_t k;
    ts_jscan_val_t v;
    assert_int_equal(ts_jscan_object_begin(&it, doc, strlen(doc)), 0);
    assert_int_equal(ts_jscan_object_next(&it, &k, &v), 1);
    assert_int_equal(k.raw.len, 9);
    assert_int_equal(v.type, TS_JSCAN_STRING);
    assert_int_equal(v.raw.len, 3);
    assert_int_equal(ts_jscan_object_next(&it, &k, &v), 1);
    assert_true(k.escaped);
    char buf[16];
    size_t n;
    assert_int_equal(ts_jscan_unescape(k.raw.ptr, k.raw.len, buf, sizeof buf, &n), 0);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(n, 3);
    int64_t x;
    assert_int_equal(ts_jscan_int64(&v, &x), 0);
    assert_int_equal(x, 1);
    assert_int_equal(ts_jscan_object_next(&it, &k, &v), 1);
    assert_int_equal(v.type, TS_JSCAN_OBJECT);
    assert_int_equal(ts_jscan_enter(&it, &v, &in), 0);
    ts_jscan_val_t sid, m;
    assert_int_equal(ts_jscan_object_next(&in, &k, &sid), 1);
    assert_int_equal(ts_jscan_object_next(&in, &k, &m), 1);
    assert_int_equal(m.type, TS_JSCAN_ARRAY);
    assert_int_equal(ts_jscan_object_next(&in, &k, &v), 0);
    assert_int_equal(ts_jscan_object_next(&in, &k, &v), 0); /* stays at end */
    ts_jscan_iter_t ai;
    assert_int_equal(ts_jscan_enter(&in, &m, &ai), 0);
    int count = 0;
    while (ts_jscan_array_next(&ai, &v) == 1)
        count++;
    assert_int_equal(count, 2);
    assert_int_equal(ts_jscan_enter(&in, &sid, &ai), TS_ETYPE);
    assert_int_equal(ts_jscan_object_next(&it, &k, &v), 1);
    assert_false(v.integer);
    assert_int_equal(ts_jscan_int64(&v, &x), TS_ETYPE);
    assert_int_equal(ts_jscan_object_next(&it, &k, &v), 1);
    assert_int_equal(v.type, TS_JSCAN_TRUE);
    assert_int_equal(ts_jscan_object_next(&it, &k, &v), 0);

    /* Root not an object; trailing garbage found at the end of the walk. */
    assert_int_equal(ts_jscan_object_begin(&it, "[1]", 3), TS_ETYPE);
    assert_int_equal(ts_jscan_object_begin(&it, "", 0), TS_ETYPE);
    assert_int_equal(ts_jscan_object_begin(&it, "{}x", 3), 0);
    assert_int_equal(ts_jscan_object_next(&it, &k, &v), TS_ESYNTAX);
    assert_int_equal(it.err_off, 2);
    /* Error inside a later value is found by the walk. */
    assert_int_equal(ts_jscan_object_begin(&it, "{\"a\":1,\"b\":[1,}", 15), 0);
    assert_int_equal(ts_jscan_object_next(&it, &k, &v), 1);
    assert_int_equal(ts_jscan_object_next(&it, &k, &v), TS_ESYNTAX);
    assert_int_equal(ts_jscan_object_next(&it, &k, &v), TS_ESYNTAX); /* sticky */
}

static void test_numbers_and_unescape(void **state)
{
    (void)state;
    struct {
        const char *text;
        int rc64;
        int64_t v64;
        int rcu;
        uint64_t vu;
    } cases[] = {
        {"0", 0, 0, 0, 0},
        {"-0", 0, 0, 0, 0},
        {"9223372036854775807", 0, INT64_MAX, 0, INT64_MAX},
        {"-9223372036854775808", 0, INT64_MIN, TS_ERANGE, 0},
        {"9223372036854775808", TS_ERANGE, 0, 0, UINT64_C(9223372036854775808)},
        {"18446744073709551615", TS_ERANGE, 0, 0, UINT64_MAX},
        {"18446744073709551616", TS_ERANGE, 0, TS_ERANGE, 0},
        {"-1", 0, -1, TS_ERANGE, 0},
        {"1.0", TS_ETYPE, 0, TS_ETYPE, 0},
        {"1e3", TS_ETYPE, 0, TS_ETYPE, 0},
        {"\"1\"", TS_ETYPE, 0, TS_ETYPE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[64];
        snprintf(doc, sizeof doc, "{\"k\":%s}", cases[i].text);
        ts_jscan_iter_t it;
        ts_jscan_key_t k;
        ts_jscan_val_t v;
        assert_int_equal(ts_jscan_object_begin(&it, doc, strlen(doc)), 0);
        assert_int_equal(ts_jscan_object_next(&it, &k, &v), 1);
        int64_t s = 0;
        uint64_t u = 0;
        assert_int_equal(ts_jscan_int64(&v, &s), cases[i].rc64);
        if (cases[i].rc64 == 0)
            assert_true(s == cases[i].v64);
        assert_int_equal(ts_jscan_uint64(&v, &u), cases[i].rcu);
        if (cases[i].rcu == 0)
            assert_true(u == cases[i].vu);
    }
    char out[16];
    size_t n;
    const char *e = "a\\n\\u00e9\\ud83d\\ude00\\/";
    assert_int_equal(ts_jscan_unescape(e, strlen(e), out, sizeof out, &n), 0);
    assert_int_equal(n, 1 + 1 + 2 + 4 + 1);
    assert_memory_equal(out, "a\n\xc3\xa9\xf0\x9f\x98\x80/", n);
    assert_int_equal(ts_jscan_unescape(e, strlen(e), out, 5, &n), TS_ETOOBIG);
    assert_int_equal(ts_jscan_unescape("x\\u0000", 7, out, sizeof out, &n), TS_EINVAL);
    assert_int_equal(ts_jscan_unescape("\\q", 2, out, sizeof out, &n), TS_ESYNTAX);
    assert_int_equal(ts_jscan_unescape("\\ud800", 6, out, sizeof out, &n), TS_ESYNTAX);
    assert_int_equal(ts_jscan_unescape("plain", 5, out, 5, &n), 0);
    assert_int_equal(ts_jscan_unescape("plain", 5, out, 4, &n), TS_ETOOBIG);
}

static const char *seeds[] = {
    "{\"timestamp\":\"2023-11-01T00:46:34.435874+0100\",\"flow_id\":746164993123201,"
    "\"event_type\":\"alert\",\"src_ip\":\"10.10.31.101\",\"src_port\":56378,"
    "\"dest_ip\":\"10.10.31.1\",\"dest_port\":53,\"proto\":\"UDP\",\"alert\":{\"action\":"
    "\"allowed\",\"gid\":1,\"signature_id\":2049067,\"rev\":1,\"signature\":\"ET MALWARE "
    "DNS Query \\/ x\",\"category\":\"A Network Trojan was detected\",\"severity\":1,"
    "\"metadata\":{\"tag\":[\"a\",\"b\"]}},\"flow\":{\"bytes\":75,\"ratio\":-1.5e-3,"
    "\"ok\":true,\"no\":false,\"nil\":null},\"u\":\"h\xc3\xa9 \\u00e9 \\ud83d\\ude00\"}",
    "[1,-0.5,2e10,\"x\",[],{},[[{\"a\":[null]}]]]",
    "{\"a\" : [ 1 , 2 ] , \"b\" :\t{ } }\n",
    "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\"",
};

/* Mutations that tend to hit the interesting edges. */
static size_t mutate(const char *src, size_t n, char *out, size_t cap, unsigned *rs)
{
    static const char tokens[] = "{}[],:\"\\-+.eE0123456789 \tntfu\x80\xbf\xc0\xc3\xe2\xed"
                                 "\xf0\xf4\xff\x01\x7f'/";
    memcpy(out, src, n);
    int edits = 1 + rand_r(rs) % 3;
    for (int e = 0; e < edits && n > 0; e++) {
        size_t at = (size_t)rand_r(rs) % n;
        char c = tokens[(size_t)rand_r(rs) % (sizeof tokens - 1)];
        switch (rand_r(rs) % 5) {
        case 0: /* replace */
            out[at] = c;
            break;
        case 1: /* insert */
            if (n + 1 < cap) {
                memmove(out + at + 1, out + at, n - at);
                out[at] = c;
                n++;
            }
            break;
        case 2: /* delete */
            memmove(out + at, out + at + 1, n - at - 1);
            n--;
            break;
        case 3: /* truncate */
            n = at;
            break;
        default: /* duplicate a slice */
            if (n + 8 < cap && at + 8 <= n) {
                memmove(out + at + 8, out + at, n - at);
                n += 8;
            }
            break;
        }
    }
    return n;
}

static void test_differential(void **state)
{
    (void)state;
    char buf[4096];
    unsigned rs = 20261127;
    long agree = 0, both_ok = 0, jc_lax = 0, total = 0;
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        size_t sn = strlen(seeds[s]);
        assert_true(ours_valid(seeds[s], sn));
        assert_true(ref_valid(seeds[s], sn));
        assert_true(jc_valid(seeds[s], sn));
        for (int i = 0; i < 6000; i++) {
            size_t n = mutate(seeds[s], sn, buf, sizeof buf, &rs);
            bool ours = ours_valid(buf, n);
            bool ref = ref_valid(buf, n);
            if (ours != ref)
                fail_msg("scanner %d, reference %d on: %.*s", ours, ref, (int)n, buf);
            total++;
            if (memchr(buf, '\0', n))
                continue;
            bool jc = jc_valid(buf, n);
            if (ours && !jc)
                fail_msg("we accept what json-c rejects: %.*s", (int)n, buf);
            if (!ours && jc)
                jc_lax++; /* one of the documented json-c laxities, confirmed by ref */
            else
                agree++;
            both_ok += ours && jc;
        }
    }
    printf("differential: %ld docs, %ld agree with json-c (%ld valid), %ld json-c laxities\n",
           total, agree, both_ok, jc_lax);
    assert_true(both_ok > 1000); /* the mutations must not all be invalid */
    assert_true(agree > total / 2);
}

/* ---- lazy (single-pass) walking ---- */

/* A completed nested value: its raw text must be exactly one valid container. */
static void check_container(const ts_jscan_val_t *v)
{
    assert_true(v->raw.len >= 2);
    char close = v->raw.ptr[0] == '{' ? '}' : ']';
    assert_int_equal(v->raw.ptr[v->raw.len - 1], close);
    assert_int_equal(ts_jscan_validate(v->raw.ptr, v->raw.len, NULL, NULL), 0);
}

/* Walks it with the lazy functions; each nested value is opened and walked
 * (recursively), skipped, or left for the next call to step over: mode 0-2
 * picks one, -1 picks at random. Inner walks may also stop early, leaving
 * the rest to ts_jscan_close(). Returns the walk's final code. */
static int lazy_walk(ts_jscan_iter_t *it, bool array, bool top, int mode, unsigned *rs)
{
    for (;;) {
        ts_jscan_key_t k;
        ts_jscan_val_t v;
        int rc = array ? ts_jscan_array_next_lazy(it, &v) : ts_jscan_object_next_lazy(it, &k, &v);
        if (rc <= 0)
            return rc;
        if (v.type != TS_JSCAN_OBJECT && v.type != TS_JSCAN_ARRAY) {
            assert_true(v.raw.len > 0);
            continue;
        }
        assert_int_equal(v.raw.len, 0);
        if (!top && mode < 0 && rand_r(rs) % 8 == 0)
            return 0; /* abandon: close() must validate the rest */
        int how = mode >= 0 ? mode : rand_r(rs) % 3;
        if (how == 0) {
            ts_jscan_iter_t c;
            if ((rc = ts_jscan_open(it, &c)) != 0)
                return rc;
            (void)lazy_walk(&c, v.type == TS_JSCAN_ARRAY, false, mode, rs);
            if ((rc = ts_jscan_close(it, &c, &v)) != 0)
                return rc;
            check_container(&v);
        } else if (how == 1) {
            if ((rc = ts_jscan_skip(it, &v)) != 0)
                return rc;
            check_container(&v);
        }
    }
}

/* Verdict of a lazy walk over an exact-size copy of s, or 1 if the document
 * is not an object (the walk needs one). */
static int lazy_rc(const char *s, size_t n, int mode, unsigned *rs, size_t *off)
{
    char *buf = malloc(n ? n : 1);
    memcpy(buf, s, n);
    ts_jscan_iter_t it;
    int rc = ts_jscan_object_begin(&it, buf, n);
    if (rc == 0) {
        rc = lazy_walk(&it, false, true, mode, rs);
        *off = it.err_off;
    } else {
        rc = 1;
    }
    free(buf);
    return rc;
}

static void test_lazy_invalid(void **state)
{
    (void)state;
    ts_jscan_iter_t it, c;
    ts_jscan_key_t k;
    ts_jscan_val_t v;
    const char *doc = "{\"a\":1,\"b\":{\"c\":[1,2]},\"d\":[{\"e\":\"x\"}]}";
    /* Usage errors: nothing pending / nothing open. */
    assert_int_equal(ts_jscan_object_begin(&it, doc, strlen(doc)), 0);
    assert_int_equal(ts_jscan_open(&it, &c), TS_EINVAL);
    assert_int_equal(ts_jscan_object_begin(&it, doc, strlen(doc)), 0);
    assert_int_equal(ts_jscan_skip(&it, &v), TS_EINVAL);
    assert_int_equal(ts_jscan_object_begin(&it, doc, strlen(doc)), 0);
    assert_int_equal(ts_jscan_object_next_lazy(&it, &k, &v), 1);
    assert_int_equal(ts_jscan_close(&it, &c, &v), TS_EINVAL);
    /* A walk that opens a value and calls next on the parent before closing. */
    assert_int_equal(ts_jscan_object_begin(&it, doc, strlen(doc)), 0);
    assert_int_equal(ts_jscan_object_next_lazy(&it, &k, &v), 1);
    assert_int_equal(ts_jscan_object_next_lazy(&it, &k, &v), 1);
    assert_int_equal(v.type, TS_JSCAN_OBJECT);
    assert_int_equal(ts_jscan_open(&it, &c), 0);
    assert_int_equal(ts_jscan_object_next_lazy(&it, &k, &v), TS_EINVAL);

    /* Errors inside an opened value surface through close() with the same
     * position as ts_jscan_validate() reports. */
    static const char *bad[] = {
        "{\"a\":{\"b\":1,}}",
        "{\"a\":{\"b\":\"\xc0\xaf\"}}",
        "{\"a\":{\"b\":[1 2]}}",
        "{\"a\":{\"b\":{}}",
        "{\"a\":{\"b\":{}}}}",
        "{\"a\":[{\"b\":\"\\ud800\"}]}",
        "{\"a\":{\"b\":tru}}",
        "{\"a\":{",
        "{\"a\":[",
        "{\"a\":{\"b\":1}} x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t voff = 0, loff = 0, n = strlen(bad[i]);
        int vrc = ts_jscan_validate(bad[i], n, &voff, NULL);
        assert_true(vrc < 0);
        for (int mode = 0; mode < 3; mode++) {
            unsigned rs = 1;
            int lrc = lazy_rc(bad[i], n, mode, &rs, &loff);
            if (lrc != vrc || loff != voff)
                fail_msg("mode %d: lazy %d at %zu, validate %d at %zu: %s", mode, lrc, loff, vrc,
                         voff, bad[i]);
        }
    }

    /* Depth: opening level by level stops at the same bound as validation. */
    char deep[2 * TS_JSCAN_DEPTH_MAX + 16];
    for (int levels = TS_JSCAN_DEPTH_MAX - 2; levels <= TS_JSCAN_DEPTH_MAX + 1; levels++) {
        size_t n = 0;
        deep[n++] = '{';
        memcpy(deep + n, "\"a\":", 4);
        n += 4;
        for (int j = 0; j < levels; j++)
            deep[n++] = '[';
        for (int j = 0; j < levels; j++)
            deep[n++] = ']';
        deep[n++] = '}';
        int vrc = ts_jscan_validate(deep, n, NULL, NULL);
        assert_int_equal(vrc, levels + 1 <= TS_JSCAN_DEPTH_MAX ? 0 : TS_ESYNTAX);
        for (int mode = 0; mode < 3; mode++) {
            unsigned rs = 1;
            size_t off = 0;
            assert_int_equal(lazy_rc(deep, n, mode, &rs, &off), vrc);
        }
    }
}

static void test_lazy_differential(void **state)
{
    (void)state;
    char buf[4096];
    unsigned rs = 777, ws = 4242;
    long total = 0, valid = 0;
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        size_t sn = strlen(seeds[s]);
        for (int i = 0; i < 6000; i++) {
            size_t n = i == 0 ? sn : mutate(seeds[s], sn, buf, sizeof buf, &rs);
            const char *doc = i == 0 ? seeds[s] : buf;
            size_t voff = 0;
            int vrc = ts_jscan_validate(doc, n, &voff, NULL);
            for (int mode = -1; mode < 3; mode++) {
                size_t loff = 0;
                int lrc = lazy_rc(doc, n, mode, &ws, &loff);
                if (lrc == 1)
                    break; /* not an object document */
                if (lrc != vrc || (lrc != 0 && loff != voff))
                    fail_msg("mode %d: lazy %d at %zu, validate %d at %zu: %.*s", mode, lrc, loff,
                             vrc, voff, (int)n, doc);
                total++;
                valid += lrc == 0;
            }
        }
    }
    printf("lazy differential: %ld walks agree with ts_jscan_validate (%ld valid)\n", total, valid);
    assert_true(valid > 1000);
}

static void test_corpus_lines(void **state)
{
    (void)state;
    const char *files[] = {"sensors/mssis_malware_eve.json", "sensors/beats_suricata_eve-small.log",
                           "sensors/suricata-verify_alert-testmyids_eve.json",
                           "sensors/cowrie.json.2018-06-12", "feeds/microsoft_ctip_azure.jsonl"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char *path = tt_corpus_path(files[f]);
        if (path == NULL)
            continue;
        size_t len;
        char *data = tt_read_file(path, &len);
        assert_non_null(data);
        int lines = 0;
        for (char *p = data; p < data + len;) {
            char *nl = memchr(p, '\n', (size_t)(data + len - p));
            size_t n = (size_t)((nl ? nl : data + len) - p);
            if (n > 0) {
                bool ours = ours_valid(p, n);
                assert_int_equal(ours, jc_valid(p, n));
                assert_int_equal(ours, ref_valid(p, n));
                assert_true(ours);
                lines++;
            }
            p += n + 1;
        }
        printf("%s: %d lines valid\n", files[f], lines);
        free(data);
        free(path);
    }
}

static int setup(void **state)
{
    (void)state;
    tok = json_tokener_new_ex(TS_JSCAN_DEPTH_MAX);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_tokener_free(tok);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),      cmocka_unit_test(test_valid),
        cmocka_unit_test(test_walk),         cmocka_unit_test(test_numbers_and_unescape),
        cmocka_unit_test(test_differential), cmocka_unit_test(test_corpus_lines),
        cmocka_unit_test(test_lazy_invalid), cmocka_unit_test(test_lazy_differential),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
