/* SPDX-License-Identifier: Apache-2.0 */
/* Package URLs, parsed the way the purl specification's "How to parse"
 * section reads them: subpath split off at the right-most '#', qualifiers at
 * the right-most '?', the scheme, the type, the version at the right-most '@',
 * the name as the last '/' segment and the namespace as the rest. */
#include "advisory/purl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "advisory/version.h"
#include "core/mem.h"

#define PURL_INPUT_MAX 4096 /* a canonical form encoding every byte still fits */
#define PURL_QUALIFIERS_MAX 16

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static const char *rfind(ts_str_t s, char c)
{
    for (size_t k = s.len; k > 0; k--)
        if (s.ptr[k - 1] == c)
            return s.ptr + k - 1;
    return NULL;
}

/* Percent-decodes s into out (size bytes); NUL and other control bytes are
 * refused because the parts are C strings shown to people. */
static int decode(ts_str_t s, char *out, size_t size, const char *what, char *err, size_t errsize)
{
    size_t n = 0;
    for (size_t k = 0; k < s.len; k++) {
        unsigned char c = (unsigned char)s.ptr[k];
        if (c == '%') {
            int h1 = k + 2 < s.len ? ts_hexval((unsigned char)s.ptr[k + 1]) : -1;
            int h2 = k + 2 < s.len ? ts_hexval((unsigned char)s.ptr[k + 2]) : -1;
            if (h1 < 0 || h2 < 0) {
                ts_seterr(err, errsize, "bad percent-encoding in %s", what);
                return TS_ESYNTAX;
            }
            c = (unsigned char)(h1 * 16 + h2);
            k += 2;
        }
        if (c < 0x20 || c == 0x7f) {
            ts_seterr(err, errsize, "control character in %s", what);
            return TS_ESYNTAX;
        }
        if (n + 1 >= size) {
            ts_seterr(err, errsize, "%s longer than %zu bytes", what, size - 1);
            return TS_ETOOBIG;
        }
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return 0;
}

static bool unreserved(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == ':';
}

/* Appends the percent-encoded form of s; false when it does not fit. */
static bool encode(const char *s, char *out, size_t size, size_t *n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (unreserved(c)) {
            if (*n + 1 >= size)
                return false;
            out[(*n)++] = (char)c;
        } else {
            if (*n + 3 >= size)
                return false;
            out[(*n)++] = '%';
            out[(*n)++] = hex[c >> 4];
            out[(*n)++] = hex[c & 15];
        }
    }
    out[*n] = '\0';
    return true;
}

struct qual {
    char key[64];
    char value[TS_PURL_PART_MAX];
};

static int qual_cmp(const void *a, const void *b)
{
    return strcmp(((const struct qual *)a)->key, ((const struct qual *)b)->key);
}

static int parse_qualifiers(ts_str_t q, ts_purl_t *out, char *err, size_t errsize)
{
    struct qual *qs = ts_xcalloc(PURL_QUALIFIERS_MAX, sizeof *qs);
    int nq = 0, rc = 0;
    size_t k = 0;
    while (rc == 0 && k < q.len) {
        size_t e = k;
        while (e < q.len && q.ptr[e] != '&')
            e++;
        ts_str_t item = ts_str(q.ptr + k, e - k);
        k = e + 1;
        if (item.len == 0)
            continue;
        const char *eq = memchr(item.ptr, '=', item.len);
        if (eq == NULL || eq == item.ptr) {
            ts_seterr(err, errsize, "qualifier without key=value");
            rc = TS_ESYNTAX;
            break;
        }
        ts_str_t key = ts_str(item.ptr, (size_t)(eq - item.ptr));
        ts_str_t val = ts_str(eq + 1, item.len - key.len - 1);
        if (val.len == 0)
            continue; /* the spec discards empty values */
        if (nq == PURL_QUALIFIERS_MAX) {
            ts_seterr(err, errsize, "more than %d qualifiers", PURL_QUALIFIERS_MAX);
            rc = TS_ETOOBIG;
            break;
        }
        if (key.len >= sizeof qs[nq].key) {
            ts_seterr(err, errsize, "qualifier key too long");
            rc = TS_ETOOBIG;
            break;
        }
        for (size_t i = 0; i < key.len; i++) {
            unsigned char c = lower((unsigned char)key.ptr[i]);
            if (!(is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_') ||
                (i == 0 && is_digit(c))) {
                ts_seterr(err, errsize, "bad qualifier key");
                rc = TS_ESYNTAX;
                break;
            }
            qs[nq].key[i] = (char)c;
        }
        if (rc)
            break;
        qs[nq].key[key.len] = '\0';
        for (int j = 0; j < nq; j++)
            if (strcmp(qs[j].key, qs[nq].key) == 0) {
                ts_seterr(err, errsize, "duplicate qualifier \"%s\"", qs[nq].key);
                rc = TS_ESYNTAX;
            }
        if (rc == 0)
            rc = decode(val, qs[nq].value, sizeof qs[nq].value, "qualifier value", err, errsize);
        nq++;
    }
    if (rc == 0) {
        qsort(qs, (size_t)nq, sizeof *qs, qual_cmp);
        size_t n = 0;
        out->qualifiers[0] = '\0';
        for (int j = 0; j < nq && rc == 0; j++) {
            size_t need = strlen(qs[j].key) + 2;
            if (n + need >= sizeof out->qualifiers) {
                rc = TS_ETOOBIG;
                break;
            }
            if (j)
                out->qualifiers[n++] = '&';
            memcpy(out->qualifiers + n, qs[j].key, need - 2);
            n += need - 2;
            out->qualifiers[n++] = '=';
            out->qualifiers[n] = '\0';
            if (!encode(qs[j].value, out->qualifiers, sizeof out->qualifiers, &n))
                rc = TS_ETOOBIG;
        }
        if (rc)
            ts_seterr(err, errsize, "qualifiers longer than %d bytes", TS_PURL_PART_MAX - 1);
    }
    free(qs);
    return rc;
}

static void fold(char *s)
{
    for (; *s; s++)
        *s = (char)lower((unsigned char)*s);
}

/* Per-type normalisation the purl type definitions ask for. */
static void normalise(ts_purl_t *p)
{
    static const char *const fold_ns_name[] = {"github", "bitbucket", "composer",
                                               "hex",    "apk",       "alpm"};
    for (size_t k = 0; k < sizeof fold_ns_name / sizeof fold_ns_name[0]; k++)
        if (strcmp(p->type, fold_ns_name[k]) == 0) {
            fold(p->ns);
            fold(p->name);
        }
    if (strcmp(p->type, "deb") == 0 || strcmp(p->type, "rpm") == 0)
        fold(p->ns); /* the distribution vendor */
    if (strcmp(p->type, "pypi") == 0) {
        fold(p->name);
        for (char *c = p->name; *c; c++)
            if (*c == '_')
                *c = '-';
    }
}

int ts_purl_parse(ts_str_t s, ts_purl_t *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    if (s.ptr == NULL || s.len == 0) {
        ts_seterr(err, errsize, "empty purl");
        return TS_ESYNTAX;
    }
    if (s.len > PURL_INPUT_MAX) {
        ts_seterr(err, errsize, "purl longer than %d bytes", PURL_INPUT_MAX);
        return TS_ETOOBIG;
    }
    for (size_t k = 0; k < s.len; k++) {
        unsigned char c = (unsigned char)s.ptr[k];
        if (c <= 0x20 || c == 0x7f) {
            ts_seterr(err, errsize, "whitespace or control character in purl");
            return TS_ESYNTAX;
        }
    }
    ts_str_t rest = s;
    const char *hash = memchr(rest.ptr, '#', rest.len);
    if (hash) /* the subpath is not kept: matching does not use it */
        rest.len = (size_t)(hash - rest.ptr);
    const char *q = memchr(rest.ptr, '?', rest.len);
    ts_str_t quals = TS_STR_NULL;
    if (q) {
        quals = ts_str(q + 1, rest.len - (size_t)(q - rest.ptr) - 1);
        rest.len = (size_t)(q - rest.ptr);
    }
    if (rest.len < 4 || strncasecmp(rest.ptr, "pkg:", 4) != 0) {
        ts_seterr(err, errsize, "no \"pkg:\" scheme");
        return TS_ESYNTAX;
    }
    rest = ts_str(rest.ptr + 4, rest.len - 4);
    while (rest.len && rest.ptr[0] == '/') {
        rest.ptr++;
        rest.len--;
    }
    while (rest.len && rest.ptr[rest.len - 1] == '/')
        rest.len--;
    const char *slash = memchr(rest.ptr, '/', rest.len);
    if (slash == NULL || slash == rest.ptr) {
        ts_seterr(err, errsize, "no type");
        return TS_ESYNTAX;
    }
    size_t tl = (size_t)(slash - rest.ptr);
    if (tl >= sizeof out->type) {
        ts_seterr(err, errsize, "type longer than %zu bytes", sizeof out->type - 1);
        return TS_ETOOBIG;
    }
    for (size_t k = 0; k < tl; k++) {
        unsigned char c = lower((unsigned char)rest.ptr[k]);
        if (!(is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '+') ||
            (k == 0 && is_digit(c))) {
            ts_seterr(err, errsize, "bad character in type");
            return TS_ESYNTAX;
        }
        out->type[k] = (char)c;
    }
    rest = ts_str(slash + 1, rest.len - tl - 1);
    int rc;
    const char *at = rfind(rest, '@');
    if (at) {
        ts_str_t v = ts_str(at + 1, rest.len - (size_t)(at - rest.ptr) - 1);
        if (v.len == 0) {
            ts_seterr(err, errsize, "empty version after '@'");
            return TS_ESYNTAX;
        }
        rc = decode(v, out->version, sizeof out->version, "version", err, errsize);
        if (rc)
            goto fail;
        rest.len = (size_t)(at - rest.ptr);
    }
    while (rest.len && rest.ptr[rest.len - 1] == '/')
        rest.len--;
    const char *ns_end = rfind(rest, '/');
    ts_str_t name = ns_end ? ts_str(ns_end + 1, rest.len - (size_t)(ns_end - rest.ptr) - 1) : rest;
    if (name.len == 0) {
        ts_seterr(err, errsize, "no name");
        rc = TS_ESYNTAX;
        goto fail;
    }
    rc = decode(name, out->name, sizeof out->name, "name", err, errsize);
    if (rc)
        goto fail;
    if (ns_end) {
        /* segments decoded one by one; empty ones dropped; a decoded '/'
         * inside a segment is refused because it would change the split */
        ts_str_t ns = ts_str(rest.ptr, (size_t)(ns_end - rest.ptr));
        size_t n = 0, k = 0;
        while (k < ns.len) {
            size_t e = k;
            while (e < ns.len && ns.ptr[e] != '/')
                e++;
            if (e > k) {
                char seg[TS_PURL_PART_MAX];
                rc = decode(ts_str(ns.ptr + k, e - k), seg, sizeof seg, "namespace", err, errsize);
                if (rc)
                    goto fail;
                size_t sl = strlen(seg);
                if (strchr(seg, '/') != NULL) {
                    ts_seterr(err, errsize, "encoded '/' in a namespace segment");
                    rc = TS_ESYNTAX;
                    goto fail;
                }
                if (n + sl + 2 > sizeof out->ns) {
                    ts_seterr(err, errsize, "namespace longer than %d bytes", TS_PURL_PART_MAX - 1);
                    rc = TS_ETOOBIG;
                    goto fail;
                }
                if (n)
                    out->ns[n++] = '/';
                memcpy(out->ns + n, seg, sl + 1);
                n += sl;
            }
            k = e + 1;
        }
    }
    if (strchr(out->name, '/') != NULL) {
        ts_seterr(err, errsize, "encoded '/' in the name");
        rc = TS_ESYNTAX;
        goto fail;
    }
    if (quals.ptr) {
        rc = parse_qualifiers(quals, out, err, errsize);
        if (rc)
            goto fail;
    }
    normalise(out);
    return 0;
fail:
    memset(out, 0, sizeof *out);
    return rc;
}

void ts_purl_format(const ts_purl_t *p, char *buf, size_t size)
{
    if (size == 0)
        return;
    size_t n = 0;
    buf[0] = '\0';
    const char *parts[] = {"pkg:", p->type, "/"};
    for (int i = 0; i < 3; i++)
        for (const char *c = parts[i]; *c; c++)
            if (n + 1 < size)
                buf[n++] = *c;
    buf[n] = '\0';
    bool ok = true;
    if (p->ns[0]) {
        char seg[TS_PURL_PART_MAX];
        const char *s = p->ns;
        while (ok && *s) {
            size_t l = strcspn(s, "/");
            if (l >= sizeof seg)
                l = sizeof seg - 1;
            memcpy(seg, s, l);
            seg[l] = '\0';
            ok = encode(seg, buf, size, &n);
            s += l;
            if (*s == '/')
                s++;
            if (ok && n + 1 < size)
                buf[n++] = '/';
            else
                ok = false;
            buf[n] = '\0';
        }
    }
    if (ok)
        ok = encode(p->name, buf, size, &n);
    if (ok && p->version[0]) {
        ok = n + 1 < size;
        if (ok) {
            buf[n++] = '@';
            ok = encode(p->version, buf, size, &n);
        }
    }
    if (ok && p->qualifiers[0]) {
        size_t ql = strlen(p->qualifiers);
        if (n + 1 + ql < size) {
            buf[n++] = '?';
            memcpy(buf + n, p->qualifiers, ql);
            n += ql;
        }
    }
    buf[n < size ? n : size - 1] = '\0';
}

bool ts_purl_same_package(const ts_purl_t *a, const ts_purl_t *b)
{
    return strcmp(a->type, b->type) == 0 && strcmp(a->ns, b->ns) == 0 &&
           strcmp(a->name, b->name) == 0;
}

int ts_purl_scheme(const ts_purl_t *p)
{
    static const struct {
        const char *type;
        ts_vscheme_t scheme;
    } map[] = {
        {"deb", TS_VS_DPKG},     {"rpm", TS_VS_RPM},       {"npm", TS_VS_SEMVER},
        {"cargo", TS_VS_SEMVER}, {"golang", TS_VS_SEMVER}, {"hex", TS_VS_SEMVER},
        {"pub", TS_VS_SEMVER},   {"swift", TS_VS_SEMVER},
    };
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (strcmp(p->type, map[k].type) == 0)
            return map[k].scheme;
    return TS_VS_GENERIC;
}
