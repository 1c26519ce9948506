/* SPDX-License-Identifier: Apache-2.0 */
/* RDAP answers and bootstrap files (rdap.h). */
#include "directory/rdap.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/ip.h"
#include "core/json.h"
#include "route/constituency.h"

#define JSON_DEPTH 64 /* a jCard inside entities TS_RDAP_ENTITY_DEPTH deep fits */

static int parse(const char *json, size_t len, size_t max, ts_json_t **doc, char *err,
                 size_t errsize)
{
    int r = ts_json_parse(json, len, max, JSON_DEPTH, 0, doc, err, errsize);
    if (r == 0 && !json_object_is_type(*doc, json_type_object)) {
        snprintf(err, errsize, "the answer is not a JSON object");
        ts_json_free(*doc);
        *doc = NULL;
        r = TS_ETYPE;
    }
    return r;
}

static const char *member_str(ts_json_t *obj, const char *key)
{
    ts_json_t *v;
    if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool has_role(ts_json_t *entity, const char *role)
{
    ts_json_t *roles;
    if (!json_object_object_get_ex(entity, "roles", &roles) ||
        !json_object_is_type(roles, json_type_array))
        return false;
    size_t n = json_object_array_length(roles);
    for (size_t i = 0; i < n; i++) {
        ts_json_t *r = json_object_array_get_idx(roles, i);
        if (json_object_is_type(r, json_type_string) &&
            strcmp(json_object_get_string(r), role) == 0)
            return true;
    }
    return false;
}

/* The first valid "email" property of a jCard: ["vcard", [[name, params,
 * type, value], ...]]. */
static bool vcard_email(ts_json_t *entity, char *out, size_t size)
{
    ts_json_t *vc, *props;
    if (!json_object_object_get_ex(entity, "vcardArray", &vc) ||
        !json_object_is_type(vc, json_type_array) || json_object_array_length(vc) < 2)
        return false;
    props = json_object_array_get_idx(vc, 1);
    if (!json_object_is_type(props, json_type_array))
        return false;
    size_t n = json_object_array_length(props);
    for (size_t i = 0; i < n && i < 256; i++) {
        ts_json_t *p = json_object_array_get_idx(props, i);
        if (!json_object_is_type(p, json_type_array) || json_object_array_length(p) < 4)
            continue;
        ts_json_t *name = json_object_array_get_idx(p, 0);
        ts_json_t *val = json_object_array_get_idx(p, 3);
        if (!json_object_is_type(name, json_type_string) ||
            strcmp(json_object_get_string(name), "email") != 0 ||
            !json_object_is_type(val, json_type_string))
            continue;
        const char *s = json_object_get_string(val);
        size_t len = (size_t)json_object_get_string_len(val);
        if (len < size && ts_addr_check(s, len, NULL, NULL, 0) == 0) {
            memcpy(out, s, len + 1);
            return true;
        }
    }
    return false;
}

struct walk {
    ts_rdap_abuse_t *out;
    size_t seen;
    int best; /* depth of the answer kept, 0: none */
    bool too_deep, too_many;
};

static void walk_entities(ts_json_t *obj, int depth, struct walk *w)
{
    ts_json_t *ents;
    if (!json_object_object_get_ex(obj, "entities", &ents) ||
        !json_object_is_type(ents, json_type_array))
        return;
    if (depth > TS_RDAP_ENTITY_DEPTH) {
        w->too_deep = true;
        return;
    }
    size_t n = json_object_array_length(ents);
    for (size_t i = 0; i < n; i++) {
        ts_json_t *e = json_object_array_get_idx(ents, i);
        if (!json_object_is_type(e, json_type_object))
            continue;
        if (++w->seen > TS_RDAP_ENTITIES_MAX) {
            w->too_many = true;
            return;
        }
        if ((w->best == 0 || depth < w->best) && has_role(e, "abuse") &&
            vcard_email(e, w->out->email, sizeof w->out->email)) {
            const char *h = member_str(e, "handle");
            snprintf(w->out->entity, sizeof w->out->entity, "%s", h ? h : "");
            w->out->depth = w->best = depth;
        }
        /* Deeper entities cannot beat one found at this depth. */
        if (w->best == 0 || depth + 1 < w->best)
            walk_entities(e, depth + 1, w);
    }
}

int ts_rdap_abuse(const char *json, size_t len, ts_rdap_abuse_t *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    ts_json_t *doc = NULL;
    int r = parse(json, len, TS_RDAP_MAX, &doc, err, errsize);
    if (r)
        return r;
    const char *h = member_str(doc, "handle");
    snprintf(out->object, sizeof out->object, "%s", h ? h : "");
    struct walk w = {.out = out};
    walk_entities(doc, 1, &w);
    ts_json_free(doc);
    if (w.best)
        return 0;
    if (w.too_deep) {
        snprintf(err, errsize, "entities nested deeper than %d", TS_RDAP_ENTITY_DEPTH);
        return TS_EDEPTH;
    }
    if (w.too_many) {
        snprintf(err, errsize, "more than %d entities", TS_RDAP_ENTITIES_MAX);
        return TS_ETOOBIG;
    }
    snprintf(err, errsize, "no entity with the role abuse and an e-mail address");
    return TS_ENOENT;
}

/* ---- Bootstrap ------------------------------------------------------------------- */

/* How well entry matches query: -1 not at all, else a length (longer wins). */
static int match(ts_rdap_kind_t kind, const char *entry, const char *query)
{
    size_t n = strlen(entry);
    if (kind == TS_RDAP_IP) {
        ts_prefix_t p, q;
        if (ts_prefix_parse(entry, n, &p) != 0 || ts_prefix_parse(query, strlen(query), &q) != 0)
            return -1;
        return ts_prefix_covers(&p, &q) ? p.len : -1;
    }
    if (kind == TS_RDAP_ASN) {
        char *end;
        unsigned long long lo = strtoull(entry, &end, 10), hi = lo;
        if (*end == '-')
            hi = strtoull(end + 1, &end, 10);
        if (*end != '\0' || end == entry)
            return -1;
        unsigned long long asn = strtoull(query, NULL, 10);
        return asn >= lo && asn <= hi ? 1 : -1;
    }
    /* A label suffix: "example.org" under "org". */
    size_t qn = strlen(query);
    if (n == 0 || n > qn || strcasecmp(query + qn - n, entry) != 0)
        return -1;
    return qn == n || query[qn - n - 1] == '.' ? (int)n : -1;
}

static bool entry_ok(ts_rdap_kind_t kind, const char *entry, bool v6)
{
    size_t n = strlen(entry);
    if (kind == TS_RDAP_IP) {
        ts_prefix_t p;
        return ts_prefix_parse(entry, n, &p) == 0 &&
               p.addr.family == (v6 ? TS_AF_INET6 : TS_AF_INET);
    }
    if (kind == TS_RDAP_ASN)
        return n > 0 && strspn(entry, "0123456789-") == n;
    char buf[TS_DOMAIN_MAX + 1];
    return ts_domain_normalize(entry, n, buf, NULL) == 0;
}

static int walk_boot(const char *json, size_t len, ts_rdap_kind_t kind, bool v6, const char *query,
                     char *url, size_t urlsize, char *err, size_t errsize)
{
    ts_json_t *doc = NULL, *services;
    int r = ts_json_parse(json, len, TS_RDAP_BOOT_MAX, JSON_DEPTH, 0, &doc, err, errsize);
    if (r)
        return r;
    if (!json_object_is_type(doc, json_type_object) ||
        !json_object_object_get_ex(doc, "services", &services) ||
        !json_object_is_type(services, json_type_array)) {
        snprintf(err, errsize, "not a bootstrap file: no \"services\" array");
        ts_json_free(doc);
        return TS_ETYPE;
    }
    int best = -1;
    size_t n = json_object_array_length(services);
    for (size_t i = 0; r == 0 && i < n; i++) {
        ts_json_t *svc = json_object_array_get_idx(services, i);
        bool pair = json_object_is_type(svc, json_type_array) && json_object_array_length(svc) >= 2;
        ts_json_t *entries = pair ? json_object_array_get_idx(svc, 0) : NULL;
        ts_json_t *urls = pair ? json_object_array_get_idx(svc, 1) : NULL;
        if (!json_object_is_type(entries, json_type_array) ||
            !json_object_is_type(urls, json_type_array)) {
            snprintf(err, errsize, "services[%zu]: not [[entries], [urls]]", i);
            r = TS_ETYPE;
            break;
        }
        int here = -1;
        for (size_t j = 0; j < json_object_array_length(entries); j++) {
            ts_json_t *e = json_object_array_get_idx(entries, j);
            if (!json_object_is_type(e, json_type_string) ||
                !entry_ok(kind, json_object_get_string(e), v6)) {
                snprintf(err, errsize, "services[%zu]: entry %zu is not of this file's kind", i, j);
                r = TS_EINVAL;
                break;
            }
            int m = query ? match(kind, json_object_get_string(e), query) : -1;
            if (m > here)
                here = m;
        }
        if (r || here <= best)
            continue;
        /* https first (RFC 9224 section 3: clients should prefer it). */
        const char *pick = NULL;
        for (size_t j = 0; j < json_object_array_length(urls); j++) {
            ts_json_t *uv = json_object_array_get_idx(urls, j);
            const char *u =
                json_object_is_type(uv, json_type_string) ? json_object_get_string(uv) : NULL;
            if (u && strncmp(u, "https://", 8) == 0 && strlen(u) < TS_RDAP_URL_MAX) {
                pick = u;
                break;
            }
        }
        if (pick) {
            best = here;
            size_t ul = strlen(pick);
            snprintf(url, urlsize, "%s%s", pick, ul && pick[ul - 1] == '/' ? "" : "/");
        }
    }
    ts_json_free(doc);
    if (r == 0 && query && best < 0) {
        snprintf(err, errsize, "no RDAP service in the bootstrap file for %s", query);
        r = TS_ENOENT;
    }
    return r;
}

static int kind_of(const char *kind, ts_rdap_kind_t *k, bool *v6)
{
    *v6 = false;
    if (strcmp(kind, "ipv4") == 0)
        *k = TS_RDAP_IP;
    else if (strcmp(kind, "ipv6") == 0)
        *k = TS_RDAP_IP, *v6 = true;
    else if (strcmp(kind, "asn") == 0)
        *k = TS_RDAP_ASN;
    else if (strcmp(kind, "dns") == 0)
        *k = TS_RDAP_DOMAIN;
    else
        return TS_EINVAL;
    return 0;
}

int ts_rdap_boot_check(const char *json, size_t len, const char *kind, char *err, size_t errsize)
{
    ts_rdap_kind_t k;
    bool v6;
    char url[TS_RDAP_URL_MAX];
    if (kind == NULL || kind_of(kind, &k, &v6) != 0) {
        snprintf(err, errsize, "the kind is ipv4, ipv6, asn or dns");
        return TS_EINVAL;
    }
    return walk_boot(json, len, k, v6, NULL, url, sizeof url, err, errsize);
}

int ts_rdap_boot_find(const char *json, size_t len, ts_rdap_kind_t kind, const char *query,
                      char *url, size_t urlsize, char *err, size_t errsize)
{
    bool v6 = false;
    if (kind == TS_RDAP_IP) {
        ts_prefix_t q;
        if (ts_prefix_parse(query, strlen(query), &q) != 0)
            return TS_EINVAL;
        v6 = q.addr.family == TS_AF_INET6;
    }
    return walk_boot(json, len, kind, v6, query, url, urlsize, err, errsize);
}
