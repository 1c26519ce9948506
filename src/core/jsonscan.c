/* SPDX-License-Identifier: Apache-2.0 */
#include "core/jsonscan.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR_STRINGS 1
#else
#define SWAR_STRINGS 0
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Records the first failure; scanning functions then return NULL. */
static const char *fail(ts_jscan_iter_t *it, int code, const char *pos, const char *msg)
{
    if (it->err == 0) {
        it->err = code;
        it->err_off = (size_t)(pos - it->_doc);
        it->err_msg = msg;
    }
    return NULL;
}

static inline const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static inline int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Four hex digits at p (caller checked p + 4 <= end), or -1. */
static inline long hex4(const char *p)
{
    int a = hexval((unsigned char)p[0]), b = hexval((unsigned char)p[1]),
        c = hexval((unsigned char)p[2]), d = hexval((unsigned char)p[3]);
    if ((a | b | c | d) < 0)
        return -1;
    return (long)((a << 12) | (b << 8) | (c << 4) | d);
}

/* One UTF-8 sequence starting with a byte >= 0x80 (RFC 3629 section 4 table):
 * returns the byte after it, or NULL. The rules are those of ts_utf8_next()
 * (core/utf8.h), but this only validates: built on that decoder, even inlined,
 * scanning text rich in non-ASCII was 20-30% slower. */
static const char *scan_utf8(ts_jscan_iter_t *it, const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t left = (size_t)(it->_end - p);
    unsigned char c = u[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return fail(it, TS_EUTF8, p, "invalid UTF-8 lead byte");
    }
    if (left < n)
        return fail(it, TS_EUTF8, p, "truncated UTF-8 sequence");
    if (u[1] < lo || u[1] > hi)
        return fail(it, TS_EUTF8, p, "invalid UTF-8 sequence");
    for (size_t i = 2; i < n; i++)
        if ((u[i] & 0xC0) != 0x80)
            return fail(it, TS_EUTF8, p, "invalid UTF-8 sequence");
    return p + n;
}

/* String content after the opening quote; returns the byte after the closing
 * quote, or NULL. */
static const char *scan_string(ts_jscan_iter_t *it, const char *p, bool *escaped)
{
    const char *end = it->_end;
    for (;;) {
#if defined(__SSE2__)
        /* Sixteen bytes at a time: one signed compare flags both control
         * characters and bytes >= 0x80 (negative as int8). EVE keys and values
         * are mostly short, so a hit in the first block is the common case
         * and this costs a handful of instructions per string. */
        while (LIKELY(end - p >= 16)) {
            __m128i w = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, _mm_set1_epi8('"')),
                                                  _mm_cmpeq_epi8(w, _mm_set1_epi8('\\'))),
                                     _mm_cmplt_epi8(w, _mm_set1_epi8(0x20)));
            unsigned bits = (unsigned)_mm_movemask_epi8(m);
            if (bits) {
                p += __builtin_ctz(bits);
                goto special;
            }
            p += 16;
        }
#endif
#if SWAR_STRINGS
        /* Eight bytes at a time while none is '"', '\\', < 0x20 or >= 0x80.
         * Borrows only propagate towards later bytes, so the lowest flagged
         * byte is always a real hit. */
        while (LIKELY(end - p >= 8)) {
            uint64_t w;
            memcpy(&w, p, 8);
            uint64_t q = w ^ (0x22 * ONES), b = w ^ (0x5C * ONES);
            uint64_t m = ((w - 0x20 * ONES) | w | (q - ONES) | (b - ONES)) & HIGHS;
            if (m) {
                p += __builtin_ctzll(m) >> 3;
                break;
            }
            p += 8;
        }
#endif
#if defined(__SSE2__)
    special:
#endif
        if (UNLIKELY(p >= end))
            return fail(it, TS_ESYNTAX, p, "unterminated string");
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c == '\\') {
            *escaped = true;
            if (end - p < 2)
                return fail(it, TS_ESYNTAX, p, "unterminated string");
            switch (p[1]) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                p += 2;
                break;
            case 'u': {
                if (end - p < 6)
                    return fail(it, TS_ESYNTAX, p, "truncated \\u escape");
                long cp = hex4(p + 2);
                if (cp < 0)
                    return fail(it, TS_ESYNTAX, p, "invalid \\u escape");
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return fail(it, TS_EUTF8, p, "lone low surrogate escape");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
                        return fail(it, TS_EUTF8, p, "lone high surrogate escape");
                    long lo = hex4(p + 8);
                    if (lo < 0)
                        return fail(it, TS_ESYNTAX, p + 6, "invalid \\u escape");
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return fail(it, TS_EUTF8, p, "lone high surrogate escape");
                    p += 12;
                } else {
                    p += 6;
                }
                break;
            }
            default:
                return fail(it, TS_ESYNTAX, p, "invalid escape");
            }
        } else if (c < 0x20) {
            return fail(it, TS_ESYNTAX, p, "control character in string");
        } else if (c >= 0x80) {
            p = scan_utf8(it, p);
            if (p == NULL)
                return NULL;
        } else {
            p++;
        }
    }
}

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *scan_number(ts_jscan_iter_t *it, const char *p, bool *integer)
{
    const char *end = it->_end;
    if (*p == '-')
        p++;
    if (p >= end)
        return fail(it, TS_ESYNTAX, p, "truncated number");
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        p++;
        while (p < end && is_digit(*p))
            p++;
    } else {
        return fail(it, TS_ESYNTAX, p, "invalid number");
    }
    *integer = true;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p))
            return fail(it, TS_ESYNTAX, p, "digit expected after '.'");
        while (p < end && is_digit(*p))
            p++;
        *integer = false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return fail(it, TS_ESYNTAX, p, "digit expected in exponent");
        while (p < end && is_digit(*p))
            p++;
        *integer = false;
    }
    return p;
}

static const char *scan_literal(ts_jscan_iter_t *it, const char *p, const char *lit, size_t n)
{
    if ((size_t)(it->_end - p) < n || memcmp(p, lit, n) != 0)
        return fail(it, TS_ESYNTAX, p, "invalid literal");
    return p + n;
}

/* A scalar at p (not a container); NULL on failure. */
static const char *scan_scalar(ts_jscan_iter_t *it, const char *p, ts_jscan_val_t *v)
{
    switch (*p) {
    case '"':
        v->type = TS_JSCAN_STRING;
        return scan_string(it, p + 1, &v->escaped);
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        v->type = TS_JSCAN_NUMBER;
        return scan_number(it, p, &v->integer);
    case 't':
        v->type = TS_JSCAN_TRUE;
        return scan_literal(it, p, "true", 4);
    case 'f':
        v->type = TS_JSCAN_FALSE;
        return scan_literal(it, p, "false", 5);
    case 'n':
        v->type = TS_JSCAN_NULL;
        return scan_literal(it, p, "null", 4);
    default:
        return fail(it, TS_ESYNTAX, p, "value expected");
    }
}

/* A whole object or array at p (on its bracket) whose own depth is depth,
 * validated iteratively with a bit stack (1 = object) so that hostile
 * nesting costs no C stack. Returns the byte after it, or NULL. */
static const char *scan_container(ts_jscan_iter_t *it, const char *p, unsigned depth)
{
    const char *end = it->_end;
    uint64_t objs = 0;
    unsigned lvl = 0;
    ts_jscan_val_t tmp;

open:
    if (depth + lvl > TS_JSCAN_DEPTH_MAX)
        return fail(it, TS_ESYNTAX, p, "nesting too deep");
    if (*p == '{')
        objs |= (uint64_t)1 << lvl;
    else
        objs &= ~((uint64_t)1 << lvl);
    lvl++;
    p = skip_ws(p + 1, end);
    if (p >= end)
        return fail(it, TS_ESYNTAX, p, "unexpected end of input");
    if (*p == ((objs >> (lvl - 1)) & 1 ? '}' : ']')) {
        p++;
        goto close;
    }
member:
    if ((objs >> (lvl - 1)) & 1) {
        bool esc = false;
        if (*p != '"')
            return fail(it, TS_ESYNTAX, p, "object key expected");
        p = scan_string(it, p + 1, &esc);
        if (p == NULL)
            return NULL;
        p = skip_ws(p, end);
        if (p >= end || *p != ':')
            return fail(it, TS_ESYNTAX, p, "':' expected");
        p = skip_ws(p + 1, end);
        if (p >= end)
            return fail(it, TS_ESYNTAX, p, "unexpected end of input");
    }
    if (*p == '{' || *p == '[')
        goto open;
    p = scan_scalar(it, p, &tmp);
    if (p == NULL)
        return NULL;
    goto after;
close:
    if (--lvl == 0)
        return p;
after:
    p = skip_ws(p, end);
    if (p >= end)
        return fail(it, TS_ESYNTAX, p, "unexpected end of input");
    if (*p == ',') {
        p = skip_ws(p + 1, end);
        if (p >= end)
            return fail(it, TS_ESYNTAX, p, "unexpected end of input");
        goto member;
    }
    if (*p == ((objs >> (lvl - 1)) & 1 ? '}' : ']')) {
        p++;
        goto close;
    }
    return fail(it, TS_ESYNTAX, p,
                (objs >> (lvl - 1)) & 1 ? "',' or '}' expected" : "',' or ']' expected");
}

/* Any value at p (whitespace already skipped). */
static const char *scan_value(ts_jscan_iter_t *it, const char *p, unsigned depth, ts_jscan_val_t *v)
{
    v->escaped = false;
    v->integer = false;
    v->depth = (uint8_t)(depth > 255 ? 255 : depth);
    if (p >= it->_end)
        return fail(it, TS_ESYNTAX, p, "value expected");
    const char *start = p;
    if (*p == '{' || *p == '[') {
        v->type = *p == '{' ? TS_JSCAN_OBJECT : TS_JSCAN_ARRAY;
        p = scan_container(it, p, depth);
    } else {
        p = scan_scalar(it, p, v);
    }
    if (p == NULL)
        return NULL;
    v->raw = ts_str(start, (size_t)(p - start));
    return p;
}

int ts_jscan_validate(const char *s, size_t n, size_t *err_off, const char **err_msg)
{
    ts_jscan_iter_t it = {._doc = s, ._p = s, ._end = s + n};
    ts_jscan_val_t v;
    const char *p = skip_ws(s, it._end);
    p = scan_value(&it, p, 1, &v);
    if (p != NULL) {
        p = skip_ws(p, it._end);
        if (p != it._end)
            fail(&it, TS_ESYNTAX, p, "trailing characters after the document");
    }
    if (it.err) {
        if (err_off)
            *err_off = it.err_off;
        if (err_msg)
            *err_msg = it.err_msg;
    }
    return it.err;
}

int ts_jscan_object_begin(ts_jscan_iter_t *it, const char *s, size_t n)
{
    memset(it, 0, sizeof *it);
    it->_doc = s;
    it->_end = s + n;
    const char *p = skip_ws(s, it->_end);
    if (p >= it->_end || *p != '{') {
        fail(it, TS_ETYPE, p, "not a JSON object");
        return TS_ETYPE;
    }
    it->_p = p + 1;
    it->_depth = 1;
    it->_first = 1;
    it->_top = 1;
    return 0;
}

/* End of the container being walked, p just past its closing bracket. */
static int finish(ts_jscan_iter_t *it, const char *p)
{
    if (it->_top) {
        p = skip_ws(p, it->_end);
        if (p != it->_end) {
            fail(it, TS_ESYNTAX, p, "trailing characters after the document");
            return it->err;
        }
    }
    it->_p = p;
    it->_first = 2;
    return 0;
}

/* Validates and steps over a container that a lazy walk left pending at
 * it->_p. Returns false on failure (it->err set). */
static bool settle(ts_jscan_iter_t *it)
{
    if (it->_pending == 1) {
        const char *p = scan_container(it, it->_p, it->_depth + 1u);
        if (p == NULL)
            return false;
        it->_p = p;
        it->_pending = 0;
        return true;
    }
    fail(it, TS_EINVAL, it->_p, "nested value still open");
    return false;
}

/* A member's value at p (whitespace skipped). Lazily, a container is only
 * typed and left pending at its bracket. Returns 1 or it->err. */
static inline int member_value(ts_jscan_iter_t *it, const char *p, ts_jscan_val_t *val, bool lazy)
{
    if (lazy && p < it->_end && (*p == '{' || *p == '[')) {
        val->type = *p == '{' ? TS_JSCAN_OBJECT : TS_JSCAN_ARRAY;
        val->raw = ts_str(p, 0);
        val->escaped = false;
        val->integer = false;
        val->depth = (uint8_t)(it->_depth + 1u);
        it->_p = p;
        it->_pending = 1;
        return 1;
    }
    if (LIKELY(p < it->_end && *p == '"')) {
        /* Strings are most values: straight to the string scanner. */
        val->type = TS_JSCAN_STRING;
        val->escaped = false;
        val->integer = false;
        val->depth = (uint8_t)(it->_depth + 1u);
        const char *q = scan_string(it, p + 1, &val->escaped);
        if (q == NULL)
            return it->err;
        val->raw = ts_str(p, (size_t)(q - p));
        it->_p = q;
        return 1;
    }
    p = scan_value(it, p, it->_depth + 1u, val);
    if (p == NULL)
        return it->err;
    it->_p = p;
    return 1;
}

static inline int object_next(ts_jscan_iter_t *it, ts_jscan_key_t *key, ts_jscan_val_t *val,
                              bool lazy)
{
    if (UNLIKELY(it->_pending) && !settle(it))
        return it->err;
    if (it->_first == 2 || it->_array)
        return 0;
    const char *end = it->_end;
    const char *p = skip_ws(it->_p, end);
    if (p >= end)
        goto eof;
    if (*p == '}')
        return finish(it, p + 1);
    if (it->_first) {
        it->_first = 0;
    } else {
        if (*p != ',') {
            fail(it, TS_ESYNTAX, p, "',' or '}' expected");
            return it->err;
        }
        p = skip_ws(p + 1, end);
        if (p >= end)
            goto eof;
    }
    if (*p != '"') {
        fail(it, TS_ESYNTAX, p, "object key expected");
        return it->err;
    }
    key->escaped = false;
    const char *k = p + 1;
    p = scan_string(it, k, &key->escaped);
    if (p == NULL)
        return it->err;
    key->raw = ts_str(k, (size_t)(p - 1 - k));
    if (LIKELY(p < end && *p == ':'))
        p++;
    else {
        p = skip_ws(p, end);
        if (p >= end || *p != ':') {
            fail(it, TS_ESYNTAX, p, "':' expected");
            return it->err;
        }
        p++;
    }
    p = skip_ws(p, end);
    return member_value(it, p, val, lazy);
eof:
    fail(it, TS_ESYNTAX, p, "unexpected end of input");
    return it->err;
}

static inline int array_next(ts_jscan_iter_t *it, ts_jscan_val_t *val, bool lazy)
{
    if (UNLIKELY(it->_pending) && !settle(it))
        return it->err;
    if (it->_first == 2 || !it->_array)
        return 0;
    const char *end = it->_end;
    const char *p = skip_ws(it->_p, end);
    if (p >= end)
        goto eof;
    if (*p == ']')
        return finish(it, p + 1);
    if (it->_first) {
        it->_first = 0;
    } else {
        if (*p != ',') {
            fail(it, TS_ESYNTAX, p, "',' or ']' expected");
            return it->err;
        }
        p = skip_ws(p + 1, end);
    }
    return member_value(it, p, val, lazy);
eof:
    fail(it, TS_ESYNTAX, p, "unexpected end of input");
    return it->err;
}

int ts_jscan_object_next(ts_jscan_iter_t *it, ts_jscan_key_t *key, ts_jscan_val_t *val)
{
    if (it->err)
        return it->err;
    return object_next(it, key, val, false);
}

int ts_jscan_array_next(ts_jscan_iter_t *it, ts_jscan_val_t *val)
{
    if (it->err)
        return it->err;
    return array_next(it, val, false);
}

int ts_jscan_object_next_lazy(ts_jscan_iter_t *it, ts_jscan_key_t *key, ts_jscan_val_t *val)
{
    if (it->err)
        return it->err;
    return object_next(it, key, val, true);
}

int ts_jscan_array_next_lazy(ts_jscan_iter_t *it, ts_jscan_val_t *val)
{
    if (it->err)
        return it->err;
    return array_next(it, val, true);
}

int ts_jscan_open(ts_jscan_iter_t *it, ts_jscan_iter_t *child)
{
    memset(child, 0, sizeof *child);
    child->_doc = it->_doc;
    if (it->err) {
        child->err = it->err;
        child->err_off = it->err_off;
        child->err_msg = it->err_msg;
        return it->err;
    }
    if (it->_pending != 1) {
        fail(child, TS_EINVAL, it->_p, "no nested value to open");
        return TS_EINVAL;
    }
    const char *p = it->_p;
    unsigned depth = it->_depth + 1u;
    if (depth > TS_JSCAN_DEPTH_MAX) {
        fail(it, TS_ESYNTAX, p, "nesting too deep");
        child->err = it->err;
        child->err_off = it->err_off;
        child->err_msg = it->err_msg;
        return it->err;
    }
    child->_p = p + 1;
    child->_end = it->_end;
    child->_depth = (uint8_t)depth;
    child->_first = 1;
    child->_array = *p == '[';
    it->_pending = 2;
    return 0;
}

int ts_jscan_close(ts_jscan_iter_t *it, ts_jscan_iter_t *child, ts_jscan_val_t *val)
{
    if (it->err)
        return it->err;
    if (it->_pending != 2) {
        fail(it, TS_EINVAL, it->_p, "no nested value open");
        return it->err;
    }
    /* Whatever the caller did not read is validated here. */
    int rc;
    if (child->_array) {
        ts_jscan_val_t v;
        while ((rc = ts_jscan_array_next_lazy(child, &v)) == 1)
            ;
    } else {
        ts_jscan_key_t k;
        ts_jscan_val_t v;
        while ((rc = ts_jscan_object_next_lazy(child, &k, &v)) == 1)
            ;
    }
    if (rc < 0) {
        it->err = child->err;
        it->err_off = child->err_off;
        it->err_msg = child->err_msg;
        return it->err;
    }
    if (val != NULL && val->raw.ptr == it->_p)
        val->raw.len = (size_t)(child->_p - it->_p);
    it->_p = child->_p;
    it->_pending = 0;
    return 0;
}

int ts_jscan_skip(ts_jscan_iter_t *it, ts_jscan_val_t *val)
{
    if (it->err)
        return it->err;
    const char *start = it->_p;
    if (it->_pending != 1) {
        fail(it, TS_EINVAL, it->_p, "no nested value to skip");
        return it->err;
    }
    if (!settle(it))
        return it->err;
    if (val != NULL && val->raw.ptr == start)
        val->raw.len = (size_t)(it->_p - start);
    return 0;
}

int ts_jscan_enter(const ts_jscan_iter_t *parent, const ts_jscan_val_t *v, ts_jscan_iter_t *child)
{
    memset(child, 0, sizeof *child);
    child->_doc = parent ? parent->_doc : v->raw.ptr;
    if (v->type != TS_JSCAN_OBJECT && v->type != TS_JSCAN_ARRAY) {
        child->err = TS_ETYPE;
        child->err_msg = "not an object or array";
        return TS_ETYPE;
    }
    child->_p = v->raw.ptr + 1;
    child->_end = v->raw.ptr + v->raw.len;
    child->_depth = v->depth;
    child->_first = 1;
    child->_array = v->type == TS_JSCAN_ARRAY;
    return 0;
}

static char *put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

int ts_jscan_unescape(const char *raw, size_t len, char *out, size_t cap, size_t *out_len)
{
    const char *p = raw, *end = raw + len;
    char *o = out, *oend = out + cap;
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        size_t run = (size_t)((bs ? bs : end) - p);
        if ((size_t)(oend - o) < run)
            return TS_ETOOBIG;
        memcpy(o, p, run);
        o += run;
        p += run;
        if (bs == NULL)
            break;
        if (end - p < 2)
            return TS_ESYNTAX;
        char c = p[1];
        unsigned long cp;
        p += 2;
        switch (c) {
        case '"':
        case '\\':
        case '/':
            cp = (unsigned char)c;
            break;
        case 'b':
            cp = '\b';
            break;
        case 'f':
            cp = '\f';
            break;
        case 'n':
            cp = '\n';
            break;
        case 'r':
            cp = '\r';
            break;
        case 't':
            cp = '\t';
            break;
        case 'u': {
            if (end - p < 4)
                return TS_ESYNTAX;
            long h = hex4(p);
            if (h < 0)
                return TS_ESYNTAX;
            p += 4;
            cp = (unsigned long)h;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
                    return TS_ESYNTAX;
                long l = hex4(p + 2);
                if (l < 0xDC00 || l > 0xDFFF)
                    return TS_ESYNTAX;
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)l - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return TS_ESYNTAX;
            } else if (cp == 0) {
                return TS_EINVAL;
            }
            break;
        }
        default:
            return TS_ESYNTAX;
        }
        size_t need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if ((size_t)(oend - o) < need)
            return TS_ETOOBIG;
        o = put_utf8(o, cp);
    }
    *out_len = (size_t)(o - out);
    return 0;
}

int ts_jscan_uint64(const ts_jscan_val_t *v, uint64_t *out)
{
    if (v->type != TS_JSCAN_NUMBER || !v->integer)
        return TS_ETYPE;
    const char *p = v->raw.ptr, *end = p + v->raw.len;
    if (p < end && *p == '-') {
        /* "-0" is zero; any other negative is out of range. */
        if (v->raw.len == 2 && p[1] == '0') {
            *out = 0;
            return 0;
        }
        return TS_ERANGE;
    }
    uint64_t x = 0;
    if (end - p <= 19) { /* below 10^19: cannot overflow */
        for (; p < end; p++) {
            unsigned d = (unsigned)(*p - '0');
            if (d > 9)
                return TS_ETYPE;
            x = x * 10 + d;
        }
        *out = x;
        return 0;
    }
    for (; p < end; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (d > 9)
            return TS_ETYPE;
        if (x > (UINT64_MAX - d) / 10)
            return TS_ERANGE;
        x = x * 10 + d;
    }
    *out = x;
    return 0;
}

int ts_jscan_int64(const ts_jscan_val_t *v, int64_t *out)
{
    if (v->type != TS_JSCAN_NUMBER || !v->integer)
        return TS_ETYPE;
    const char *p = v->raw.ptr, *end = p + v->raw.len;
    bool neg = p < end && *p == '-';
    if (neg)
        p++;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t x = 0;
    for (; p < end; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (d > 9)
            return TS_ETYPE;
        if (x > (limit - d) / 10)
            return TS_ERANGE;
        x = x * 10 + d;
    }
    *out = neg ? (int64_t)(0 - x) : (int64_t)x;
    return 0;
}

const char *ts_jscan_type_name(ts_jscan_type_t t)
{
    switch (t) {
    case TS_JSCAN_NULL:
        return "null";
    case TS_JSCAN_FALSE:
    case TS_JSCAN_TRUE:
        return "boolean";
    case TS_JSCAN_NUMBER:
        return "number";
    case TS_JSCAN_STRING:
        return "string";
    case TS_JSCAN_ARRAY:
        return "array";
    case TS_JSCAN_OBJECT:
        return "object";
    default:
        return "nothing";
    }
}
