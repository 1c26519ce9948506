/* SPDX-License-Identifier: Apache-2.0 */
/* IntelMQ events as JSON lines: one object with flat dotted keys, as
 * IntelMQ's file output writes them.
 *
 * Decisions:
 * - Types follow the harmonisation: ports and ASNs must be JSON integers
 *   (ports 0-65535, ASNs 0-4294967295), everything else we keep is a string.
 *   null and "" mean absent, as Message.add() ignores them.
 * - "__type" must be "Event" when present; "raw" is dropped (the quarantine
 *   keeps the whole line when a record is refused).
 * - classification.type goes through ts_type_lookup (legacy names mapped); an
 *   unknown type is an error, a missing one is undetermined. Like IntelMQ's
 *   taxonomy expert we do not reject an inconsistent classification.taxonomy;
 *   because our event derives the taxonomy from the type, a given taxonomy
 *   that differs is kept as extra "classification.taxonomy" so nothing is
 *   lost. An unknown taxonomy name is an error.
 * - "extra.K": extra K; "extra": {...}: each member becomes extra K; any other
 *   key we do not model (malware.name, feed.url, ...) goes to extra under its
 *   full name. More than TS_EVENT_EXTRA_MAX extra keys is TS_ETOOBIG: the
 *   record goes to quarantine rather than silently losing fields.
 * - source.network / destination.network: a CIDR prefix with host bits zero
 *   (IntelMQ's IPNetwork refuses others too). Without an ip on that side it
 *   is what the event is about (a blocklist's netblock) and routes to every
 *   site owning part of it; with one, it is the ip's announced prefix and
 *   stays context (event.h).
 * - tlp: a TLP label as core/tlp.h reads it (WHITE is CLEAR); anything else
 *   is refused, since a wrong label would share what must not be.
 * - fqdn values are lower-cased and lose a trailing dot; transport and
 *   application are lower-cased (LowercaseString in IntelMQ).
 * - At least one of source/destination ip, network, fqdn, asn or url is
 *   required.
 * - Duplicate keys: the last occurrence wins. */
#include <stdio.h>
#include <string.h>

#include "core/jsonscan.h"
#include "ingest/parser.h"
#include "ingest/parser_int.h"

#define KEY_IS(k, lit) ((k).len == sizeof(lit) - 1 && memcmp((k).ptr, lit, sizeof(lit) - 1) == 0)
#define KEY_MAX 256

static bool absent(const ts_jscan_val_t *v)
{
    return v->type == TS_JSCAN_NULL || (v->type == TS_JSCAN_STRING && v->raw.len == 2);
}

static int get_str(ts_arena_t *a, const ts_jscan_val_t *v, ts_str_t key, bool lower, ts_str_t *out,
                   ts_parse_error_t *err)
{
    char field[80];
    size_t n = key.len < sizeof field - 1 ? key.len : sizeof field - 1;
    memcpy(field, key.ptr, n);
    field[n] = '\0';
    return ts_pstr(a, v, field, lower, out, err);
}

static int get_time(const ts_jscan_val_t *v, ts_str_t key, int64_t *out, ts_parse_error_t *err)
{
    char buf[64];
    ts_str_t s;
    int rc = ts_pstr_small(v, buf, sizeof buf, &s);
    if (rc == TS_ETYPE)
        return ts_perr(err, TS_ETYPE, "%.*s: expected a string, got %s", (int)key.len, key.ptr,
                       ts_jscan_type_name(v->type));
    if (rc != 0 || ts_time_parse(s.ptr, s.len, out) != 0)
        return ts_perr(err, TS_EINVAL, "%.*s: not a valid time", (int)key.len, key.ptr);
    return 0;
}

/* An address into *ip, or with net a network "ADDRESS/LENGTH" into *net. */
static int get_addr(const ts_jscan_val_t *v, ts_str_t key, ts_ip_t *ip, ts_prefix_t *net,
                    ts_parse_error_t *err)
{
    char buf[TS_IP_STRLEN];
    ts_str_t s;
    int rc = ts_pstr_small(v, buf, sizeof buf, &s);
    if (rc == TS_ETYPE)
        return ts_perr(err, TS_ETYPE, "%.*s: expected a string, got %s", (int)key.len, key.ptr,
                       ts_jscan_type_name(v->type));
    if (net == NULL && (rc != 0 || ts_ip_parse(s.ptr, s.len, ip) != 0))
        return ts_perr(err, TS_EADDR, "%.*s: not an IP address", (int)key.len, key.ptr);
    if (net != NULL &&
        (rc != 0 || memchr(s.ptr, '/', s.len) == NULL || ts_prefix_parse(s.ptr, s.len, net) != 0))
        return ts_perr(err, TS_EADDR, "%.*s: not a network (ADDRESS/LENGTH, host bits zero)",
                       (int)key.len, key.ptr);
    return 0;
}

static int get_asn(const ts_jscan_val_t *v, ts_str_t key, int64_t *out, ts_parse_error_t *err)
{
    if (v->type != TS_JSCAN_NUMBER || !v->integer)
        return ts_perr(err, TS_ETYPE, "%.*s: expected an integer, got %s", (int)key.len, key.ptr,
                       v->type == TS_JSCAN_NUMBER ? "a fraction" : ts_jscan_type_name(v->type));
    int64_t x;
    if (ts_jscan_int64(v, &x) != 0 || x < 0 || x > 4294967295LL)
        return ts_perr(err, TS_ERANGE, "%.*s: ASN outside 0-4294967295", (int)key.len, key.ptr);
    *out = x;
    return 0;
}

static int get_fqdn(ts_arena_t *a, const ts_jscan_val_t *v, ts_str_t key, ts_str_t *out,
                    ts_parse_error_t *err)
{
    ts_str_t s;
    int rc = get_str(a, v, key, true, &s, err);
    if (rc != 0)
        return rc;
    if (s.len > 0 && s.ptr[s.len - 1] == '.')
        s.len--;
    if (s.len == 0)
        return ts_perr(err, TS_EINVAL, "%.*s: empty name", (int)key.len, key.ptr);
    *out = s;
    return 0;
}

/* Fields of one endpoint; suffix is the key after "source." / "destination.". */
static int endpoint_field(ts_arena_t *a, ts_endpoint_t *ep, ts_str_t suffix, ts_str_t key,
                          const ts_jscan_val_t *v, ts_parse_error_t *err, bool *handled)
{
    *handled = true;
    if (KEY_IS(suffix, "ip"))
        return get_addr(v, key, &ep->ip, NULL, err);
    if (KEY_IS(suffix, "port")) {
        char field[32];
        snprintf(field, sizeof field, "%.*s", (int)key.len, key.ptr);
        return ts_pport(v, field, &ep->port, err);
    }
    if (KEY_IS(suffix, "asn"))
        return get_asn(v, key, &ep->asn, err);
    if (KEY_IS(suffix, "fqdn"))
        return get_fqdn(a, v, key, &ep->fqdn, err);
    if (KEY_IS(suffix, "url"))
        return get_str(a, v, key, false, &ep->url, err);
    if (KEY_IS(suffix, "network"))
        return get_addr(v, key, NULL, &ep->network, err);
    *handled = false;
    return 0;
}

struct state {
    bool have_tax;
    ts_taxonomy_t tax;
};

static int member(ts_arena_t *a, ts_event_t *e, struct state *st, const ts_jscan_iter_t *top,
                  ts_str_t key, const ts_jscan_val_t *v, ts_parse_error_t *err);

static int extra_object(ts_arena_t *a, ts_event_t *e, const ts_jscan_iter_t *top,
                        const ts_jscan_val_t *v, ts_parse_error_t *err)
{
    ts_jscan_iter_t it;
    if (v->type != TS_JSCAN_OBJECT || ts_jscan_enter(top, v, &it) != 0)
        return ts_perr(err, TS_ETYPE, "extra: expected an object, got %s",
                       ts_jscan_type_name(v->type));
    ts_jscan_key_t k;
    ts_jscan_val_t m;
    int rc;
    while ((rc = ts_jscan_object_next(&it, &k, &m)) == 1) {
        ts_str_t key;
        if (!k.escaped) {
            key = ts_arena_strdup(a, k.raw);
        } else {
            char *buf = ts_arena_alloc(a, k.raw.len + 1);
            size_t n;
            if (ts_jscan_unescape(k.raw.ptr, k.raw.len, buf, k.raw.len, &n) != 0)
                return ts_perr(err, TS_EINVAL, "extra: bad key");
            buf[n] = '\0';
            key = ts_str(buf, n);
        }
        if (key.len == 0 || key.len > KEY_MAX)
            return ts_perr(err, TS_EINVAL, "extra: key empty or longer than %d bytes", KEY_MAX);
        if ((rc = ts_pextra(a, e, key, &m, err)) != 0)
            return rc;
    }
    return rc < 0 ? ts_perr_json(err, &it) : 0;
}

static int member(ts_arena_t *a, ts_event_t *e, struct state *st, const ts_jscan_iter_t *top,
                  ts_str_t key, const ts_jscan_val_t *v, ts_parse_error_t *err)
{
    int rc;
    if (KEY_IS(key, "raw"))
        return 0;
    if (KEY_IS(key, "__type")) {
        ts_str_t s;
        char buf[16];
        if (ts_pstr_small(v, buf, sizeof buf, &s) != 0 || !KEY_IS(s, "Event"))
            return ts_perr(err, TS_EINVAL, "__type: not \"Event\"");
        return 0;
    }
    if (KEY_IS(key, "extra"))
        return extra_object(a, e, top, v, err);
    if (key.len > 6 && memcmp(key.ptr, "extra.", 6) == 0) {
        ts_str_t k = ts_arena_strdup(a, ts_str(key.ptr + 6, key.len - 6));
        return ts_pextra(a, e, k, v, err);
    }
    if (absent(v))
        return 0;
    if (key.len > 7 && memcmp(key.ptr, "source.", 7) == 0) {
        bool handled;
        rc = endpoint_field(a, &e->src, ts_str(key.ptr + 7, key.len - 7), key, v, err, &handled);
        if (handled)
            return rc;
    } else if (key.len > 12 && memcmp(key.ptr, "destination.", 12) == 0) {
        bool handled;
        rc = endpoint_field(a, &e->dst, ts_str(key.ptr + 12, key.len - 12), key, v, err, &handled);
        if (handled)
            return rc;
    } else if (KEY_IS(key, "time.source")) {
        return get_time(v, key, &e->time_source, err);
    } else if (KEY_IS(key, "time.observation")) {
        return get_time(v, key, &e->time_observation, err);
    } else if (KEY_IS(key, "classification.type")) {
        char buf[64];
        ts_str_t s;
        rc = ts_pstr_small(v, buf, sizeof buf, &s);
        if (rc == TS_ETYPE)
            return ts_perr(err, rc, "classification.type: expected a string, got %s",
                           ts_jscan_type_name(v->type));
        if (rc != 0 || ts_type_lookup(s.ptr, s.len, &e->type) != 0)
            return ts_perr(err, TS_EINVAL, "classification.type: not an RSIT type");
        return 0;
    } else if (KEY_IS(key, "classification.taxonomy")) {
        char buf[64];
        ts_str_t s;
        rc = ts_pstr_small(v, buf, sizeof buf, &s);
        if (rc == TS_ETYPE)
            return ts_perr(err, rc, "classification.taxonomy: expected a string, got %s",
                           ts_jscan_type_name(v->type));
        if (rc != 0 || ts_taxonomy_lookup(s.ptr, s.len, &st->tax) != 0)
            return ts_perr(err, TS_EINVAL, "classification.taxonomy: not an RSIT taxonomy");
        st->have_tax = true;
        return 0;
    } else if (KEY_IS(key, "classification.identifier")) {
        return get_str(a, v, key, false, &e->identifier, err);
    } else if (KEY_IS(key, "event_description.text")) {
        return get_str(a, v, key, false, &e->description, err);
    } else if (KEY_IS(key, "protocol.transport")) {
        return get_str(a, v, key, true, &e->transport, err);
    } else if (KEY_IS(key, "protocol.application")) {
        return get_str(a, v, key, true, &e->application, err);
    } else if (KEY_IS(key, "feed.name")) {
        return get_str(a, v, key, false, &e->feed_name, err);
    } else if (KEY_IS(key, "feed.provider")) {
        return get_str(a, v, key, false, &e->feed_provider, err);
    } else if (KEY_IS(key, "tlp")) {
        char buf[32];
        ts_str_t s;
        rc = ts_pstr_small(v, buf, sizeof buf, &s);
        if (rc == TS_ETYPE)
            return ts_perr(err, rc, "tlp: expected a string, got %s", ts_jscan_type_name(v->type));
        if (rc != 0 || ts_tlp_parse(s.ptr, s.len, &e->tlp) != 0)
            return ts_perr(err, TS_EINVAL,
                           "tlp: not a TLP label (CLEAR, GREEN, AMBER, "
                           "AMBER+STRICT, RED)");
        return 0;
    }
    /* A field we do not model: keep it under its full name. */
    if (key.len == 0 || key.len > KEY_MAX)
        return ts_perr(err, TS_EINVAL, "key empty or longer than %d bytes", KEY_MAX);
    return ts_pextra(a, e, ts_arena_strdup(a, key), v, err);
}

int ts_intelmq_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                     ts_parse_error_t *err)
{
    ts_jscan_iter_t it;
    if (ts_jscan_object_begin(&it, line, len) != 0)
        return ts_perr(err, TS_ESYNTAX, "not a JSON object");
    ts_event_init(out);
    struct state st = {0};
    ts_jscan_key_t k;
    ts_jscan_val_t v;
    char kb[KEY_MAX];
    int rc;
    while ((rc = ts_jscan_object_next(&it, &k, &v)) == 1) {
        ts_str_t key = k.raw;
        if (k.escaped) {
            size_t n;
            int urc = ts_jscan_unescape(k.raw.ptr, k.raw.len, kb, sizeof kb, &n);
            if (urc == TS_ETOOBIG)
                return ts_perr(err, TS_ETOOBIG, "key longer than %d bytes", KEY_MAX);
            if (urc != 0)
                return ts_perr(err, TS_EINVAL, "key contains U+0000");
            key = ts_str(kb, n);
        }
        if ((rc = member(arena, out, &st, &it, key, &v, err)) != 0)
            return rc;
    }
    if (rc < 0)
        return ts_perr_json(err, &it);

    if (st.have_tax && st.tax != ts_type_taxonomy(out->type)) {
        /* Keep the disagreeing taxonomy visible instead of dropping it. */
        const char *name = ts_taxonomy_name(st.tax);
        size_t n = strlen(name);
        char *json = ts_arena_alloc(arena, n + 3);
        json[0] = '"';
        memcpy(json + 1, name, n);
        json[n + 1] = '"';
        json[n + 2] = '\0';
        ts_jscan_val_t tv = {.type = TS_JSCAN_STRING, .raw = ts_str(json, n + 2)};
        if ((rc = ts_pextra(arena, out, TS_STR_LIT("classification.taxonomy"), &tv, err)) != 0)
            return rc;
    }
    const ts_endpoint_t *s = &out->src, *d = &out->dst;
    if (s->ip.family == TS_AF_NONE && d->ip.family == TS_AF_NONE && s->asn < 0 && d->asn < 0 &&
        ts_str_is_null(s->fqdn) && ts_str_is_null(d->fqdn) && ts_str_is_null(s->url) &&
        ts_str_is_null(d->url) && s->network.addr.family == TS_AF_NONE &&
        d->network.addr.family == TS_AF_NONE)
        return ts_perr(err, TS_EMISSING,
                       "no source or destination ip, network, fqdn, asn or url: nothing to route");
    return TS_PARSE_EVENT;
}
