/* SPDX-License-Identifier: Apache-2.0 */
/* Inventory specs: CPE, purl, vendor:product[:version], families. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "advisory/platform.h"

static bool has_ctl(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* A version as an inventory may state it: printable, no spaces (a space means
 * the user wrote a range or prose, which an inventory cannot hold). */
static int check_version(const char *v, size_t n, char *err, size_t errsize)
{
    if (n == 0) {
        ts_seterr(err, errsize, "empty version");
        return TS_EINVAL;
    }
    if (n >= TS_PLATFORM_VERSION_MAX) {
        ts_seterr(err, errsize, "version longer than %d bytes", TS_PLATFORM_VERSION_MAX - 1);
        return TS_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '|' || c == '*' || c == ';') {
            ts_seterr(err, errsize, "version \"%.*s\" is not a single version", (int)n, v);
            return TS_EINVAL;
        }
    }
    return 0;
}

static int names(ts_platform_t *p, ts_str_t vendor, ts_str_t product, char *err, size_t errsize)
{
    int r = ts_name_vendor(vendor, p->vendor);
    if (r) {
        ts_seterr(err, errsize, "vendor \"%.*s\": %s", (int)vendor.len, vendor.ptr,
                  r == TS_ETOOBIG ? "too long" : "empty after normalising");
        return TS_EINVAL;
    }
    if (product.len == 1 && product.ptr[0] == '*') {
        p->vendor_family = true;
        p->family = true;
        strcpy(p->product, "*");
        return 0;
    }
    r = ts_name_product(product, p->product);
    if (r) {
        ts_seterr(err, errsize, "product \"%.*s\": %s", (int)product.len, product.ptr,
                  r == TS_ETOOBIG ? "too long" : "empty after normalising");
        return TS_EINVAL;
    }
    ts_name_product_alias(p->vendor, p->product);
    return 0;
}

/* The canonical spec: it must fit whole, since it is what is stored and read
 * back (a cut one would name another platform). tmp holds it first. */
static int set_spec(ts_platform_t *p, const char *tmp, char *err, size_t errsize)
{
    size_t n = strlen(tmp);
    if (n >= sizeof p->spec) {
        ts_seterr(err, errsize, "canonical form longer than %d bytes", TS_PLATFORM_SPEC_MAX - 1);
        return TS_ETOOBIG;
    }
    memcpy(p->spec, tmp, n + 1);
    return 0;
}

/* Room to format a CPE or purl whole, so that a form too long is seen. */
#define CANON_TMP (4 * TS_PLATFORM_SPEC_MAX)

static int parse_cpe(const char *spec, ts_platform_t *p, char *err, size_t errsize)
{
    char why[256] = "";
    int r = ts_cpe_parse(ts_str_c(spec), &p->cpe, why, sizeof why);
    if (r) {
        ts_seterr(err, errsize, "not a valid CPE name: %s", why);
        return r == TS_ETOOBIG ? TS_ETOOBIG : TS_ESYNTAX;
    }
    const ts_cpe_av_t *v = &p->cpe.a[TS_CPE_VENDOR], *pr = &p->cpe.a[TS_CPE_PRODUCT];
    if (v->kind != TS_CPE_VALUE || pr->kind != TS_CPE_VALUE || v->wild_start || v->wild_end ||
        pr->wild_start || pr->wild_end) {
        ts_seterr(err, errsize, "a CPE platform needs a vendor and a product (no wildcards)");
        return TS_EINVAL;
    }
    p->kind = TS_PLAT_CPE;
    r = names(p, ts_str_c(v->value), ts_str_c(pr->value), err, errsize);
    if (r)
        return r;
    const ts_cpe_av_t *ver = &p->cpe.a[TS_CPE_VERSION];
    if (ver->kind == TS_CPE_VALUE && !ver->wild_start && !ver->wild_end) {
        r = check_version(ver->value, strlen(ver->value), err, errsize);
        if (r)
            return r;
        ts_seterr(p->version, sizeof p->version, "%s", ver->value);
    } else {
        p->family = true;
    }
    char tmp[CANON_TMP];
    ts_cpe_format(&p->cpe, tmp, sizeof tmp);
    return set_spec(p, tmp, err, errsize);
}

static int parse_purl(const char *spec, ts_platform_t *p, char *err, size_t errsize)
{
    char why[256] = "";
    int r = ts_purl_parse(ts_str_c(spec), &p->purl, why, sizeof why);
    if (r) {
        ts_seterr(err, errsize, "not a valid purl: %s", why);
        return r == TS_ETOOBIG ? TS_ETOOBIG : TS_ESYNTAX;
    }
    if (p->purl.name[0] == '\0') {
        ts_seterr(err, errsize, "a purl platform needs a name");
        return TS_EINVAL;
    }
    p->kind = TS_PLAT_PURL;
    /* The namespace usually names the vendor or distribution (pkg:rpm/redhat/...);
     * without one, the name keys only purl-to-purl matching. */
    if (p->purl.ns[0] == '\0' || ts_name_vendor(ts_str_c(p->purl.ns), p->vendor) != 0)
        p->vendor[0] = '\0';
    if (ts_name_product(ts_str_c(p->purl.name), p->product) != 0)
        p->product[0] = '\0';
    if (p->purl.version[0]) {
        r = check_version(p->purl.version, strlen(p->purl.version), err, errsize);
        if (r)
            return r;
        ts_seterr(p->version, sizeof p->version, "%s", p->purl.version);
    } else {
        p->family = true;
    }
    char tmp[CANON_TMP];
    ts_purl_format(&p->purl, tmp, sizeof tmp);
    return set_spec(p, tmp, err, errsize);
}

static int parse_name(const char *spec, ts_platform_t *p, char *err, size_t errsize)
{
    const char *c1 = strchr(spec, ':');
    if (c1 == NULL) {
        ts_seterr(err, errsize,
                  "\"%s\" is neither a CPE (cpe:2.3:...), a purl (pkg:...) nor "
                  "vendor:product[:version]",
                  spec);
        return TS_EINVAL;
    }
    const char *c2 = strchr(c1 + 1, ':');
    ts_str_t vendor = ts_str(spec, (size_t)(c1 - spec));
    ts_str_t product = c2 ? ts_str(c1 + 1, (size_t)(c2 - c1 - 1)) : ts_str_c(c1 + 1);
    p->kind = TS_PLAT_NAME;
    int r = names(p, vendor, product, err, errsize);
    if (r)
        return r;
    /* The canonical "cpe:..." or "pkg:..." would read back as a CPE or purl. */
    if (strcmp(p->vendor, "cpe") == 0 || strcmp(p->vendor, "pkg") == 0) {
        ts_seterr(err, errsize, "vendor \"%s\" reads as a %s prefix: write the full %s", p->vendor,
                  p->vendor[0] == 'c' ? "CPE" : "purl", p->vendor[0] == 'c' ? "CPE" : "purl");
        return TS_EINVAL;
    }
    if (c2 == NULL) {
        p->family = true;
        ts_seterr(p->spec, sizeof p->spec, "%s:%s", p->vendor, p->product);
        return 0;
    }
    if (p->vendor_family) {
        ts_seterr(err, errsize, "a vendor family (vendor:*) takes no version");
        return TS_EINVAL;
    }
    r = check_version(c2 + 1, strlen(c2 + 1), err, errsize);
    if (r)
        return r;
    ts_seterr(p->version, sizeof p->version, "%s", c2 + 1);
    ts_seterr(p->spec, sizeof p->spec, "%s:%s:%s", p->vendor, p->product, p->version);
    return 0;
}

static const struct {
    const char *key; /* with its '=' */
    size_t off;
} id_keys[] = {
    {"model=", offsetof(ts_platform_t, model)},
    {"sku=", offsetof(ts_platform_t, sku)},
    {"serial=", offsetof(ts_platform_t, serial)},
};
#define N_ID_KEYS (sizeof id_keys / sizeof id_keys[0])

/* The key of the identifier starting at s (after its ';'), or -1. */
static int id_key(const char *s)
{
    for (size_t k = 0; k < N_ID_KEYS; k++)
        if (strncmp(s, id_keys[k].key, strlen(id_keys[k].key)) == 0)
            return (int)k;
    return -1;
}

/* Where the identifiers start: the first ';' that begins one and is not
 * escaped (a CPE value may hold "\;"); NULL when there are none. */
static const char *ids_start(const char *spec)
{
    for (const char *s = strchr(spec, ';'); s; s = strchr(s + 1, ';'))
        if ((s == spec || s[-1] != '\\') && id_key(s + 1) >= 0)
            return s;
    return NULL;
}

/* Reads ";key=value" items into p. */
static int parse_ids(const char *s, ts_platform_t *p, char *err, size_t errsize)
{
    while (*s == ';') {
        int k = id_key(s + 1);
        if (k < 0) {
            ts_seterr(err, errsize, "unknown identifier \"%.20s\" (model=, sku=, serial=)", s + 1);
            return TS_EINVAL;
        }
        const char *v = s + 1 + strlen(id_keys[k].key), *end = strchr(v, ';');
        size_t n = end ? (size_t)(end - v) : strlen(v);
        while (n && v[0] == ' ') {
            v++;
            n--;
        }
        while (n && v[n - 1] == ' ')
            n--;
        char *dst = (char *)p + id_keys[k].off;
        if (n == 0 || n >= TS_PLATFORM_ID_MAX || dst[0]) {
            ts_seterr(err, errsize, "identifier %.*s%s", (int)strlen(id_keys[k].key) - 1,
                      id_keys[k].key,
                      dst[0]   ? " given twice"
                      : n == 0 ? " is empty"
                               : " longer than 64 bytes");
            return TS_EINVAL;
        }
        memcpy(dst, v, n);
        dst[n] = '\0';
        s = end ? end : v + n + strlen(v + n);
    }
    return 0;
}

bool ts_platform_has_ids(const ts_platform_t *p)
{
    return p->model[0] || p->sku[0] || p->serial[0];
}

/* Appends the identifiers to the canonical spec. */
static int ids_canonical(ts_platform_t *p, char *err, size_t errsize)
{
    size_t n = strlen(p->spec);
    for (size_t k = 0; k < N_ID_KEYS; k++) {
        const char *v = (const char *)p + id_keys[k].off;
        if (v[0] == '\0')
            continue;
        int w = snprintf(p->spec + n, sizeof p->spec - n, ";%s%s", id_keys[k].key, v);
        if (w < 0 || (size_t)w >= sizeof p->spec - n) {
            ts_seterr(err, errsize, "platform longer than %d bytes", TS_PLATFORM_SPEC_MAX - 1);
            return TS_ETOOBIG;
        }
        n += (size_t)w;
    }
    return 0;
}

int ts_platform_parse(const char *spec, ts_platform_t *out, char *err, size_t errsize)
{
    if (spec == NULL || out == NULL) {
        ts_seterr(err, errsize, "no platform given");
        return TS_EINVAL;
    }
    memset(out, 0, sizeof *out);
    size_t n = strlen(spec);
    if (n == 0) {
        ts_seterr(err, errsize, "empty platform");
        return TS_EINVAL;
    }
    if (n >= TS_PLATFORM_SPEC_MAX) {
        ts_seterr(err, errsize, "platform longer than %d bytes", TS_PLATFORM_SPEC_MAX - 1);
        return TS_ETOOBIG;
    }
    if (has_ctl(spec)) {
        ts_seterr(err, errsize, "control character in platform");
        return TS_EINVAL;
    }
    char base[TS_PLATFORM_SPEC_MAX];
    const char *ids = ids_start(spec);
    size_t bn = ids ? (size_t)(ids - spec) : n; /* < n < TS_PLATFORM_SPEC_MAX */
    memcpy(base, spec, bn);
    base[bn] = '\0';
    int r = ids ? parse_ids(ids, out, err, errsize) : 0;
    if (r == 0 && strncmp(base, "cpe:", 4) == 0)
        r = parse_cpe(base, out, err, errsize);
    else if (r == 0 && strncmp(base, "pkg:", 4) == 0)
        r = parse_purl(base, out, err, errsize);
    else if (r == 0)
        r = parse_name(base, out, err, errsize);
    if (r == 0 && ids && out->vendor_family) {
        ts_seterr(err, errsize, "a vendor family (vendor:*) takes no model, SKU or serial number");
        r = TS_EINVAL;
    }
    if (r == 0)
        r = ids_canonical(out, err, errsize);
    if (r)
        memset(out, 0, sizeof *out);
    return r;
}

const char *ts_platform_kind_name(const ts_platform_t *p)
{
    switch (p->kind) {
    case TS_PLAT_CPE:
        return "cpe";
    case TS_PLAT_PURL:
        return "purl";
    default:
        return p->family ? "family" : "name";
    }
}
