/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/event.h"
#include "core/ip.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "portal/query.h"

/* Decodes s[0..n) into a new string. Control characters are refused with NUL:
 * they have no business in any parameter and would travel into logs. */
static int decode(const char *s, size_t n, char **out)
{
    if (n > 3 * TS_QUERY_VALUE_MAX)
        return TS_ETOOBIG;
    char *d = ts_xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (n - i < 3 || ts_hexval(s[i + 1]) < 0 || ts_hexval(s[i + 2]) < 0) {
                free(d);
                return TS_ESYNTAX;
            }
            c = (char)(ts_hexval(s[i + 1]) * 16 + ts_hexval(s[i + 2]));
            i += 2;
        }
        d[k++] = c;
    }
    d[k] = '\0';
    if (k > TS_QUERY_VALUE_MAX) {
        free(d);
        return TS_ETOOBIG;
    }
    const unsigned char *u = (const unsigned char *)d;
    for (size_t i = 0; i < k;) {
        uint32_t cp;
        size_t len = ts_utf8_next(u + i, k - i, &cp);
        if (cp == TS_UTF8_BAD || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
            free(d);
            return TS_EUTF8;
        }
        i += len;
    }
    *out = d;
    return 0;
}

static bool allowed_name(const char *const *allowed, const char *name)
{
    for (size_t i = 0; allowed && allowed[i]; i++)
        if (strcmp(allowed[i], name) == 0)
            return true;
    return false;
}

/* Names in messages are cut: a 512-byte name helps nobody. */
#define NAME_SHOWN 64

int ts_query_parse(const char *raw, const char *const *allowed, ts_query_t *q, char *err,
                   size_t errsize)
{
    memset(q, 0, sizeof *q);
    if (raw == NULL)
        return 0;
    size_t len = strnlen(raw, TS_QUERY_MAX + 1);
    if (len > TS_QUERY_MAX) {
        ts_seterr(err, errsize, "query string longer than %d bytes", TS_QUERY_MAX);
        return TS_ETOOBIG;
    }
    const char *p = raw, *end = raw + len;
    int r = 0;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop == p) {
            p = stop + 1;
            continue;
        }
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *name_end = eq ? eq : stop;
        char *name = NULL, *value = NULL;
        r = decode(p, (size_t)(name_end - p), &name);
        if (r) {
            ts_seterr(err, errsize, "malformed parameter name");
            break;
        }
        if (name[0] == '\0') {
            free(name);
            ts_seterr(err, errsize, "empty parameter name");
            r = TS_ESYNTAX;
            break;
        }
        if (!allowed_name(allowed, name)) {
            ts_seterr(err, errsize, "unknown parameter '%.*s'", NAME_SHOWN, name);
            free(name);
            r = TS_ENOENT;
            break;
        }
        if (ts_query_get(q, name) != NULL) {
            ts_seterr(err, errsize, "parameter '%s' given more than once", name);
            free(name);
            r = TS_EEXIST;
            break;
        }
        if (q->n == TS_QUERY_PARAMS_MAX) {
            free(name);
            ts_seterr(err, errsize, "more than %d parameters", TS_QUERY_PARAMS_MAX);
            r = TS_ETOOBIG;
            break;
        }
        const char *v = eq ? eq + 1 : stop;
        r = decode(v, (size_t)(stop - v), &value);
        if (r) {
            ts_seterr(err, errsize, "malformed value of parameter '%s'", name);
            free(name);
            break;
        }
        q->p[q->n].name = name;
        q->p[q->n].value = value;
        q->n++;
        p = amp ? amp + 1 : end;
    }
    if (r)
        ts_query_free(q);
    return r;
}

void ts_query_free(ts_query_t *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->p[i].name);
        free(q->p[i].value);
    }
    q->n = 0;
}

const char *ts_query_get(const ts_query_t *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->p[i].name, name) == 0)
            return q->p[i].value;
    return NULL;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int ts_query_time(const char *v, int64_t now, int64_t *us)
{
    return ts_time_parse_when(v, strlen(v), now, us);
}

int ts_query_limit(const char *v, size_t *limit)
{
    size_t n = strlen(v);
    if (n > 4 || !all_digits(v, n))
        return TS_EINVAL;
    size_t k = (size_t)strtoul(v, NULL, 10);
    if (k < 1 || k > TS_QUERY_LIMIT_MAX)
        return TS_EINVAL;
    *limit = k;
    return 0;
}

int ts_query_role(const char *v, ts_role_t *role)
{
    if (strcmp(v, "source") == 0)
        *role = TS_ROLE_SOURCE;
    else if (strcmp(v, "destination") == 0)
        *role = TS_ROLE_DESTINATION;
    else
        return TS_EINVAL;
    return 0;
}

int ts_query_ip(const char *v, uint8_t lo[16], uint8_t hi[16])
{
    size_t n = strlen(v);
    ts_prefix_t p;
    if (n == 0 || n > TS_IP_STRLEN || ts_prefix_parse(v, n, &p) != 0)
        return TS_EADDR;
    ts_prefix_range16(&p, lo, hi);
    return 0;
}

int ts_query_taxonomy(const char *v, ts_taxonomy_t *tax)
{
    size_t n = strlen(v);
    return n > 0 && ts_taxonomy_lookup(v, n, tax) == 0 ? 0 : TS_ENOENT;
}

int ts_query_type(const char *v, ts_type_t *type)
{
    size_t n = strlen(v);
    return n > 0 && ts_type_lookup(v, n, type) == 0 ? 0 : TS_ENOENT;
}

bool ts_query_site_valid(const char *v)
{
    return ts_site_name_valid(v);
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Check bytes of a cursor: FNV-1a over a domain tag and the id. */
static uint32_t cursor_check(const uint8_t id[8])
{
    static const char tag[] = "tocsin cursor v1";
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < sizeof tag - 1; i++)
        h = (h ^ (uint8_t)tag[i]) * 0x100000001b3ULL;
    for (size_t i = 0; i < 8; i++)
        h = (h ^ id[i]) * 0x100000001b3ULL;
    return (uint32_t)(h ^ (h >> 32));
}

void ts_query_cursor_encode(int64_t id, char *out)
{
    uint8_t raw[12];
    for (int i = 0; i < 8; i++)
        raw[i] = (uint8_t)((uint64_t)id >> (56 - 8 * i));
    uint32_t c = cursor_check(raw);
    for (int i = 0; i < 4; i++)
        raw[8 + i] = (uint8_t)(c >> (24 - 8 * i));
    /* 12 bytes = 96 bits = 16 characters of 6 bits, no padding. */
    for (int i = 0; i < 4; i++) {
        uint32_t g = (uint32_t)raw[3 * i] << 16 | (uint32_t)raw[3 * i + 1] << 8 | raw[3 * i + 2];
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = b64url[(g >> (18 - 6 * j)) & 63];
    }
    out[TS_QUERY_CURSOR_LEN] = '\0';
}

int ts_query_cursor_decode(const char *v, int64_t *id)
{
    if (strlen(v) != TS_QUERY_CURSOR_LEN)
        return TS_EINVAL;
    uint8_t raw[12];
    for (int i = 0; i < 4; i++) {
        uint32_t g = 0;
        for (int j = 0; j < 4; j++) {
            const char *p = strchr(b64url, v[4 * i + j]);
            if (p == NULL || v[4 * i + j] == '\0')
                return TS_EINVAL;
            g = g << 6 | (uint32_t)(p - b64url);
        }
        raw[3 * i] = (uint8_t)(g >> 16);
        raw[3 * i + 1] = (uint8_t)(g >> 8);
        raw[3 * i + 2] = (uint8_t)g;
    }
    uint32_t c = (uint32_t)raw[8] << 24 | (uint32_t)raw[9] << 16 | (uint32_t)raw[10] << 8 | raw[11];
    if (c != cursor_check(raw))
        return TS_EINVAL;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | raw[i];
    if (u == 0 || u > (uint64_t)INT64_MAX)
        return TS_EINVAL;
    *id = (int64_t)u;
    return 0;
}

int ts_query_format(const char *v, ts_api_format_t *fmt)
{
    if (strcmp(v, "json") == 0)
        *fmt = TS_API_JSON;
    else if (strcmp(v, "csv") == 0)
        *fmt = TS_API_CSV;
    else if (strcmp(v, "ndjson") == 0)
        *fmt = TS_API_NDJSON;
    else
        return TS_EINVAL;
    return 0;
}
