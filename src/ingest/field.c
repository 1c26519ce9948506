/* SPDX-License-Identifier: Apache-2.0 */
#include "ingest/field.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "ingest/parser_int.h"

static const struct {
    const char *name;
    ts_field_id_t id;
} names[] = {
    {"time.source", TS_F_TIME_SOURCE},
    {"time.observation", TS_F_TIME_OBSERVATION},
    {"classification.type", TS_F_TYPE},
    {"classification.taxonomy", TS_F_TAXONOMY},
    {"classification.identifier", TS_F_IDENTIFIER},
    {"event_description.text", TS_F_DESCRIPTION},
    {"source.ip", TS_F_SRC_IP},
    {"source.port", TS_F_SRC_PORT},
    {"source.asn", TS_F_SRC_ASN},
    {"source.fqdn", TS_F_SRC_FQDN},
    {"source.url", TS_F_SRC_URL},
    {"source.network", TS_F_SRC_NETWORK},
    {"destination.ip", TS_F_DST_IP},
    {"destination.port", TS_F_DST_PORT},
    {"destination.asn", TS_F_DST_ASN},
    {"destination.fqdn", TS_F_DST_FQDN},
    {"destination.url", TS_F_DST_URL},
    {"destination.network", TS_F_DST_NETWORK},
    {"protocol.transport", TS_F_TRANSPORT},
    {"protocol.application", TS_F_APPLICATION},
    {"feed.name", TS_F_FEED_NAME},
    {"feed.provider", TS_F_FEED_PROVIDER},
    {"tlp", TS_F_TLP},
};

static int lookup(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, name, n) == 0)
            return (int)names[i].id;
    return -1;
}

bool ts_field_modelled(const char *name, size_t n)
{
    return lookup(name, n) >= 0;
}

int ts_field_resolve(const char *name, size_t n, ts_field_t *out)
{
    if (n == 0)
        return TS_EINVAL;
    if (n >= 6 && memcmp(name, "extra.", 6) == 0) {
        if (n == 6)
            return TS_EINVAL;
        *out = (ts_field_t){TS_F_EXTRA, ts_str(name + 6, n - 6)};
        return 0;
    }
    int id = lookup(name, n);
    *out = (ts_field_t){id < 0 ? TS_F_EXTRA : (ts_field_id_t)id, ts_str(name, n)};
    return 0;
}

/* ---- extra values ---------------------------------------------------------- */

static int put_extra(ts_event_t *e, ts_str_t key, ts_str_t json, ts_parse_error_t *err)
{
    uint32_t i;
    for (i = 0; i < e->n_extra; i++)
        if (ts_str_eq(e->extra[i].key, key))
            break;
    if (i == e->n_extra) {
        if (e->n_extra >= TS_EVENT_EXTRA_MAX)
            return ts_perr(err, TS_ETOOBIG, "more than %d extra fields (at %.*s)",
                           TS_EVENT_EXTRA_MAX, (int)(key.len > 64 ? 64 : key.len), key.ptr);
        e->n_extra++;
    }
    e->extra[i].key = key;
    e->extra[i].value_json = json;
    return 0;
}

int ts_field_extra_text(ts_arena_t *a, ts_event_t *e, ts_str_t key, ts_str_t text,
                        ts_parse_error_t *err)
{
    if (text.len > TS_EVENT_STR_MAX)
        return ts_perr(err, TS_ETOOBIG, "%.*s: value longer than %d bytes",
                       (int)(key.len > 64 ? 64 : key.len), key.ptr, TS_EVENT_STR_MAX);
    const unsigned char *p = (const unsigned char *)text.ptr;
    size_t n = text.len, plain = 0;
    while (plain < n && p[plain] >= 0x20 && p[plain] < 0x80 && p[plain] != '"' && p[plain] != '\\')
        plain++;
    char *out;
    size_t len;
    if (plain == n) {
        out = ts_arena_alloc(a, n + 3);
        out[0] = '"';
        memcpy(out + 1, p, n);
        len = n + 1;
    } else {
        /* Worst case: a control byte as \u00XX (6), a bad byte as U+FFFD (3). */
        out = ts_arena_alloc(a, n * 6 + 3);
        out[0] = '"';
        memcpy(out + 1, p, plain);
        len = 1 + plain;
        for (size_t i = plain; i < n;) {
            unsigned char c = p[i];
            if (c == '"' || c == '\\') {
                out[len++] = '\\';
                out[len++] = (char)c;
                i++;
            } else if (c < 0x20) {
                len += (size_t)snprintf(out + len, 7, "\\u%04x", c);
                i++;
            } else if (c < 0x80) {
                out[len++] = (char)c;
                i++;
            } else {
                uint32_t cp;
                size_t k = ts_utf8_next(p + i, n - i, &cp);
                if (cp == TS_UTF8_BAD) {
                    memcpy(out + len, TS_UTF8_REPLACEMENT, 3);
                    len += 3;
                } else {
                    memcpy(out + len, p + i, k);
                    len += k;
                }
                i += k;
            }
        }
    }
    out[len++] = '"';
    out[len] = '\0';
    return put_extra(e, key, ts_str(out, len), err);
}

static int extra_value(ts_arena_t *a, ts_event_t *e, ts_str_t key, const ts_fvalue_t *v,
                       ts_parse_error_t *err)
{
    char num[40];
    int k;
    switch (v->kind) {
    case TS_FV_STR:
        return ts_field_extra_text(a, e, key, v->s, err);
    case TS_FV_INT: {
        /* Without printf: reports are mostly numbers. */
        char tmp[24];
        uint64_t x = v->i < 0 ? 0 - (uint64_t)v->i : (uint64_t)v->i;
        int t = 0;
        do
            tmp[t++] = (char)('0' + x % 10);
        while ((x /= 10) > 0);
        k = 0;
        if (v->i < 0)
            num[k++] = '-';
        while (t > 0)
            num[k++] = tmp[--t];
        break;
    }
    case TS_FV_FLOAT:
        if (!isfinite(v->d))
            return ts_perr(err, TS_ERANGE, "%.*s: not a finite number", (int)key.len, key.ptr);
        k = snprintf(num, sizeof num, "%.17g", v->d);
        break;
    case TS_FV_BOOL:
        k = snprintf(num, sizeof num, "%s", v->b ? "true" : "false");
        break;
    default:
        return TS_EINVAL;
    }
    return put_extra(e, key, ts_arena_strdup(a, ts_str(num, (size_t)k)), err);
}

/* ---- typed fields ------------------------------------------------------------ */

static int as_text(ts_arena_t *a, const ts_fvalue_t *v, bool lower, const char *what, ts_str_t *out,
                   ts_parse_error_t *err)
{
    char num[40];
    ts_str_t s = v->s;
    if (v->kind == TS_FV_INT)
        s = ts_str(num, (size_t)snprintf(num, sizeof num, "%" PRId64, v->i));
    else if (v->kind == TS_FV_FLOAT)
        s = ts_str(num, (size_t)snprintf(num, sizeof num, "%.17g", v->d));
    else if (v->kind == TS_FV_BOOL)
        s = ts_str_c(v->b ? "true" : "false");
    if (s.len > TS_EVENT_STR_MAX)
        return ts_perr(err, TS_ETOOBIG, "%s: longer than %d bytes", what, TS_EVENT_STR_MAX);
    if (memchr(s.ptr, '\0', s.len) != NULL)
        return ts_perr(err, TS_EINVAL, "%s: contains U+0000", what);
    ts_str_t c = ts_arena_strdup(a, s);
    if (lower)
        for (size_t i = 0; i < c.len; i++)
            if (c.ptr[i] >= 'A' && c.ptr[i] <= 'Z')
                ((char *)c.ptr)[i] = (char)(c.ptr[i] | 0x20);
    *out = c;
    return 0;
}

static int as_int(const ts_fvalue_t *v, int64_t lo, int64_t hi, const char *what, int64_t *out,
                  ts_parse_error_t *err)
{
    int64_t x = 0;
    if (v->kind == TS_FV_INT) {
        x = v->i;
    } else if (v->kind == TS_FV_STR) {
        if (v->s.len == 0 || v->s.len > 19)
            return ts_perr(err, TS_EINVAL, "%s: not an integer", what);
        for (size_t i = 0; i < v->s.len; i++) {
            if (v->s.ptr[i] < '0' || v->s.ptr[i] > '9')
                return ts_perr(err, TS_EINVAL, "%s: not an integer", what);
            x = x * 10 + (v->s.ptr[i] - '0');
        }
    } else {
        return ts_perr(err, TS_ETYPE, "%s: not an integer", what);
    }
    if (x < lo || x > hi)
        return ts_perr(err, TS_ERANGE, "%s: %" PRId64 " outside %" PRId64 "-%" PRId64, what, x, lo,
                       hi);
    *out = x;
    return 0;
}

static int as_ip(const ts_fvalue_t *v, const char *what, ts_ip_t *out, ts_parse_error_t *err)
{
    if (v->kind != TS_FV_STR || ts_ip_parse(v->s.ptr, v->s.len, out) != 0)
        return ts_perr(err, TS_EADDR, "%s: not an IP address", what);
    return 0;
}

static int as_net(const ts_fvalue_t *v, const char *what, ts_prefix_t *out, ts_parse_error_t *err)
{
    if (v->kind != TS_FV_STR || ts_prefix_parse(v->s.ptr, v->s.len, out) != 0)
        return ts_perr(err, TS_EADDR, "%s: not a network (ADDRESS/LENGTH, host bits zero)", what);
    return 0;
}

static int as_fqdn(ts_arena_t *a, const ts_fvalue_t *v, const char *what, ts_str_t *out,
                   ts_parse_error_t *err)
{
    if (v->kind != TS_FV_STR || !ts_pdns_name(v->s))
        return ts_perr(err, TS_EINVAL, "%s: not a host name", what);
    *out = ts_pdns_copy(a, v->s);
    return 0;
}

static int endpoint(ts_arena_t *a, ts_endpoint_t *ep, int which, const ts_fvalue_t *v,
                    const char *what, ts_parse_error_t *err)
{
    int64_t x;
    int rc;
    switch (which) {
    case 0:
        return as_ip(v, what, &ep->ip, err);
    case 1:
        if ((rc = as_int(v, 0, 65535, what, &x, err)) == 0)
            ep->port = (int32_t)x;
        return rc;
    case 2:
        if ((rc = as_int(v, 0, 4294967295LL, what, &x, err)) == 0)
            ep->asn = x;
        return rc;
    case 3:
        return as_fqdn(a, v, what, &ep->fqdn, err);
    case 4:
        return as_text(a, v, false, what, &ep->url, err);
    default:
        return as_net(v, what, &ep->network, err);
    }
}

int ts_field_set(ts_arena_t *a, ts_event_t *e, ts_fieldstate_t *st, const ts_field_t *f,
                 const ts_fvalue_t *v, const char *what, ts_parse_error_t *err)
{
    ts_str_t s;
    switch (f->id) {
    case TS_F_EXTRA:
        return extra_value(a, e, f->key, v, err);
    case TS_F_TIME_SOURCE:
    case TS_F_TIME_OBSERVATION: {
        int64_t us;
        if (v->kind != TS_FV_STR || ts_field_time(v->s.ptr, v->s.len, &us) != 0)
            return ts_perr(err, TS_EINVAL, "%s: not a valid time", what);
        if (f->id == TS_F_TIME_SOURCE)
            e->time_source = us;
        else
            e->time_observation = us;
        return 0;
    }
    case TS_F_TYPE:
        if (v->kind != TS_FV_STR || ts_type_lookup(v->s.ptr, v->s.len, &e->type) != 0)
            return ts_perr(err, TS_EINVAL, "%s: not an RSIT type", what);
        return 0;
    case TS_F_TAXONOMY:
        if (v->kind != TS_FV_STR || ts_taxonomy_lookup(v->s.ptr, v->s.len, &st->tax) != 0)
            return ts_perr(err, TS_EINVAL, "%s: not an RSIT taxonomy", what);
        st->have_tax = true;
        return 0;
    case TS_F_IDENTIFIER:
        return as_text(a, v, false, what, &e->identifier, err);
    case TS_F_DESCRIPTION:
        return as_text(a, v, false, what, &e->description, err);
    case TS_F_SRC_IP:
    case TS_F_SRC_PORT:
    case TS_F_SRC_ASN:
    case TS_F_SRC_FQDN:
    case TS_F_SRC_URL:
    case TS_F_SRC_NETWORK:
        return endpoint(a, &e->src, (int)(f->id - TS_F_SRC_IP), v, what, err);
    case TS_F_DST_IP:
    case TS_F_DST_PORT:
    case TS_F_DST_ASN:
    case TS_F_DST_FQDN:
    case TS_F_DST_URL:
    case TS_F_DST_NETWORK:
        return endpoint(a, &e->dst, (int)(f->id - TS_F_DST_IP), v, what, err);
    case TS_F_TRANSPORT:
        return as_text(a, v, true, what, &e->transport, err);
    case TS_F_APPLICATION:
        return as_text(a, v, true, what, &e->application, err);
    case TS_F_FEED_NAME:
        return as_text(a, v, false, what, &e->feed_name, err);
    case TS_F_FEED_PROVIDER:
        return as_text(a, v, false, what, &e->feed_provider, err);
    case TS_F_TLP:
        s = v->kind == TS_FV_STR ? v->s : ts_str_c("");
        if (ts_tlp_parse(s.ptr, s.len, &e->tlp) != 0)
            return ts_perr(err, TS_EINVAL, "%s: not a TLP label", what);
        return 0;
    }
    return ts_perr(err, TS_EINVAL, "%s: unknown field", what);
}

int ts_field_finish(ts_arena_t *a, ts_event_t *e, const ts_fieldstate_t *st, ts_parse_error_t *err)
{
    if (st->have_tax && st->tax != ts_type_taxonomy(e->type)) {
        int rc = ts_field_extra_text(a, e, TS_STR_LIT("classification.taxonomy"),
                                     ts_str_c(ts_taxonomy_name(st->tax)), err);
        if (rc)
            return rc;
    }
    const ts_endpoint_t *s = &e->src, *d = &e->dst;
    if (s->ip.family == TS_AF_NONE && d->ip.family == TS_AF_NONE && s->asn < 0 && d->asn < 0 &&
        ts_str_is_null(s->fqdn) && ts_str_is_null(d->fqdn) && ts_str_is_null(s->url) &&
        ts_str_is_null(d->url) && s->network.addr.family == TS_AF_NONE &&
        d->network.addr.family == TS_AF_NONE && s->targets == NULL && d->targets == NULL)
        return ts_perr(err, TS_EMISSING,
                       "no source or destination ip, network, fqdn, asn or url: nothing to route");
    return 0;
}

/* ---- times --------------------------------------------------------------------- */

static int num(const char *s, size_t n, int *out)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *out = x;
    return n ? 0 : -1;
}

int ts_field_time(const char *s, size_t n, int64_t *us)
{
    if (ts_time_parse(s, n, us) == 0)
        return 0;
    /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (29 bytes). */
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (n != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s[19] != ':' || s[22] != ':' || s[25] != ' ' || memcmp(s + 26, "GMT", 3) != 0)
        return TS_EINVAL;
    int day, year, hh, mm, ss, mon = -1;
    for (int i = 0; i < 12; i++)
        if (strncmp(s + 8, months + 3 * i, 3) == 0)
            mon = i + 1;
    if (mon < 0 || num(s + 5, 2, &day) || num(s + 12, 4, &year) || num(s + 17, 2, &hh) ||
        num(s + 20, 2, &mm) || num(s + 23, 2, &ss))
        return TS_EINVAL;
    char iso[32];
    int k = snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, mon, day, hh, mm, ss);
    return ts_time_parse(iso, (size_t)k, us);
}
