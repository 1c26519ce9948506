/* SPDX-License-Identifier: Apache-2.0 */
#include "route/constituency.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/lpm.h"
#include "core/mem.h"

#define NONE UINT32_MAX
/* Indexes are uint32 so that a rule index fits an LPM value; TS_LPM_NONE and
 * NONE stay out of range. */
#define MAX_ITEMS (UINT32_MAX - 2)

/* ---- A small open-addressing hash table of indexes -------------------------
 * Entries are never removed (a constituency is built, then read), so linear
 * probing needs no tombstones. The full hash is kept to skip most compares
 * and to grow without rehashing keys. */

struct htab {
    uint64_t *hash;
    uint32_t *val; /* NONE = empty slot */
    size_t cap;    /* power of two, or 0 */
    size_t n;
};

typedef bool (*ht_eq)(const ts_constituency_t *c, uint32_t val, const void *key, size_t klen);

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h);
}

static uint64_t hash_i64(int64_t v)
{
    return mix64((uint64_t)v + 0x9e3779b97f4a7c15ULL);
}

static void ht_free(struct htab *h)
{
    free(h->hash);
    free(h->val);
}

static void ht_put_raw(struct htab *h, uint64_t hv, uint32_t v)
{
    size_t mask = h->cap - 1;
    size_t i = (size_t)hv & mask;
    while (h->val[i] != NONE)
        i = (i + 1) & mask;
    h->hash[i] = hv;
    h->val[i] = v;
}

static void ht_insert(struct htab *h, uint64_t hv, uint32_t v)
{
    if ((h->n + 1) * 2 > h->cap) {
        struct htab old = *h;
        h->cap = old.cap ? old.cap * 2 : 16;
        h->hash = ts_xmalloc(h->cap * sizeof *h->hash);
        h->val = ts_xmalloc(h->cap * sizeof *h->val);
        memset(h->val, 0xff, h->cap * sizeof *h->val);
        for (size_t i = 0; i < old.cap; i++)
            if (old.val[i] != NONE)
                ht_put_raw(h, old.hash[i], old.val[i]);
        ht_free(&old);
    }
    ht_put_raw(h, hv, v);
    h->n++;
}

static uint32_t ht_find(const struct htab *h, uint64_t hv, ht_eq eq, const ts_constituency_t *c,
                        const void *key, size_t klen)
{
    if (h->cap == 0)
        return NONE;
    size_t mask = h->cap - 1;
    for (size_t i = (size_t)hv & mask; h->val[i] != NONE; i = (i + 1) & mask)
        if (h->hash[i] == hv && eq(c, h->val[i], key, klen))
            return h->val[i];
    return NONE;
}

/* ---- The constituency ------------------------------------------------------ */

struct rule {
    uint32_t site;
    ts_rule_kind_t kind;
    char *text; /* ts_match_t.rule */
    ts_prefix_t net;
    int64_t asn;
};

struct site {
    int64_t id;
    int64_t parent_id;
    uint32_t parent; /* index, NONE for a root */
    char *name;
    uint32_t *rules;
    size_t nrules, caprules;
};

struct ts_constituency {
    struct site *sites;
    size_t nsites, capsites;
    struct htab by_name, by_id;
    struct rule *rules;
    size_t nrules, caprules;
    ts_lpm_t *lpm;
    struct htab by_asn, by_domain;
};

static bool eq_name(const ts_constituency_t *c, uint32_t v, const void *key, size_t klen)
{
    const char *n = c->sites[v].name;
    return strlen(n) == klen && memcmp(n, key, klen) == 0;
}

static bool eq_id(const ts_constituency_t *c, uint32_t v, const void *key, size_t klen)
{
    return c->sites[v].id == *(const int64_t *)key;
}

static bool eq_asn(const ts_constituency_t *c, uint32_t v, const void *key, size_t klen)
{
    return c->rules[v].asn == *(const int64_t *)key;
}

static bool eq_domain(const ts_constituency_t *c, uint32_t v, const void *key, size_t klen)
{
    const char *t = c->rules[v].text;
    return strlen(t) == klen && memcmp(t, key, klen) == 0;
}

ts_constituency_t *ts_constituency_new(void)
{
    ts_constituency_t *c = ts_xcalloc(1, sizeof *c);
    c->lpm = ts_lpm_new();
    return c;
}

void ts_constituency_free(ts_constituency_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nsites; i++) {
        free(c->sites[i].name);
        free(c->sites[i].rules);
    }
    free(c->sites);
    for (size_t i = 0; i < c->nrules; i++)
        free(c->rules[i].text);
    free(c->rules);
    ht_free(&c->by_name);
    ht_free(&c->by_id);
    ht_free(&c->by_asn);
    ht_free(&c->by_domain);
    ts_lpm_free(c->lpm);
    free(c);
}

static uint32_t site_by_id(const ts_constituency_t *c, int64_t id)
{
    return ht_find(&c->by_id, hash_i64(id), eq_id, c, &id, sizeof id);
}

static uint32_t site_by_name(const ts_constituency_t *c, const char *name, size_t len)
{
    return ht_find(&c->by_name, hash_bytes(name, len), eq_name, c, name, len);
}

bool ts_site_name_valid(const char *name)
{
    size_t n = 0;
    for (; name[n] != '\0'; n++) {
        char ch = name[n];
        if (n >= TS_SITE_NAME_MAX ||
            !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return n > 0;
}

int ts_constituency_add_site(ts_constituency_t *c, int64_t id, const char *name, int64_t parent_id)
{
    if (id <= 0 || parent_id < 0 || name == NULL || !ts_site_name_valid(name))
        return TS_EINVAL;
    size_t len = strlen(name);
    if (site_by_id(c, id) != NONE || site_by_name(c, name, len) != NONE)
        return TS_EEXIST;
    uint32_t parent = NONE;
    if (parent_id != 0) {
        parent = site_by_id(c, parent_id);
        if (parent == NONE)
            return TS_ENOENT;
    }
    if (c->nsites >= MAX_ITEMS)
        return TS_ETOOBIG;
    if (c->nsites == c->capsites) {
        c->capsites = c->capsites ? c->capsites * 2 : 16;
        c->sites = ts_xrealloc(c->sites, c->capsites * sizeof *c->sites);
    }
    uint32_t idx = (uint32_t)c->nsites++;
    c->sites[idx] = (struct site){
        .id = id, .parent_id = parent_id, .parent = parent, .name = ts_xstrndup(name, len)};
    ht_insert(&c->by_name, hash_bytes(name, len), idx);
    ht_insert(&c->by_id, hash_i64(id), idx);
    return 0;
}

/* Appends a rule for site s; the caller has checked for conflicts. */
static uint32_t push_rule(ts_constituency_t *c, uint32_t s, ts_rule_kind_t kind, char *text)
{
    if (c->nrules == c->caprules) {
        c->caprules = c->caprules ? c->caprules * 2 : 64;
        c->rules = ts_xrealloc(c->rules, c->caprules * sizeof *c->rules);
    }
    uint32_t r = (uint32_t)c->nrules++;
    c->rules[r] = (struct rule){.site = s, .kind = kind, .text = text};
    struct site *st = &c->sites[s];
    if (st->nrules == st->caprules) {
        st->caprules = st->caprules ? st->caprules * 2 : 4;
        st->rules = ts_xrealloc(st->rules, st->caprules * sizeof *st->rules);
    }
    st->rules[st->nrules++] = r;
    return r;
}

/* Common outcome of a claim that is already present as rule r. */
static int existing_claim(const ts_constituency_t *c, uint32_t s, uint32_t r, const char **holder)
{
    if (c->rules[r].site == s)
        return TS_EEXIST;
    if (holder != NULL)
        *holder = c->sites[c->rules[r].site].name;
    return TS_ECONFLICT;
}

static bool prefix_ok(const ts_prefix_t *p)
{
    unsigned bits;
    if (p->addr.family == TS_AF_INET)
        bits = 32;
    else if (p->addr.family == TS_AF_INET6)
        bits = 128;
    else
        return false;
    if (p->len > bits)
        return false;
    ts_prefix_t q = *p;
    return !ts_prefix_clear_host_bits(&q);
}

int ts_constituency_add_network(ts_constituency_t *c, int64_t site_id, const ts_prefix_t *net,
                                const char **holder)
{
    uint32_t s = site_by_id(c, site_id);
    if (s == NONE)
        return TS_ENOENT;
    if (!prefix_ok(net))
        return TS_EINVAL;
    if (c->nrules >= MAX_ITEMS)
        return TS_ETOOBIG;
    uint32_t existing = TS_LPM_NONE;
    int rc = ts_lpm_insert(c->lpm, net, (uint32_t)c->nrules, &existing);
    if (rc == TS_EEXIST)
        return existing < c->nrules ? existing_claim(c, s, existing, holder) : TS_EEXIST;
    if (rc != 0)
        return rc;
    char text[TS_IP_STRLEN];
    ts_prefix_format(net, text, sizeof text);
    uint32_t r = push_rule(c, s, TS_RULE_NETWORK, ts_xstrdup(text));
    c->rules[r].net = *net;
    return 0;
}

int ts_constituency_add_asn(ts_constituency_t *c, int64_t site_id, int64_t asn, const char **holder)
{
    uint32_t s = site_by_id(c, site_id);
    if (s == NONE)
        return TS_ENOENT;
    if (asn < 1 || asn > 4294967295LL)
        return TS_EINVAL;
    uint64_t hv = hash_i64(asn);
    uint32_t r = ht_find(&c->by_asn, hv, eq_asn, c, &asn, sizeof asn);
    if (r != NONE)
        return existing_claim(c, s, r, holder);
    if (c->nrules >= MAX_ITEMS)
        return TS_ETOOBIG;
    char text[24];
    snprintf(text, sizeof text, "AS%" PRId64, asn);
    r = push_rule(c, s, TS_RULE_ASN, ts_xstrdup(text));
    c->rules[r].asn = asn;
    ht_insert(&c->by_asn, hv, r);
    return 0;
}

int ts_domain_normalize(const char *s, size_t n, char *out, size_t *outlen)
{
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > TS_DOMAIN_MAX)
        return TS_EINVAL;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch == '.') {
            if (label == 0)
                return TS_EINVAL;
            label = 0;
        } else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_') {
            if (++label > 63)
                return TS_EINVAL;
        } else {
            return TS_EINVAL;
        }
        out[i] = ch;
    }
    if (label == 0)
        return TS_EINVAL;
    out[n] = '\0';
    if (outlen != NULL)
        *outlen = n;
    return 0;
}

int ts_constituency_add_domain(ts_constituency_t *c, int64_t site_id, const char *domain,
                               size_t len, const char **holder)
{
    uint32_t s = site_by_id(c, site_id);
    if (s == NONE)
        return TS_ENOENT;
    char norm[TS_DOMAIN_MAX + 1];
    size_t n;
    if (domain == NULL || ts_domain_normalize(domain, len, norm, &n) != 0)
        return TS_EINVAL;
    uint64_t hv = hash_bytes(norm, n);
    uint32_t r = ht_find(&c->by_domain, hv, eq_domain, c, norm, n);
    if (r != NONE)
        return existing_claim(c, s, r, holder);
    if (c->nrules >= MAX_ITEMS)
        return TS_ETOOBIG;
    r = push_rule(c, s, TS_RULE_DOMAIN, ts_xstrndup(norm, n));
    ht_insert(&c->by_domain, hv, r);
    return 0;
}

static int matched(const ts_constituency_t *c, uint32_t r, ts_match_t *m)
{
    const struct rule *ru = &c->rules[r];
    const struct site *s = &c->sites[ru->site];
    m->site_id = s->id;
    m->site_name = s->name;
    m->kind = ru->kind;
    m->rule = ru->text;
    return 0;
}

int ts_constituency_lookup_ip(ts_constituency_t *c, const ts_ip_t *ip, ts_match_t *m)
{
    if (ip->family != TS_AF_INET && ip->family != TS_AF_INET6)
        return TS_ENOENT;
    uint32_t r = ts_lpm_lookup(c->lpm, ip);
    if (r == TS_LPM_NONE || r >= c->nrules)
        return TS_ENOENT;
    return matched(c, r, m);
}

int ts_constituency_lookup_asn(ts_constituency_t *c, int64_t asn, ts_match_t *m)
{
    uint32_t r = ht_find(&c->by_asn, hash_i64(asn), eq_asn, c, &asn, sizeof asn);
    return r == NONE ? TS_ENOENT : matched(c, r, m);
}

int ts_constituency_lookup_domain(ts_constituency_t *c, const char *name, size_t len, ts_match_t *m)
{
    char norm[TS_DOMAIN_MAX + 1];
    size_t n;
    if (c->by_domain.n == 0 || name == NULL || ts_domain_normalize(name, len, norm, &n) != 0)
        return TS_ENOENT;
    /* Most specific first: the whole name, then each suffix after a dot. */
    size_t pos = 0;
    for (;;) {
        uint32_t r = ht_find(&c->by_domain, hash_bytes(norm + pos, n - pos), eq_domain, c,
                             norm + pos, n - pos);
        if (r != NONE)
            return matched(c, r, m);
        const char *dot = memchr(norm + pos, '.', n - pos);
        if (dot == NULL)
            return TS_ENOENT;
        pos = (size_t)(dot - norm) + 1;
    }
}

/* Host of a URL ("scheme://user@host:port/path"), brackets removed from an
 * IPv6 literal. Empty slice when there is none. */
static ts_str_t url_host(ts_str_t url)
{
    const char *p = url.ptr, *end = url.ptr + url.len;
    const char *sep = NULL;
    for (const char *q = p; q + 2 < end; q++) {
        if (*q == '/' || *q == '?' || *q == '#')
            break;
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            sep = q;
            break;
        }
    }
    if (sep != NULL)
        p = sep + 3;
    const char *e = p;
    while (e < end && *e != '/' && *e != '?' && *e != '#')
        e++;
    const char *at = NULL;
    for (const char *q = p; q < e; q++)
        if (*q == '@')
            at = q;
    if (at != NULL)
        p = at + 1;
    if (p < e && *p == '[') {
        const char *close = memchr(p, ']', (size_t)(e - p));
        return close ? ts_str(p + 1, (size_t)(close - p - 1)) : ts_str(p, 0);
    }
    const char *colon = memchr(p, ':', (size_t)(e - p));
    if (colon != NULL)
        e = colon;
    return ts_str(p, (size_t)(e - p));
}

static int endpoint_owner(ts_constituency_t *c, const ts_endpoint_t *ep, ts_match_t *m)
{
    if (ep->ip.family != TS_AF_NONE && ts_constituency_lookup_ip(c, &ep->ip, m) == 0)
        return 0;
    if (ep->asn > 0 && ts_constituency_lookup_asn(c, ep->asn, m) == 0)
        return 0;
    if (ep->fqdn.ptr != NULL)
        return ts_constituency_lookup_domain(c, ep->fqdn.ptr, ep->fqdn.len, m);
    if (ep->url.ptr != NULL && ep->url.len > 0) {
        ts_str_t host = url_host(ep->url);
        if (host.len == 0)
            return TS_ENOENT;
        ts_ip_t ip;
        if (ts_ip_parse(host.ptr, host.len, &ip) == 0)
            return ts_constituency_lookup_ip(c, &ip, m);
        return ts_constituency_lookup_domain(c, host.ptr, host.len, m);
    }
    return TS_ENOENT;
}

/* ---- Routing many targets ---------------------------------------------------- */

/* Addresses as numbers, IPv4 in the low 32 bits: range arithmetic on claims. */
typedef unsigned __int128 u128;

static u128 first_addr(const ts_prefix_t *p)
{
    u128 v = 0;
    size_t nb = p->addr.family == TS_AF_INET ? 4 : 16;
    for (size_t i = 0; i < nb; i++)
        v = v << 8 | p->addr.bytes[i];
    return v;
}

static u128 last_addr(const ts_prefix_t *p)
{
    unsigned host = (p->addr.family == TS_AF_INET ? 32u : 128u) - p->len;
    u128 mask = host >= 128 ? ~(u128)0 : ((u128)1 << host) - 1;
    return first_addr(p) | mask;
}

/* True if the claims in[0..n) (all inside r, sorted by ts_prefix_compare)
 * leave no address of r to r's own claim: their outermost ones tile r. */
static bool tiled(const ts_prefix_t *r, const ts_prefix_t *in, size_t n)
{
    u128 next = first_addr(r), end = last_addr(r);
    bool done = false;
    for (size_t i = 0; i < n;) {
        if (done || first_addr(&in[i]) != next)
            return false;
        u128 e = last_addr(&in[i]);
        if (e == end)
            done = true;
        else
            next = e + 1;
        /* What starts within in[i] is inside it: not an outermost claim. */
        for (i++; i < n && first_addr(&in[i]) <= e; i++)
            ;
    }
    return done;
}

/* A site's part of one entry of a side. */
struct share {
    uint32_t site, rule;
    uint32_t entry; /* 0: the side's ip (no part listed), then network, targets */
    bool whole;     /* part is the entry itself */
    ts_prefix_t part;
};

struct router {
    ts_constituency_t *c;
    struct share *sh;
    size_t n_sh, cap_sh;
    ts_prefix_t *in; /* claims inside the entry being walked */
    uint32_t *in_rule;
    size_t n_in, cap_in;
    uint8_t entry_len;
    uint32_t c0; /* most specific claim holding it, or NONE */
    ts_link_t *links;
    size_t n_links, cap_links;
};

static void add_share(struct router *r, uint32_t rule, uint32_t entry, bool whole,
                      const ts_prefix_t *part)
{
    if (r->n_sh == r->cap_sh) {
        r->cap_sh = r->cap_sh ? r->cap_sh * 2 : 64;
        r->sh = ts_xrealloc(r->sh, r->cap_sh * sizeof *r->sh);
    }
    r->sh[r->n_sh++] = (struct share){.site = r->c->rules[rule].site,
                                      .rule = rule,
                                      .entry = entry,
                                      .whole = whole,
                                      .part = *part};
}

/* The overlap walk reports the claims holding the entry shortest first (the
 * last one is the most specific), then those inside it in address order. */
static int on_overlap(const ts_prefix_t *q, uint32_t rule, void *ctx)
{
    struct router *r = ctx;
    if (rule >= r->c->nrules)
        return 0;
    if (q->len <= r->entry_len) {
        r->c0 = rule;
        return 0;
    }
    if (r->n_in == r->cap_in) {
        r->cap_in = r->cap_in ? r->cap_in * 2 : 64;
        r->in = ts_xrealloc(r->in, r->cap_in * sizeof *r->in);
        r->in_rule = ts_xrealloc(r->in_rule, r->cap_in * sizeof *r->in_rule);
    }
    r->in[r->n_in] = *q;
    r->in_rule[r->n_in++] = rule;
    return 0;
}

/* The owners of one entry of a side: see ts_constituency_route(). */
static void entry_owners(struct router *r, const ts_prefix_t *p, uint32_t entry)
{
    ts_constituency_t *c = r->c;
    unsigned bits = p->addr.family == TS_AF_INET ? 32 : 128;
    if (p->len == bits) {
        uint32_t rule = ts_lpm_lookup(c->lpm, &p->addr);
        if (rule != TS_LPM_NONE && rule < c->nrules)
            add_share(r, rule, entry, true, p);
        return;
    }
    r->n_in = 0;
    r->c0 = NONE;
    r->entry_len = p->len;
    if (ts_lpm_overlaps(c->lpm, p, on_overlap, r) != 0)
        return;
    if (r->c0 != NONE && !tiled(p, r->in, r->n_in))
        add_share(r, r->c0, entry, true, p);
    for (size_t i = 0; i < r->n_in; i++) {
        u128 e = last_addr(&r->in[i]);
        size_t j = i + 1;
        while (j < r->n_in && first_addr(&r->in[j]) <= e)
            j++;
        if (!tiled(&r->in[i], r->in + i + 1, j - i - 1))
            add_share(r, r->in_rule[i], entry, false, &r->in[i]);
    }
}

static int cmp_share(const void *pa, const void *pb, void *ctx)
{
    const struct share *a = pa, *b = pb;
    const ts_constituency_t *c = ctx;
    int64_t sa = c->sites[a->site].id, sb = c->sites[b->site].id;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (a->entry != b->entry)
        return a->entry < b->entry ? -1 : 1;
    return ts_prefix_compare(&a->part, &b->part); /* the rule kept: the lowest claim */
}

static ts_link_t *push_link(struct router *r)
{
    if (r->n_links == r->cap_links) {
        r->cap_links = r->cap_links ? r->cap_links * 2 : 8;
        r->links = ts_xrealloc(r->links, r->cap_links * sizeof *r->links);
    }
    ts_link_t *l = &r->links[r->n_links++];
    memset(l, 0, sizeof *l);
    return l;
}

/* One link per site of the shares found for a side, with its share. */
static void links_of_side(struct router *r, ts_role_t role, bool side_exact, ts_arena_t *a)
{
    ts_constituency_t *c = r->c;
    qsort_r(r->sh, r->n_sh, sizeof *r->sh, cmp_share, c);
    size_t made = 0;
    for (size_t i = 0; i < r->n_sh;) {
        size_t j = i + 1;
        while (j < r->n_sh && r->sh[j].site == r->sh[i].site)
            j++;
        if (made++ == TS_ROUTE_LINKS_MAX) {
            size_t more = 1;
            for (size_t k = j; k < r->n_sh; k++)
                more += r->sh[k].site != r->sh[k - 1].site;
            ts_log_warn("route: %zu more sites own part of one side of an event than the %d "
                        "links it may have; they are not linked",
                        more, TS_ROUTE_LINKS_MAX);
            break;
        }
        ts_link_t *l = push_link(r);
        l->role = role;
        (void)matched(c, r->sh[i].rule, &l->match); /* the first entry's rule */
        size_t listed = 0, entries = 0;
        bool whole = true;
        for (size_t k = i; k < j; k++) {
            if (r->sh[k].entry == 0)
                continue;
            listed++;
            whole = whole && r->sh[k].whole;
            entries += k == i || r->sh[k].entry != r->sh[k - 1].entry;
        }
        if (listed > 0) {
            ts_prefix_t *part = ts_arena_alloc(a, listed * sizeof *part);
            size_t n = 0;
            for (size_t k = i; k < j; k++)
                if (r->sh[k].entry != 0)
                    part[n++] = r->sh[k].part;
            n = ts_targets_normalize(part, n);
            size_t outer = ts_targets_drop_nested(part, n);
            bool exact = side_exact && whole && outer == n && n == entries;
            n = ts_targets_cover(part, outer, TS_TARGETS_MAX);
            l->own.list = part;
            l->own.n = (uint32_t)n;
            l->own.count = exact || (side_exact && entries > n) ? entries : 0;
        }
        i = j;
    }
    r->n_sh = 0;
}

static void route_side(struct router *r, const ts_endpoint_t *ep, ts_role_t role, ts_arena_t *a)
{
    bool net = ep->ip.family == TS_AF_NONE && ep->network.addr.family != TS_AF_NONE;
    if (!net && ep->targets == NULL) {
        ts_match_t m;
        if (endpoint_owner(r->c, ep, &m) == 0) {
            ts_link_t *l = push_link(r);
            l->role = role;
            l->match = m;
        }
        return;
    }
    if (ep->ip.family != TS_AF_NONE) {
        ts_prefix_t host = {.addr = ep->ip, .len = ep->ip.family == TS_AF_INET ? 32 : 128};
        entry_owners(r, &host, 0);
    }
    if (net)
        entry_owners(r, &ep->network, 1);
    uint32_t nt = ep->targets ? ep->targets->n : 0;
    for (uint32_t i = 0; i < nt && i < TS_TARGETS_INPUT_MAX; i++)
        entry_owners(r, &ep->targets->list[i], 2 + i);
    if (r->n_sh == 0) {
        ts_endpoint_t rest = *ep; /* its addresses have no owner: the ASN or name may */
        rest.ip.family = TS_AF_NONE;
        ts_match_t m;
        if (endpoint_owner(r->c, &rest, &m) == 0) {
            ts_link_t *l = push_link(r);
            l->role = role;
            l->match = m;
        }
        return;
    }
    bool exact = ep->targets == NULL || ts_targets_exact(ep->targets);
    links_of_side(r, role, exact, a);
}

int ts_constituency_route(ts_constituency_t *c, const ts_event_t *e, ts_arena_t *a,
                          ts_link_t **links)
{
    ts_match_t ms, md;
    *links = NULL;
    bool simple = e->src.targets == NULL && e->dst.targets == NULL &&
                  (e->src.ip.family != TS_AF_NONE || e->src.network.addr.family == TS_AF_NONE) &&
                  (e->dst.ip.family != TS_AF_NONE || e->dst.network.addr.family == TS_AF_NONE);
    if (simple) {
        /* One address or name per side, the common case: at most two links. */
        bool hs = endpoint_owner(c, &e->src, &ms) == 0, hd = endpoint_owner(c, &e->dst, &md) == 0;
        int n = hs + hd;
        if (n == 0)
            return 0;
        ts_link_t *l = ts_arena_alloc(a, (size_t)n * sizeof *l);
        memset(l, 0, (size_t)n * sizeof *l);
        if (hs)
            l[0] = (ts_link_t){.role = TS_ROLE_SOURCE, .match = ms};
        if (hd)
            l[hs] = (ts_link_t){.role = TS_ROLE_DESTINATION, .match = md};
        *links = l;
        return n;
    }
    struct router r = {.c = c};
    route_side(&r, &e->src, TS_ROLE_SOURCE, a);
    route_side(&r, &e->dst, TS_ROLE_DESTINATION, a);
    int n = (int)r.n_links;
    if (n > 0) {
        *links = ts_arena_alloc(a, r.n_links * sizeof **links);
        memcpy(*links, r.links, r.n_links * sizeof **links);
    }
    free(r.sh);
    free(r.in);
    free(r.in_rule);
    free(r.links);
    return n;
}

void ts_link_own(const ts_event_t *e, const ts_link_t *l, ts_prefix_t *one, ts_targets_t *out)
{
    memset(out, 0, sizeof *out);
    if (l->own.n > 0) {
        *out = l->own;
        return;
    }
    const ts_endpoint_t *ep = l->role == TS_ROLE_SOURCE ? &e->src : &e->dst;
    if (ep->ip.family != TS_AF_NONE) {
        *one = (ts_prefix_t){.addr = ep->ip, .len = ep->ip.family == TS_AF_INET ? 32 : 128};
    } else if (ep->network.addr.family != TS_AF_NONE) {
        *one = ep->network;
    } else {
        return;
    }
    *out = (ts_targets_t){one, 1, 1};
}

int ts_constituency_site_id(const ts_constituency_t *c, const char *name, int64_t *id)
{
    uint32_t s = name ? site_by_name(c, name, strlen(name)) : NONE;
    if (s == NONE)
        return TS_ENOENT;
    *id = c->sites[s].id;
    return 0;
}

const char *ts_constituency_site_name(const ts_constituency_t *c, int64_t id)
{
    uint32_t s = site_by_id(c, id);
    return s == NONE ? NULL : c->sites[s].name;
}

int ts_constituency_parent(const ts_constituency_t *c, int64_t id, int64_t *parent)
{
    uint32_t s = site_by_id(c, id);
    if (s == NONE)
        return TS_ENOENT;
    *parent = c->sites[s].parent_id;
    return 0;
}

size_t ts_constituency_site_count(const ts_constituency_t *c)
{
    return c->nsites;
}

size_t ts_constituency_claim_count(const ts_constituency_t *c)
{
    return c->nrules;
}

int ts_asn_parse(const char *s, size_t n, int64_t *asn)
{
    if (n >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) {
        s += 2;
        n -= 2;
    }
    /* 10 digits hold 4294967295; a leading zero is refused as a likely typo. */
    if (n == 0 || n > 10 || s[0] == '0')
        return TS_EINVAL;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return TS_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    if (v > 4294967295LL)
        return TS_EINVAL;
    *asn = v;
    return 0;
}

bool ts_constituency_is_ancestor(const ts_constituency_t *c, int64_t ancestor, int64_t id)
{
    uint32_t a = site_by_id(c, ancestor);
    if (a == NONE)
        return false;
    /* Parents exist before their children, so the chain is acyclic and ends. */
    for (uint32_t s = site_by_id(c, id); s != NONE; s = c->sites[s].parent)
        if (s == a)
            return true;
    return false;
}

/* ---- Walks ------------------------------------------------------------------ */

/* Merge sort of indexes with a context, since qsort has none; stable, and
 * O(n log n) whatever the input order. */
typedef int (*idx_cmp)(const ts_constituency_t *c, uint32_t a, uint32_t b);

static void sort_idx(const ts_constituency_t *c, uint32_t *idx, size_t n, idx_cmp cmp)
{
    if (n < 2)
        return;
    uint32_t *tmp = ts_xmalloc(n * sizeof *tmp);
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = cmp(c, idx[i], idx[j]) <= 0 ? idx[i++] : idx[j++];
            while (i < mid)
                tmp[k++] = idx[i++];
            while (j < hi)
                tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
    free(tmp);
}

static int site_cmp(const ts_constituency_t *c, uint32_t a, uint32_t b)
{
    return strcmp(c->sites[a].name, c->sites[b].name);
}

static void sort_sites(const ts_constituency_t *c, uint32_t *idx, size_t n)
{
    sort_idx(c, idx, n, site_cmp);
}

static void view_of(const ts_constituency_t *c, uint32_t s, unsigned depth, ts_site_view_t *v)
{
    const struct site *st = &c->sites[s];
    *v = (ts_site_view_t){st->id, st->parent_id, st->name, depth, st->nrules};
}

int ts_constituency_foreach_site(const ts_constituency_t *c, ts_site_view_cb cb, void *ctx)
{
    size_t n = c->nsites;
    if (n == 0)
        return 0;
    uint32_t *idx = ts_xmalloc(n * sizeof *idx);
    uint32_t *first = ts_xmalloc(n * sizeof *first);
    uint32_t *next = ts_xmalloc(n * sizeof *next);
    for (size_t i = 0; i < n; i++) {
        idx[i] = (uint32_t)i;
        first[i] = next[i] = NONE;
    }
    sort_sites(c, idx, n);
    /* Prepending in reverse name order leaves each child list in name order. */
    uint32_t roots = NONE;
    for (size_t i = n; i-- > 0;) {
        uint32_t s = idx[i], p = c->sites[s].parent;
        uint32_t *head = p == NONE ? &roots : &first[p];
        next[s] = *head;
        *head = s;
    }
    /* Pre-order walk without recursion: the tree may be deep. */
    int rc = 0;
    unsigned depth = 0;
    uint32_t s = roots;
    while (s != NONE && rc == 0) {
        ts_site_view_t v;
        view_of(c, s, depth, &v);
        rc = cb(&v, ctx);
        if (first[s] != NONE) {
            s = first[s];
            depth++;
            continue;
        }
        while (s != NONE && next[s] == NONE) {
            s = c->sites[s].parent;
            depth--;
        }
        if (s != NONE)
            s = next[s];
    }
    free(idx);
    free(first);
    free(next);
    return rc;
}

int ts_constituency_foreach_child(const ts_constituency_t *c, int64_t parent_id, ts_site_view_cb cb,
                                  void *ctx)
{
    uint32_t p = NONE;
    if (parent_id != 0 && (p = site_by_id(c, parent_id)) == NONE)
        return TS_ENOENT;
    unsigned depth = 0;
    for (uint32_t a = p; a != NONE; a = c->sites[a].parent)
        depth++;
    size_t n = 0;
    uint32_t *idx = ts_xmalloc((c->nsites ? c->nsites : 1) * sizeof *idx);
    for (size_t i = 0; i < c->nsites; i++)
        if (c->sites[i].parent == p)
            idx[n++] = (uint32_t)i;
    sort_sites(c, idx, n);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        ts_site_view_t v;
        view_of(c, idx[i], depth, &v);
        rc = cb(&v, ctx);
    }
    free(idx);
    return rc;
}

static int rule_cmp(const struct rule *x, const struct rule *y)
{
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    switch (x->kind) {
    case TS_RULE_NETWORK:
        if (x->net.addr.family != y->net.addr.family)
            return x->net.addr.family < y->net.addr.family ? -1 : 1;
        {
            int d = memcmp(x->net.addr.bytes, y->net.addr.bytes, 16);
            if (d != 0)
                return d;
        }
        return (x->net.len > y->net.len) - (x->net.len < y->net.len);
    case TS_RULE_ASN:
        return (x->asn > y->asn) - (x->asn < y->asn);
    case TS_RULE_DOMAIN:
        return strcmp(x->text, y->text);
    }
    return 0;
}

static int rule_idx_cmp(const ts_constituency_t *c, uint32_t a, uint32_t b)
{
    return rule_cmp(&c->rules[a], &c->rules[b]);
}

int ts_constituency_foreach_claim(const ts_constituency_t *c, int64_t site_id, ts_claim_view_cb cb,
                                  void *ctx)
{
    uint32_t s = site_by_id(c, site_id);
    if (s == NONE)
        return TS_ENOENT;
    const struct site *st = &c->sites[s];
    size_t n = st->nrules;
    if (n == 0)
        return 0;
    uint32_t *idx = ts_xmalloc(n * sizeof *idx);
    memcpy(idx, st->rules, n * sizeof *idx);
    sort_idx(c, idx, n, rule_idx_cmp);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct rule *r = &c->rules[idx[i]];
        ts_claim_view_t v = {.site_id = site_id, .kind = r->kind, .rule = r->text};
        if (r->kind == TS_RULE_NETWORK)
            v.net = r->net;
        else if (r->kind == TS_RULE_ASN)
            v.asn = r->asn;
        rc = cb(&v, ctx);
    }
    free(idx);
    return rc;
}
