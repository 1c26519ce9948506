/* SPDX-License-Identifier: Apache-2.0 */
#include "core/json.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/utf8.h"

static void position(const char *buf, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, start = 0;
    for (size_t i = 0; i < off; i++)
        if (buf[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *col = off - start + 1;
}

static int TS_PRINTF(6, 7)
    poserr(int rc, const char *buf, size_t off, char *err, size_t errsize, const char *fmt, ...)
{
    if (err == NULL || errsize == 0)
        return rc;
    size_t line, col;
    position(buf, off, &line, &col);
    int n = snprintf(err, errsize, "line %zu, column %zu: ", line, col);
    if (n >= 0 && (size_t)n < errsize) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, errsize - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* ---- Second pass over text json-c accepted ----------------------------------
 * json-c 0.16 in strict mode still takes 'single quoted' strings and NaN /
 * Infinity, and keeps the last of two equal keys. This pass walks the text
 * (known to be well-formed apart from those) to refuse them. Keys are compared
 * as written: "a" and "\u0061" are not recognised as equal, which is fine for
 * catching human mistakes. */

struct key {
    const char *p;
    size_t n;
    size_t off;
};

struct frame {
    bool obj;
    bool expect_key;
    size_t keys_start;
};

static int key_cmp(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, n);
    if (c != 0)
        return c;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return x->off < y->off ? -1 : (x->off > y->off);
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int recheck(const char *s, size_t len, int max_depth, unsigned flags, char *err,
                   size_t errsize)
{
    struct frame *fr = ts_xcalloc((size_t)max_depth + 2, sizeof *fr);
    struct key *keys = NULL;
    size_t nkeys = 0, capkeys = 0;
    int depth = 0, rc = 0;
    size_t i = 0;
    while (i < len && rc == 0) {
        char c = s[i];
        if (is_ws(c)) {
            i++;
        } else if (c == '"') {
            size_t start = ++i;
            while (i < len && s[i] != '"')
                i += s[i] == '\\' ? 2 : 1;
            if (depth > 0 && fr[depth - 1].obj && fr[depth - 1].expect_key &&
                (flags & TS_JSON_NO_DUPKEYS)) {
                if (nkeys == capkeys) {
                    capkeys = capkeys ? capkeys * 2 : 16;
                    keys = ts_xrealloc(keys, capkeys * sizeof *keys);
                }
                keys[nkeys++] = (struct key){s + start, i - start, start - 1};
            }
            i++;
        } else if (c == '{' || c == '[') {
            if (depth > max_depth) { /* json-c checked; be safe anyway */
                rc = poserr(TS_ETOOBIG, s, i, err, errsize, "nesting deeper than %d", max_depth);
                break;
            }
            fr[depth++] = (struct frame){c == '{', c == '{', nkeys};
            i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) {
                rc = poserr(TS_ESYNTAX, s, i, err, errsize, "unexpected '%c'", c);
                break;
            }
            struct frame *f = &fr[--depth];
            size_t n = nkeys - f->keys_start;
            if (f->obj && n > 1) {
                struct key *k = keys + f->keys_start;
                qsort(k, n, sizeof *k, key_cmp);
                for (size_t j = 1; j < n; j++)
                    if (k[j].n == k[j - 1].n && memcmp(k[j].p, k[j - 1].p, k[j].n) == 0) {
                        rc = poserr(TS_ESYNTAX, s, k[j].off, err, errsize, "duplicate key \"%.*s\"",
                                    (int)(k[j].n > 64 ? 64 : k[j].n), k[j].p);
                        break;
                    }
            }
            nkeys = f->keys_start;
            i++;
        } else if (c == ':') {
            if (depth > 0)
                fr[depth - 1].expect_key = false;
            i++;
        } else if (c == ',') {
            if (depth > 0 && fr[depth - 1].obj)
                fr[depth - 1].expect_key = true;
            i++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            while (i < len && (s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == 'e' ||
                               s[i] == 'E' || (s[i] >= '0' && s[i] <= '9')))
                i++;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            size_t start = i;
            while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
                i++;
            size_t n = i - start;
            if (!((n == 4 && memcmp(s + start, "true", 4) == 0) ||
                  (n == 5 && memcmp(s + start, "false", 5) == 0) ||
                  (n == 4 && memcmp(s + start, "null", 4) == 0)))
                rc = poserr(TS_ESYNTAX, s, start, err, errsize, "unexpected literal \"%.*s\"",
                            (int)(n > 16 ? 16 : n), s + start);
        } else if (c == '\'') {
            rc = poserr(TS_ESYNTAX, s, i, err, errsize, "single-quoted string");
        } else {
            rc = poserr(TS_ESYNTAX, s, i, err, errsize, "unexpected character");
        }
    }
    free(keys);
    free(fr);
    return rc;
}

int ts_json_parse(const char *buf, size_t len, size_t max_len, int max_depth, unsigned flags,
                  ts_json_t **out, char *err, size_t errsize)
{
    *out = NULL;
    if (max_depth < 1)
        max_depth = 1;
    if (max_len > (size_t)INT_MAX - 1)
        max_len = (size_t)INT_MAX - 1;
    if (len > max_len) {
        ts_seterr(err, errsize, "document of %zu bytes exceeds the limit of %zu", len, max_len);
        return TS_ETOOBIG;
    }
    const char *nul = len ? memchr(buf, '\0', len) : NULL;
    if (nul != NULL)
        return poserr(TS_ESYNTAX, buf, (size_t)(nul - buf), err, errsize, "NUL byte");

    struct json_tokener *tok = json_tokener_new_ex(max_depth + 1);
    if (tok == NULL)
        abort(); /* small fixed allocation: same policy as ts_xmalloc */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    ts_json_t *v = json_tokener_parse_ex(tok, buf, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* A top-level number or literal is complete only once the tokener
         * sees what follows; a space ends it without hiding errors such as
         * a leading zero (which the NUL terminator would report as EOF). */
        v = json_tokener_parse_ex(tok, " ", 1);
        jerr = json_tokener_get_error(tok);
        end = len;
    }
    json_tokener_free(tok);
    if (jerr != json_tokener_success) {
        json_object_put(v);
        if (end > len)
            end = len;
        switch (jerr) {
        case json_tokener_continue:
        case json_tokener_error_parse_eof:
            return poserr(TS_ETRUNC, buf, len, err, errsize, "unexpected end of input");
        case json_tokener_error_depth:
            return poserr(TS_ETOOBIG, buf, end, err, errsize, "nesting deeper than %d", max_depth);
        case json_tokener_error_parse_utf8_string:
            return poserr(TS_EUTF8, buf, end, err, errsize, "invalid UTF-8");
        default:
            return poserr(TS_ESYNTAX, buf, end, err, errsize, "%s", json_tokener_error_desc(jerr));
        }
    }
    int rc = recheck(buf, len, max_depth, flags, err, errsize);
    if (rc != 0) {
        json_object_put(v);
        return rc;
    }
    *out = v;
    return 0;
}

void ts_json_free(ts_json_t *v)
{
    json_object_put(v);
}

const char *ts_json_type_name(const ts_json_t *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "boolean";
    case json_type_double:
    case json_type_int:
        return "number";
    case json_type_string:
        return "string";
    case json_type_array:
        return "array";
    case json_type_object:
        return "object";
    }
    return "unknown";
}

static int type_err(const ts_json_t *v, const char *what, const char *want, char *err,
                    size_t errsize)
{
    ts_seterr(err, errsize, "%s: expected %s, got %s", what, want, ts_json_type_name(v));
    return TS_ETYPE;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += ts_utf8_next(s + i, n - i, &cp);
        if (cp == TS_UTF8_BAD)
            return false;
    }
    return true;
}

int ts_json_as_str(const ts_json_t *v, const char *what, ts_str_t *out, char *err, size_t errsize)
{
    if (!json_object_is_type(v, json_type_string))
        return type_err(v, what, "string", err, errsize);
    ts_json_t *m = (ts_json_t *)v; /* json-c's getters are not const-correct */
    const char *p = json_object_get_string(m);
    int n = json_object_get_string_len(m);
    size_t len = n > 0 ? (size_t)n : 0;
    if (memchr(p, '\0', len) != NULL) {
        ts_seterr(err, errsize, "%s: string contains NUL", what);
        return TS_EINVAL;
    }
    if (!utf8_valid((const unsigned char *)p, len)) {
        ts_seterr(err, errsize, "%s: invalid UTF-8 (unpaired surrogate escape?)", what);
        return TS_EUTF8;
    }
    *out = ts_str(p, len);
    return 0;
}

int ts_json_as_int(const ts_json_t *v, const char *what, int64_t min, int64_t max, int64_t *out,
                   char *err, size_t errsize)
{
    if (!json_object_is_type(v, json_type_int))
        return type_err(v, what, "integer", err, errsize);
    int64_t x = json_object_get_int64(v);
    if (x == INT64_MAX || x == INT64_MIN || x < min || x > max) {
        if (x == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
            ts_seterr(err, errsize, "%s: %llu is out of range %lld-%lld", what,
                      (unsigned long long)json_object_get_uint64(v), (long long)min,
                      (long long)max);
        else
            ts_seterr(err, errsize, "%s: %lld is out of range %lld-%lld", what, (long long)x,
                      (long long)min, (long long)max);
        return TS_ERANGE;
    }
    *out = x;
    return 0;
}

int ts_json_as_bool(const ts_json_t *v, const char *what, bool *out, char *err, size_t errsize)
{
    if (!json_object_is_type(v, json_type_boolean))
        return type_err(v, what, "boolean", err, errsize);
    *out = json_object_get_boolean(v) != 0;
    return 0;
}

int ts_json_as_array(const ts_json_t *v, const char *what, size_t *n, char *err, size_t errsize)
{
    if (!json_object_is_type(v, json_type_array))
        return type_err(v, what, "array", err, errsize);
    *n = json_object_array_length(v);
    return 0;
}

int ts_json_as_object(const ts_json_t *v, const char *what, char *err, size_t errsize)
{
    if (!json_object_is_type(v, json_type_object))
        return type_err(v, what, "object", err, errsize);
    return 0;
}

ts_json_t *ts_json_index(const ts_json_t *arr, size_t i)
{
    return json_object_array_get_idx(arr, i);
}

bool ts_json_member(const ts_json_t *obj, const char *key, ts_json_t **val)
{
    ts_json_t *v = NULL;
    bool found =
        json_object_is_type(obj, json_type_object) && json_object_object_get_ex(obj, key, &v);
    *val = found ? v : NULL;
    return found;
}

static int member(const ts_json_t *obj, const char *key, bool required, ts_json_t **v, char *err,
                  size_t errsize)
{
    if (ts_json_member(obj, key, v))
        return 1;
    if (required) {
        ts_seterr(err, errsize, "field \"%s\" is missing", key);
        return TS_EMISSING;
    }
    return 0;
}

int ts_json_get_str(const ts_json_t *obj, const char *key, bool required, ts_str_t *out, char *err,
                    size_t errsize)
{
    ts_json_t *v;
    int rc = member(obj, key, required, &v, err, errsize);
    return rc <= 0 ? rc : ts_json_as_str(v, key, out, err, errsize);
}

int ts_json_get_int(const ts_json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                    int64_t *out, char *err, size_t errsize)
{
    ts_json_t *v;
    int rc = member(obj, key, required, &v, err, errsize);
    return rc <= 0 ? rc : ts_json_as_int(v, key, min, max, out, err, errsize);
}

int ts_json_get_array(const ts_json_t *obj, const char *key, bool required, ts_json_t **arr,
                      size_t *n, char *err, size_t errsize)
{
    ts_json_t *v;
    *arr = NULL;
    *n = 0;
    int rc = member(obj, key, required, &v, err, errsize);
    if (rc <= 0)
        return rc;
    rc = ts_json_as_array(v, key, n, err, errsize);
    if (rc == 0)
        *arr = v;
    return rc;
}

int ts_json_check_keys(const ts_json_t *obj, const char *const *allowed, size_t n, char *err,
                       size_t errsize)
{
    if (!json_object_is_type(obj, json_type_object))
        return type_err(obj, "value", "object", err, errsize);
    json_object_object_foreach((ts_json_t *)obj, key, val)
    {
        (void)val;
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok) {
            ts_seterr(err, errsize, "unknown field \"%.64s\"", key);
            return TS_EINVAL;
        }
    }
    return 0;
}
