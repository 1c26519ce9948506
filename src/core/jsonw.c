/* SPDX-License-Identifier: Apache-2.0 */
/* JSON writer. Every byte that reaches the output has gone through either the
 * string escaper or the raw-value checker below, so that whatever the event
 * data holds (it is attacker-controlled: signatures, URLs, usernames), the
 * output is valid RFC 8259 JSON in valid UTF-8 and stays on one line.
 *
 * Beyond what JSON requires, the escaper also writes DEL, the C1 controls
 * (U+0080-U+009F) and U+2028/U+2029 as \u escapes: C1 CSI (U+009B) is acted
 * upon by some terminals when NDJSON is read with cat or less, and the two
 * separators break JavaScript embedding. Invalid UTF-8 becomes U+FFFD, one per
 * maximal ill-formed subsequence (Unicode 15 section 3.9, "best practice"). */
#include "core/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

/* Raw values nest at most this deep, so that an event line (itself an object
 * holding them) stays well within the default depth limit of common parsers
 * (json-c: 32). Deeper values are written as strings. */
#define RAW_DEPTH_MAX 16

static const char hexdig[] = "0123456789abcdef";

static void put_u4(ts_buf_t *b, uint32_t cp)
{
    char e[6] = {'\\',
                 'u',
                 hexdig[(cp >> 12) & 0xF],
                 hexdig[(cp >> 8) & 0xF],
                 hexdig[(cp >> 4) & 0xF],
                 hexdig[cp & 0xF]};
    ts_buf_append(b, e, sizeof e);
}

/* True for code points written as \u escapes although JSON allows them raw. */
static bool escape_anyway(uint32_t cp)
{
    return cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

void ts_json_escape(ts_buf_t *b, ts_str_t s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t n = s.ptr ? s.len : 0, i = 0;
    while (i < n) {
        /* Runs of plain ASCII go out in one append. */
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            ts_buf_append(b, p + i, run - i);
            i = run;
            if (i >= n)
                break;
        }
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            switch (c) {
            case '"':
                ts_buf_append(b, "\\\"", 2);
                break;
            case '\\':
                ts_buf_append(b, "\\\\", 2);
                break;
            case '\n':
                ts_buf_append(b, "\\n", 2);
                break;
            case '\t':
                ts_buf_append(b, "\\t", 2);
                break;
            case '\r':
                ts_buf_append(b, "\\r", 2);
                break;
            case '\b':
                ts_buf_append(b, "\\b", 2);
                break;
            case '\f':
                ts_buf_append(b, "\\f", 2);
                break;
            default: /* other C0 controls and DEL */
                put_u4(b, c);
                break;
            }
            continue;
        }
        uint32_t cp;
        size_t len = ts_utf8_next(p + i, n - i, &cp);
        if (cp == TS_UTF8_BAD)
            ts_buf_append(b, TS_UTF8_REPLACEMENT, 3);
        else if (escape_anyway(cp))
            put_u4(b, cp);
        else
            ts_buf_append(b, p + i, len);
        i += len;
    }
}

/* ---- Structure ------------------------------------------------------------- */

static void fail(const char *what)
{
    /* Structure comes from our code, never from data: a mismatch is a bug,
     * and writing on would produce invalid JSON. */
    fprintf(stderr, "tocsin: JSON writer misuse: %s\n", what);
    abort();
}

void ts_jsonw_init(ts_jsonw_t *w, ts_buf_t *out)
{
    w->out = out;
    w->depth = 0;
    for (int i = 0; i < TS_JSONW_DEPTH; i++)
        w->need_comma[i] = false;
}

/* Before any value or key. At depth 0 no comma is written, so one writer can
 * emit several top-level values (NDJSON: the caller adds the newlines). */
static void pre(ts_jsonw_t *w)
{
    if (w->depth > 0 && w->need_comma[w->depth])
        ts_buf_putc(w->out, ',');
}

static void post(ts_jsonw_t *w)
{
    w->need_comma[w->depth] = true;
}

static void enter(ts_jsonw_t *w, char c)
{
    pre(w);
    if (w->depth + 1 >= TS_JSONW_DEPTH)
        fail("nesting too deep");
    ts_buf_putc(w->out, c);
    w->depth++;
    w->need_comma[w->depth] = false;
}

static void leave(ts_jsonw_t *w, char c)
{
    if (w->depth <= 0)
        fail("unbalanced end");
    ts_buf_putc(w->out, c);
    w->depth--;
    post(w);
}

void ts_jsonw_object_begin(ts_jsonw_t *w)
{
    enter(w, '{');
}

void ts_jsonw_object_end(ts_jsonw_t *w)
{
    leave(w, '}');
}

void ts_jsonw_array_begin(ts_jsonw_t *w)
{
    enter(w, '[');
}

void ts_jsonw_array_end(ts_jsonw_t *w)
{
    leave(w, ']');
}

void ts_jsonw_key(ts_jsonw_t *w, const char *key)
{
    pre(w);
    ts_buf_putc(w->out, '"');
    ts_json_escape(w->out, ts_str_c(key));
    ts_buf_append(w->out, "\":", 2);
    /* The value that follows must not write a comma. */
    w->need_comma[w->depth] = false;
}

/* A NULL slice is an absent value and written as null. */
void ts_jsonw_str(ts_jsonw_t *w, ts_str_t s)
{
    if (s.ptr == NULL) {
        ts_jsonw_null(w);
        return;
    }
    pre(w);
    ts_buf_putc(w->out, '"');
    ts_json_escape(w->out, s);
    ts_buf_putc(w->out, '"');
    post(w);
}

void ts_jsonw_cstr(ts_jsonw_t *w, const char *s)
{
    ts_jsonw_str(w, s ? ts_str_c(s) : TS_STR_NULL);
}

/* Decimal digits of v, written backwards from end; returns where they start.
 * Numbers are most of what the writer emits for events (ids, ports, ASNs,
 * counts): printf's format parsing was a tenth of an API page. */
static char *digits_of(uint64_t v, char *end)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void ts_jsonw_int(ts_jsonw_t *w, int64_t v)
{
    pre(w);
    char tmp[24], *end = tmp + sizeof tmp;
    /* The magnitude as unsigned: -INT64_MIN does not fit in int64_t. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = digits_of(mag, end);
    if (v < 0)
        *--p = '-';
    ts_buf_append(w->out, p, (size_t)(end - p));
    post(w);
}

void ts_jsonw_uint(ts_jsonw_t *w, uint64_t v)
{
    pre(w);
    char tmp[24], *end = tmp + sizeof tmp;
    char *p = digits_of(v, end);
    ts_buf_append(w->out, p, (size_t)(end - p));
    post(w);
}

void ts_jsonw_bool(ts_jsonw_t *w, bool v)
{
    pre(w);
    ts_buf_puts(w->out, v ? "true" : "false");
    post(w);
}

void ts_jsonw_null(ts_jsonw_t *w)
{
    pre(w);
    ts_buf_puts(w->out, "null");
    post(w);
}

/* ---- Raw values -------------------------------------------------------------
 * "Already valid JSON" is trusted to nobody: the text is checked against the
 * RFC 8259 grammar while it is copied, insignificant whitespace is dropped (so
 * a pretty-printed value cannot break an NDJSON line) and strings get the same
 * extra escapes as ours. Anything that fails the check is written as a JSON
 * string holding the text instead, so the output stays valid and nothing is
 * lost silently. */

typedef struct raw {
    const unsigned char *p, *end;
    ts_buf_t *out;
    int depth;
} raw_t;

static void raw_ws(raw_t *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static bool raw_lit(raw_t *r, const char *lit, size_t n)
{
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n) != 0)
        return false;
    ts_buf_append(r->out, lit, n);
    r->p += n;
    return true;
}

static bool is_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}

static bool raw_number(raw_t *r)
{
    const unsigned char *s = r->p, *p = r->p, *e = r->end;
    if (p < e && *p == '-')
        p++;
    if (p >= e || !is_digit(*p))
        return false;
    if (*p == '0')
        p++;
    else
        while (p < e && is_digit(*p))
            p++;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || !is_digit(*p))
            return false;
        while (p < e && is_digit(*p))
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || !is_digit(*p))
            return false;
        while (p < e && is_digit(*p))
            p++;
    }
    ts_buf_append(r->out, s, (size_t)(p - s));
    r->p = p;
    return true;
}

/* Reads the 4 hex digits after "\u" at p; -1 if malformed. */
static long hex4(const unsigned char *p, const unsigned char *e)
{
    if (e - p < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = ts_hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static bool raw_string(raw_t *r)
{
    const unsigned char *p = r->p + 1, *e = r->end; /* past the opening quote */
    ts_buf_putc(r->out, '"');
    for (;;) {
        if (p >= e)
            return false;
        unsigned c = *p;
        if (c == '"') {
            ts_buf_putc(r->out, '"');
            r->p = p + 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (e - p < 2)
                return false;
            unsigned x = p[1];
            if (x == 'u') {
                long v = hex4(p + 2, e);
                if (v < 0)
                    return false;
                size_t len = 6;
                /* Escaped surrogates must pair up, or the decoded text
                 * would not be valid Unicode. */
                if (v >= 0xDC00 && v <= 0xDFFF)
                    return false;
                if (v >= 0xD800 && v <= 0xDBFF) {
                    if (e - p < 12 || p[6] != '\\' || p[7] != 'u')
                        return false;
                    long lo = hex4(p + 8, e);
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return false;
                    len = 12;
                }
                ts_buf_append(r->out, p, len);
                p += len;
                continue;
            }
            if (x != '"' && x != '\\' && x != '/' && x != 'b' && x != 'f' && x != 'n' && x != 'r' &&
                x != 't')
                return false;
            ts_buf_append(r->out, p, 2);
            p += 2;
            continue;
        }
        if (c == 0x7F) {
            put_u4(r->out, c);
            p++;
            continue;
        }
        if (c < 0x80) {
            ts_buf_putc(r->out, (char)c);
            p++;
            continue;
        }
        uint32_t cp;
        size_t len = ts_utf8_next(p, (size_t)(e - p), &cp);
        if (cp == TS_UTF8_BAD)
            return false;
        if (escape_anyway(cp))
            put_u4(r->out, cp);
        else
            ts_buf_append(r->out, p, len);
        p += len;
    }
}

static bool raw_value(raw_t *r);

static bool raw_container(raw_t *r, bool object)
{
    if (++r->depth > RAW_DEPTH_MAX)
        return false;
    ts_buf_putc(r->out, object ? '{' : '[');
    r->p++;
    raw_ws(r);
    char end = object ? '}' : ']';
    if (r->p < r->end && *r->p == end) {
        r->p++;
    } else {
        for (;;) {
            if (object) {
                raw_ws(r);
                if (r->p >= r->end || *r->p != '"' || !raw_string(r))
                    return false;
                raw_ws(r);
                if (r->p >= r->end || *r->p != ':')
                    return false;
                ts_buf_putc(r->out, ':');
                r->p++;
            }
            if (!raw_value(r))
                return false;
            raw_ws(r);
            if (r->p >= r->end)
                return false;
            if (*r->p == end) {
                r->p++;
                break;
            }
            if (*r->p != ',')
                return false;
            ts_buf_putc(r->out, ',');
            r->p++;
        }
    }
    ts_buf_putc(r->out, end);
    r->depth--;
    return true;
}

static bool raw_value(raw_t *r)
{
    raw_ws(r);
    if (r->p >= r->end)
        return false;
    switch (*r->p) {
    case '{':
        return raw_container(r, true);
    case '[':
        return raw_container(r, false);
    case '"':
        return raw_string(r);
    case 't':
        return raw_lit(r, "true", 4);
    case 'f':
        return raw_lit(r, "false", 5);
    case 'n':
        return raw_lit(r, "null", 4);
    default:
        return raw_number(r);
    }
}

void ts_jsonw_raw(ts_jsonw_t *w, ts_str_t json)
{
    if (json.ptr == NULL) {
        ts_jsonw_null(w);
        return;
    }
    pre(w);
    size_t mark = w->out->len;
    const unsigned char *p = (const unsigned char *)json.ptr;
    raw_t r = {p, p + json.len, w->out, 0};
    bool ok = raw_value(&r);
    if (ok) {
        raw_ws(&r);
        ok = r.p == r.end;
    }
    if (!ok) {
        w->out->len = mark;
        if (w->out->data)
            w->out->data[mark] = '\0';
        ts_buf_putc(w->out, '"');
        ts_json_escape(w->out, json);
        ts_buf_putc(w->out, '"');
    }
    post(w);
}
