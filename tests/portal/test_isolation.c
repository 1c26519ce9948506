/* SPDX-License-Identifier: Apache-2.0 */
/* Tenant isolation, as a property: on a random constituency (a tree of ~30
 * sites up to depth 4 whose children claim sub-prefixes of their parents'
 * networks, plus ASNs and nested domains) and ~3000 random events routed by
 * the constituency and stored with their links, every site and the CSIRT
 * send thousands of requests with random filters, sites, cursors and ids
 * through ts_api_handle(). Every answer is checked against a model computed
 * here from the generated data, never through the store:
 *  - a page is exactly the first `limit` events of the model's answer (so
 *    nothing foreign appears and nothing is lost), with the right cursor;
 *  - paging through everything yields the subtree's event set exactly once;
 *  - owners and reasons name only sites of the caller's subtree;
 *  - statistics count only the subtree's events and addresses;
 *  - another site's event or site gives a 404 byte-identical to a missing one;
 *  - events with many targets (an address scan's hosts over several sites, a
 *    blocklisted netblock over nested claims) reach exactly the sites owning
 *    part of them, as an independent longest-prefix model says, and each
 *    caller sees only its own hosts or networks of them (the CSIRT all);
 *  - incidents (aggregated at write time): each caller's queue is exactly
 *    the CSIRT's queue of its subtree, in the same priority order, through
 *    pages of any size; their event counts add up to the model's links of
 *    the subtree (every link in exactly one incident); an incident's events
 *    are the caller's; another site's incident, read or written, gives the
 *    404 of a missing one.
 * The seed is printed; TS_SEED=<n> replays a run. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "apitest.h"
#include "portal/query.h"
#include "testutil.h"
#include "ttstore.h"

#define N_SITES 30
#define N_EVENTS 3000
#define MAX_DEPTH 4
#define MIN_REQUESTS 10000
#define T_END 1795683600000000LL /* 2026-11-26T09:00:00Z */
#define DAY_US 86400000000LL

/* ---- PRNG ---------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static unsigned rn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

/* ---- The generated world --------------------------------------------------------- */

typedef struct site {
    int64_t id;
    int parent; /* index, -1 for a root */
    int depth;
    char name[16];
    ts_prefix_t net4, net6;
    int n_kids4;
    bool used4[16];
    int64_t asn; /* 0: none */
    char domain[128];
} site_t;

#define MAX_TARGETS 24
#define MAX_LINKS 64

typedef struct mevent {
    int64_t id;
    int64_t time;
    ts_type_t type;
    ts_ip_t src, dst;
    int n_links;
    int link_site[MAX_LINKS]; /* site index */
    ts_role_t link_role[MAX_LINKS];
    /* Many destination hosts (sorted, distinct) and their owning sites. */
    int n_tg;
    ts_prefix_t tg[MAX_TARGETS];
    int tg_owner[MAX_TARGETS]; /* site index, -1 nobody */
    /* A source netblock (has_net) without an address. */
    bool has_net;
    ts_prefix_t net;
} mevent_t;

static site_t sites[N_SITES];
static mevent_t events[N_EVENTS];
static int n_events;
static ts_store_t *st;
static char *dir;
static unsigned long n_requests;
static ts_buf_t missing_body; /* the 404 of an id that does not exist */

static const char *const type_names[] = {"scanner",  "brute-force",          "ddos",
                                         "phishing", "malware-distribution", "spam",
                                         "exploit",  "infected-system"};
#define N_TYPES (sizeof type_names / sizeof *type_names)

static int site_by_id(int64_t id)
{
    for (int i = 0; i < N_SITES; i++)
        if (sites[i].id == id)
            return i;
    return -1;
}

static int site_by_name(const char *name)
{
    for (int i = 0; i < N_SITES; i++)
        if (strcmp(sites[i].name, name) == 0)
            return i;
    return -1;
}

/* Independent of the store: walks the generated parent indexes. */
static bool in_subtree(int root, int s)
{
    if (root < 0)
        return true; /* the CSIRT */
    for (int k = s; k >= 0; k = sites[k].parent)
        if (k == root)
            return true;
    return false;
}

static void random_host(const ts_prefix_t *p, ts_ip_t *ip)
{
    *ip = p->addr;
    unsigned bits = p->addr.family == TS_AF_INET ? 32 : 128;
    for (unsigned i = p->len; i < bits; i++)
        if (rnd() & 1)
            ip->bytes[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

/* The site of the longest claim holding ip, from the generated claims. */
static int owner_of(const ts_ip_t *ip)
{
    int best = -1, len = -1;
    for (int i = 0; i < N_SITES; i++) {
        const ts_prefix_t *n = ip->family == TS_AF_INET ? &sites[i].net4 : &sites[i].net6;
        if (ts_prefix_contains(n, ip) && n->len > len) {
            best = i;
            len = n->len;
        }
    }
    return best;
}

static const ts_prefix_t *claim_of(int site, const ts_prefix_t *p)
{
    return p->addr.family == TS_AF_INET ? &sites[site].net4 : &sites[site].net6;
}

/* The sites owning part of a netblock: the most specific claim holding it and
 * every claim inside it (no parent is ever tiled by its children here: 12
 * of 16 sub-prefixes at most). */
static bool net_owner(const ts_prefix_t *net, int site)
{
    const ts_prefix_t *c = claim_of(site, net);
    if (ts_prefix_covers(net, c) && c->len > net->len)
        return true;
    if (!ts_prefix_covers(c, net))
        return false;
    for (int j = 0; j < N_SITES; j++) {
        const ts_prefix_t *o = claim_of(j, net);
        if (j != site && ts_prefix_covers(o, net) && o->len > c->len)
            return false;
    }
    return true;
}

/* Hosts of sites (or nobody) as an address scan's destination targets. */
static void random_targets(mevent_t *m)
{
    ts_prefix_t l[MAX_TARGETS];
    int n = 2 + (int)rn(MAX_TARGETS - 1);
    for (int i = 0; i < n; i++) {
        unsigned k = rn(10);
        const site_t *s = &sites[rn(N_SITES)];
        if (k < 7) {
            random_host(&s->net4, &l[i].addr);
        } else if (k < 8) {
            random_host(&s->net6, &l[i].addr);
        } else {
            char t[32];
            snprintf(t, sizeof t, "203.0.113.%u", rn(256));
            assert_int_equal(ts_ip_parse(t, strlen(t), &l[i].addr), 0);
        }
        l[i].len = l[i].addr.family == TS_AF_INET ? 32 : 128;
    }
    m->n_tg = (int)ts_targets_normalize(l, (size_t)n);
    for (int i = 0; i < m->n_tg; i++) {
        m->tg[i] = l[i];
        m->tg_owner[i] = owner_of(&l[i].addr);
    }
}

/* The links of a many-targets event: on its many side(s) by the model, never
 * the router; on a side with one address or name, the router's, as for every
 * other event. Sorted like the router's (source first, then by site id). */
static void model_links(mevent_t *m, const ts_link_t *links, int n)
{
    m->n_links = 0;
    for (int role = 1; role <= 2; role++) {
        bool many = role == 1 ? m->has_net : m->n_tg > 0;
        if (!many) {
            for (int l = 0; l < n; l++) {
                if ((int)links[l].role != role)
                    continue;
                m->link_site[m->n_links] = site_by_id(links[l].match.site_id);
                m->link_role[m->n_links++] = links[l].role;
            }
            continue;
        }
        for (int k = 0; k < N_SITES; k++) {
            bool owns = false;
            if (role == 1)
                owns = net_owner(&m->net, k);
            for (int i = 0; role == 2 && i < m->n_tg; i++)
                owns = owns || m->tg_owner[i] == k;
            if (owns) {
                m->link_site[m->n_links] = k;
                m->link_role[m->n_links++] = (ts_role_t)role;
            }
        }
    }
}

static void build_world(void)
{
    ts_constituency_t *c = ts_constituency_new();
    assert_int_equal(ts_store_begin(st), 0);
    for (int i = 0; i < N_SITES; i++) {
        site_t *s = &sites[i];
        snprintf(s->name, sizeof s->name, "s%02d", i);
        s->parent = -1;
        if (i >= 3) {
            /* A parent that still has room (depth and free sub-prefixes). */
            do
                s->parent = (int)rn((unsigned)i);
            while (sites[s->parent].depth >= MAX_DEPTH || sites[s->parent].n_kids4 >= 12);
        }
        s->depth = s->parent < 0 ? 0 : sites[s->parent].depth + 1;
        int64_t pid = s->parent < 0 ? 0 : sites[s->parent].id;
        assert_int_equal(ts_store_site_add(st, s->name, pid, "", &s->id), 0);
        assert_int_equal(ts_constituency_add_site(c, s->id, s->name, pid), 0);
        /* IPv4: roots 10.<16k>.0.0/12; each level 4 bits longer, in a free slot. */
        char text[64];
        if (s->parent < 0) {
            snprintf(text, sizeof text, "10.%d.0.0/12", 16 * i);
        } else {
            site_t *p = &sites[s->parent];
            unsigned slot;
            do
                slot = rn(16);
            while (p->used4[slot]);
            p->used4[slot] = true;
            p->n_kids4++;
            ts_prefix_t n = p->net4;
            n.len = (uint8_t)(p->net4.len + 4);
            uint32_t v = ts_ip_v4(&n.addr) | (slot << (32 - n.len));
            snprintf(text, sizeof text, "%u.%u.%u.%u/%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255,
                     v & 255, n.len);
        }
        assert_int_equal(ts_prefix_parse(text, strlen(text), &s->net4), 0);
        assert_int_equal(ts_constituency_add_network(c, s->id, &s->net4, NULL), 0);
        assert_int_equal(ts_store_claim_add(st, s->id, TS_RULE_NETWORK, text), 0);
        snprintf(text, sizeof text, "2001:db8:%x::/48", i + 1);
        assert_int_equal(ts_prefix_parse(text, strlen(text), &s->net6), 0);
        assert_int_equal(ts_constituency_add_network(c, s->id, &s->net6, NULL), 0);
        assert_int_equal(ts_store_claim_add(st, s->id, TS_RULE_NETWORK, text), 0);
        if (i % 3 == 0) {
            s->asn = 64500 + i;
            snprintf(text, sizeof text, "%" PRId64, s->asn);
            assert_int_equal(ts_constituency_add_asn(c, s->id, s->asn, NULL), 0);
            assert_int_equal(ts_store_claim_add(st, s->id, TS_RULE_ASN, text), 0);
        }
        /* Built aside: gcc's -Wrestrict cannot tell s->name from the parent's domain. */
        char dom[sizeof s->domain] = "";
        if (s->parent < 0)
            snprintf(dom, sizeof dom, "s%02d.example", i);
        else if (sites[s->parent].domain[0] && rn(2))
            snprintf(dom, sizeof dom, "s%02d.%.100s", i, sites[s->parent].domain);
        memcpy(s->domain, dom, sizeof dom);
        if (s->domain[0]) {
            assert_int_equal(
                ts_constituency_add_domain(c, s->id, s->domain, strlen(s->domain), NULL), 0);
            assert_int_equal(ts_store_claim_add(st, s->id, TS_RULE_DOMAIN, s->domain), 0);
        }
        char email[64];
        snprintf(email, sizeof email, "cert@%s.example", s->name);
        assert_int_equal(ts_store_contact_add(st, s->id, email, s->name), 0);
    }

    char fq[2][200];
    ts_arena_t *ra = ts_arena_new(4096);
    for (int i = 0; i < N_EVENTS; i++) {
        ts_arena_reset(ra);
        ts_event_t e;
        ts_event_init(&e);
        mevent_t *m = &events[i];
        m->time = T_END - (int64_t)(rnd() % (uint64_t)(60 * DAY_US));
        e.time_source = m->time;
        const char *tn = type_names[rn(N_TYPES)];
        assert_int_equal(ts_type_lookup(tn, strlen(tn), &e.type), 0);
        m->type = e.type;
        for (int side = 0; side < 2; side++) {
            ts_endpoint_t *ep = side ? &e.dst : &e.src;
            ts_ip_t *mip = side ? &m->dst : &m->src;
            const site_t *s = &sites[rn(N_SITES)];
            unsigned k = rn(100);
            memset(mip, 0, sizeof *mip);
            if (k < 45) {
                random_host(&s->net4, mip);
            } else if (k < 55) {
                random_host(&s->net6, mip);
            } else if (k < 80) {
                char t[32];
                snprintf(t, sizeof t, "%s.%u", rn(2) ? "203.0.113" : "198.51.100", rn(256));
                assert_int_equal(ts_ip_parse(t, strlen(t), mip), 0);
            } else if (k < 90) {
                ep->asn = s->asn ? s->asn : 65000 + rn(10);
            } else {
                snprintf(fq[side], sizeof fq[side], "h%u.%s", rn(1000),
                         s->domain[0] ? s->domain : "unknown.example");
                ep->fqdn = ts_str_c(fq[side]);
            }
            ep->ip = *mip;
        }
        /* One in eight: an address scan of hosts of several sites; one in
         * twelve: a blocklisted netblock (a site's claim, or wider) as the
         * source. */
        m->n_tg = 0;
        m->has_net = false;
        ts_targets_t tt;
        bool many = false;
        if (rn(8) == 0) {
            random_targets(m);
            tt = (ts_targets_t){m->tg, (uint32_t)m->n_tg, (uint64_t)m->n_tg};
            e.dst = (ts_endpoint_t){.port = 22, .asn = -1, .targets = &tt};
            memset(&m->dst, 0, sizeof m->dst);
            many = true;
        }
        if (rn(12) == 0) {
            m->net = sites[rn(N_SITES)].net4;
            m->net.len = (uint8_t)(m->net.len - 4 * rn(2));
            (void)ts_prefix_clear_host_bits(&m->net);
            m->has_net = true;
            e.src = (ts_endpoint_t){.port = -1, .asn = -1, .network = m->net};
            memset(&m->src, 0, sizeof m->src);
            many = true;
        }
        ts_link_t *links;
        int n = ts_constituency_route(c, &e, ra, &links);
        int64_t id;
        assert_int_equal(ts_store_event_add(st, &e, links, n, 0, 0, &id), 0);
        m->id = id;
        assert_true(n <= MAX_LINKS);
        if (many) {
            /* The router must agree with the model, which the checks use. */
            model_links(m, links, n);
            if (n != m->n_links)
                fail_msg("event %d: %d links routed, the model has %d", i, n, m->n_links);
            for (int l = 0; l < n; l++)
                if (site_by_id(links[l].match.site_id) != m->link_site[l] ||
                    links[l].role != m->link_role[l])
                    fail_msg("event %d: link %d differs from the model", i, l);
            continue;
        }
        m->n_links = n;
        for (int l = 0; l < n; l++) {
            m->link_site[l] = site_by_id(links[l].match.site_id);
            m->link_role[l] = links[l].role;
            assert_true(m->link_site[l] >= 0);
        }
    }
    assert_int_equal(ts_store_commit(st), 0);
    n_events = N_EVENTS;
    ts_arena_free(ra);
    ts_constituency_free(c);
}

/* ---- The model ------------------------------------------------------------------ */

typedef struct mfilter {
    int scope;            /* site index whose subtree bounds the answer; -1 all */
    int64_t since, until; /* TS_TIME_NONE = open */
    int type;             /* -1 any, else ts_type_t */
    int taxonomy;         /* -1 any */
    int role;             /* 0 any */
    bool has_ip;
    ts_prefix_t ip;
    int64_t before; /* 0 none */
} mfilter_t;

static bool visible(const mevent_t *e, int scope)
{
    if (scope < 0)
        return true;
    for (int l = 0; l < e->n_links; l++)
        if (in_subtree(scope, e->link_site[l]))
            return true;
    return false;
}

static bool matches(const mevent_t *e, const mfilter_t *f)
{
    if (!visible(e, f->scope))
        return false;
    if (f->before && e->id >= f->before)
        return false;
    if (f->since != TS_TIME_NONE && e->time < f->since)
        return false;
    if (f->until != TS_TIME_NONE && e->time >= f->until)
        return false;
    if (f->type >= 0 && e->type != f->type)
        return false;
    if (f->taxonomy >= 0 && ts_type_taxonomy(e->type) != f->taxonomy)
        return false;
    if (f->role) {
        bool ok = false;
        for (int l = 0; l < e->n_links; l++)
            if ((int)e->link_role[l] == f->role &&
                (f->scope < 0 || in_subtree(f->scope, e->link_site[l])))
                ok = true;
        if (!ok)
            return false;
    }
    if (f->has_ip) {
        bool s = (f->role == 0 || f->role == 1) && ts_prefix_contains(&f->ip, &e->src);
        bool d = (f->role == 0 || f->role == 2) && ts_prefix_contains(&f->ip, &e->dst);
        if (!s && !d)
            return false;
    }
    return true;
}

/* Expected ids, newest first. */
static size_t expected(const mfilter_t *f, int64_t *ids)
{
    size_t n = 0;
    for (int i = n_events - 1; i >= 0; i--)
        if (matches(&events[i], f))
            ids[n++] = events[i].id;
    return n;
}

static const mevent_t *event_by_id(int64_t id)
{
    /* The store numbers a fresh table's events 1, 2, ...; checked, not assumed. */
    if (id >= 1 && id <= n_events && events[id - 1].id == id)
        return &events[id - 1];
    for (int i = 0; i < n_events; i++)
        if (events[i].id == id)
            return &events[i];
    return NULL;
}

/* ---- Requests ------------------------------------------------------------------- */

static json_object *call_json(const ts_principal_t *who, const char *path, const char *query,
                              int *status, ts_http_resp_t *keep)
{
    ts_http_resp_t r;
    *status = at_call(st, who, "GET", path, query, NULL, &r);
    n_requests++;
    json_object *o = json_tokener_parse(r.body.data ? r.body.data : "");
    if (o == NULL)
        fail_msg("%s?%s: not JSON", path, query ? query : "");
    if (keep)
        *keep = r;
    else
        ts_http_resp_free(&r);
    return o;
}

static void expect_missing(const ts_http_resp_t *r, const char *what)
{
    if (r->status != 404 || r->body.len != missing_body.len ||
        memcmp(r->body.data, missing_body.data, r->body.len) != 0)
        fail_msg("%s: status %d body %s, not the 404 of a missing id", what, r->status,
                 r->body.data);
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        fail_msg("missing key %s", key);
    return json_object_get_string(v);
}

/* Owners (and reasons) of an event answer: exactly the event's links inside scope. */
static void check_links(json_object *ev, const mevent_t *m, int scope, const char *key,
                        const char *ctx)
{
    json_object *arr;
    if (!json_object_object_get_ex(ev, key, &arr))
        fail_msg("%s: no %s", ctx, key);
    size_t want = 0;
    for (int l = 0; l < m->n_links; l++)
        if (scope < 0 || in_subtree(scope, m->link_site[l]))
            want++;
    if (json_object_array_length(arr) != want)
        fail_msg("%s: event %" PRId64 " has %zu %s, want %zu", ctx, m->id,
                 json_object_array_length(arr), key, want);
    for (size_t i = 0; i < want; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        int s = site_by_name(jstr(o, "site"));
        if (s < 0 || !in_subtree(scope, s))
            fail_msg("%s: event %" PRId64 " names foreign site %s", ctx, m->id, jstr(o, "site"));
        bool found = false;
        for (int l = 0; l < m->n_links; l++)
            if (m->link_site[l] == s &&
                strcmp(jstr(o, "role"),
                       m->link_role[l] == TS_ROLE_SOURCE ? "source" : "destination") == 0)
                found = true;
        if (!found)
            fail_msg("%s: event %" PRId64 " owner %s is not a link of it", ctx, m->id,
                     jstr(o, "site"));
    }
}

/* The targets an answer shows: the caller's own only (the CSIRT's: all),
 * against the model; max is what a list page shows of a list. */
static void check_targets(json_object *ev, const mevent_t *m, int scope, size_t max,
                          const char *ctx)
{
    json_object *side, *t, *l;
    if (m->n_tg > 0) {
        char want[MAX_TARGETS][TS_IP_STRLEN];
        size_t n = 0;
        for (int i = 0; i < m->n_tg; i++)
            if (scope < 0 || (m->tg_owner[i] >= 0 && in_subtree(scope, m->tg_owner[i])))
                ts_targets_entry_text(&m->tg[i], want[n++], TS_IP_STRLEN);
        bool has = json_object_object_get_ex(ev, "destination", &side) &&
                   json_object_object_get_ex(side, "targets", &t);
        if (n == 0) {
            if (has)
                fail_msg("%s: event %" PRId64 " shows targets it has none of", ctx, m->id);
            return;
        }
        if (!has || !json_object_object_get_ex(t, "list", &l))
            fail_msg("%s: event %" PRId64 " shows no targets, want %zu", ctx, m->id, n);
        size_t shown = n < max ? n : max;
        if (json_object_array_length(l) != shown)
            fail_msg("%s: event %" PRId64 " lists %zu targets, want %zu", ctx, m->id,
                     json_object_array_length(l), shown);
        for (size_t i = 0; i < shown; i++)
            if (strcmp(json_object_get_string(json_object_array_get_idx(l, i)), want[i]) != 0)
                fail_msg("%s: event %" PRId64 " target %zu is %s, want %s", ctx, m->id, i,
                         json_object_get_string(json_object_array_get_idx(l, i)), want[i]);
        json_object *c;
        if (!json_object_object_get_ex(t, "count", &c) || json_object_get_int64(c) != (int64_t)n)
            fail_msg("%s: event %" PRId64 " counts other than %zu targets", ctx, m->id, n);
    }
    if (m->has_net) {
        if (!json_object_object_get_ex(ev, "source", &side))
            fail_msg("%s: event %" PRId64 " has no source", ctx, m->id);
        if (!json_object_object_get_ex(side, "targets", &t)) {
            /* The CSIRT has the netblock and no list; a site its share. */
            bool own = false;
            for (int k = 0; k < m->n_links && scope >= 0; k++)
                own = own ||
                      (m->link_role[k] == TS_ROLE_SOURCE && in_subtree(scope, m->link_site[k]));
            if (own)
                fail_msg("%s: event %" PRId64 " hides the caller's share", ctx, m->id);
            return;
        }
        if (scope < 0 || !json_object_object_get_ex(t, "list", &l))
            fail_msg("%s: event %" PRId64 " shows a netblock share to the CSIRT", ctx, m->id);
        for (size_t i = 0; i < json_object_array_length(l); i++) {
            const char *x = json_object_get_string(json_object_array_get_idx(l, i));
            ts_prefix_t p;
            assert_int_equal(ts_prefix_parse(x, strlen(x), &p), 0);
            /* The netblock itself (its holder is the caller's), or a claim
             * of the caller's subtree inside it. */
            bool ok = false;
            for (int k = 0; k < N_SITES && !ok; k++)
                ok = in_subtree(scope, k) && net_owner(&m->net, k) &&
                     (ts_prefix_compare(&p, claim_of(k, &p)) == 0 ||
                      (ts_prefix_compare(&p, &m->net) == 0 &&
                       ts_prefix_covers(claim_of(k, &p), &m->net)));
            if (!ok)
                fail_msg("%s: event %" PRId64 " shows %s, not the caller's", ctx, m->id, x);
        }
    }
}

static void fmt_time(int64_t us, char *buf, size_t n)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char cursor_pool[64][TS_QUERY_CURSOR_LEN + 1];
static unsigned n_cursor_pool;

/* One list request; the page must be the model's first `limit` ids exactly. */
static void list_check(const ts_principal_t *who, int own, const char *query, const mfilter_t *f,
                       size_t limit, int64_t *next_out)
{
    static int64_t want[N_EVENTS];
    size_t n_want = expected(f, want);
    int status;
    json_object *o = call_json(who, "/api/v1/events", query, &status, NULL);
    if (status != 200)
        fail_msg("%s ?%s: status %d", who->site, query, status);
    json_object *evs, *nc;
    assert_true(json_object_object_get_ex(o, "events", &evs));
    assert_true(json_object_object_get_ex(o, "next_cursor", &nc));
    size_t n = json_object_array_length(evs);
    size_t n_exp = n_want < limit ? n_want : limit;
    if (n != n_exp)
        fail_msg("%s ?%s: %zu events, model says %zu", who->site, query, n, n_exp);
    for (size_t i = 0; i < n; i++) {
        json_object *ev = json_object_array_get_idx(evs, i), *idv;
        assert_true(json_object_object_get_ex(ev, "id", &idv));
        int64_t id = json_object_get_int64(idv);
        if (id != want[i])
            fail_msg("%s ?%s: event #%zu is %" PRId64 ", model says %" PRId64, who->site, query, i,
                     id, want[i]);
        const mevent_t *m = event_by_id(id);
        assert_non_null(m);
        if (!visible(m, own))
            fail_msg("%s: got foreign event %" PRId64, who->site, id);
        check_links(ev, m, f->scope, "owners", query);
        check_targets(ev, m, f->scope, 32, query);
    }
    int64_t next = 0;
    if (!json_object_is_type(nc, json_type_null)) {
        assert_int_equal(ts_query_cursor_decode(json_object_get_string(nc), &next), 0);
        if (n_cursor_pool < 64)
            snprintf(cursor_pool[n_cursor_pool++], TS_QUERY_CURSOR_LEN + 1, "%s",
                     json_object_get_string(nc));
    }
    if ((n_want > limit) != (next != 0) || (next && next != want[limit - 1]))
        fail_msg("%s ?%s: cursor %" PRId64 " wrong (model has %zu, limit %zu)", who->site, query,
                 next, n_want, limit);
    json_object_put(o);
    if (next_out)
        *next_out = next;
}

/* Pages through everything: exactly the subtree's events, each once. */
static void page_all(const ts_principal_t *who, int own)
{
    static const size_t limits[] = {25, 100, 1000};
    size_t limit = limits[rn(3)];
    mfilter_t f = {
        .scope = own, .since = TS_TIME_NONE, .until = TS_TIME_NONE, .type = -1, .taxonomy = -1};
    static int64_t want[N_EVENTS];
    size_t n_want = expected(&f, want), seen = 0;
    int64_t next = 0;
    char q[96];
    do {
        if (next) {
            char cur[TS_QUERY_CURSOR_LEN + 1];
            ts_query_cursor_encode(next, cur);
            snprintf(q, sizeof q, "limit=%zu&cursor=%s", limit, cur);
        } else {
            snprintf(q, sizeof q, "limit=%zu", limit);
        }
        f.before = next;
        list_check(who, own, q, &f, limit, &next);
        seen += n_want - seen < limit ? n_want - seen : limit;
    } while (next);
    assert_int_equal(seen, n_want);
}

static void random_list(const ts_principal_t *who, int own)
{
    mfilter_t f = {
        .scope = own, .since = TS_TIME_NONE, .until = TS_TIME_NONE, .type = -1, .taxonomy = -1};
    char q[512] = "", part[128];
    size_t limit = 1 + rn(60);
    snprintf(q, sizeof q, "limit=%zu", limit);
    if (rn(3) == 0) {
        f.since = T_END - (int64_t)(rnd() % (uint64_t)(70 * DAY_US));
        f.since -= f.since % 1000000;
        char t[40];
        fmt_time(f.since, t, sizeof t);
        snprintf(part, sizeof part, "&since=%s", t);
        strcat(q, part);
    }
    if (rn(3) == 0) {
        f.until = T_END - (int64_t)(rnd() % (uint64_t)(50 * DAY_US));
        f.until -= f.until % 1000000;
        if (f.since != TS_TIME_NONE && f.until <= f.since)
            f.until = f.since + DAY_US;
        char t[40];
        fmt_time(f.until, t, sizeof t);
        snprintf(part, sizeof part, "&until=%s", t);
        strcat(q, part);
    }
    unsigned k = rn(6);
    if (k == 0) {
        ts_type_t t;
        const char *tn = type_names[rn(N_TYPES)];
        assert_int_equal(ts_type_lookup(tn, strlen(tn), &t), 0);
        f.type = t;
        snprintf(part, sizeof part, "&type=%s", tn);
        strcat(q, part);
    } else if (k == 1) {
        ts_type_t t;
        const char *tn = type_names[rn(N_TYPES)];
        assert_int_equal(ts_type_lookup(tn, strlen(tn), &t), 0);
        f.taxonomy = ts_type_taxonomy(t);
        snprintf(part, sizeof part, "&taxonomy=%s", ts_taxonomy_name((ts_taxonomy_t)f.taxonomy));
        strcat(q, part);
    }
    if (rn(3) == 0) {
        f.role = 1 + (int)rn(2);
        strcat(q, f.role == 1 ? "&role=source" : "&role=destination");
    }
    if (rn(3) == 0) {
        /* A network inside some site (own, foreign or nested), or outside all. */
        const site_t *s = &sites[rn(N_SITES)];
        char t[64];
        unsigned w = rn(4);
        if (w == 0) {
            f.ip = s->net4;
        } else if (w == 1) {
            f.ip = s->net6;
        } else if (w == 2) {
            ts_ip_t h;
            random_host(&s->net4, &h);
            f.ip.addr = h;
            f.ip.len = 32;
        } else {
            assert_int_equal(ts_prefix_parse("203.0.113.0/24", 14, &f.ip), 0);
        }
        f.has_ip = true;
        ts_prefix_format(&f.ip, t, sizeof t);
        snprintf(part, sizeof part, "&ip=%s", t);
        strcat(q, part);
    }
    if (rn(4) == 0) {
        /* A cursor: own, another principal's, or made up. */
        int64_t c;
        if (n_cursor_pool && rn(2))
            assert_int_equal(ts_query_cursor_decode(cursor_pool[rn(n_cursor_pool)], &c), 0);
        else
            c = 1 + rn(N_EVENTS + 10);
        char cur[TS_QUERY_CURSOR_LEN + 1];
        ts_query_cursor_encode(c, cur);
        f.before = c;
        snprintf(part, sizeof part, "&cursor=%s", cur);
        strcat(q, part);
    }
    int target = -2; /* no site= */
    if (rn(3) == 0) {
        target = (int)rn(N_SITES);
        if (own >= 0 && rn(2)) {
            /* Prefer a descendant so the allowed path is exercised too. */
            for (int tries = 0; tries < 10 && !in_subtree(own, target); tries++)
                target = (int)rn(N_SITES);
        }
        snprintf(part, sizeof part, "&site=%s", sites[target].name);
        strcat(q, part);
    }
    if (target >= 0 && !in_subtree(own, target)) {
        /* Foreign or ancestor site: the 404 of a missing object. */
        ts_http_resp_t r;
        at_call(st, who, "GET", "/api/v1/events", q, NULL, &r);
        n_requests++;
        expect_missing(&r, q);
        ts_http_resp_free(&r);
        return;
    }
    if (target >= 0)
        f.scope = target;
    list_check(who, own, q, &f, limit, NULL);
}

static void random_event(const ts_principal_t *who, int own)
{
    int64_t id = 1 + rn(N_EVENTS + 20);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/events/%" PRId64, id);
    const mevent_t *m = event_by_id(id);
    ts_http_resp_t r;
    at_call(st, who, "GET", path, NULL, NULL, &r);
    n_requests++;
    if (m == NULL || !visible(m, own)) {
        expect_missing(&r, path);
    } else {
        assert_int_equal(r.status, 200);
        json_object *o = json_tokener_parse(r.body.data);
        assert_non_null(o);
        check_links(o, m, own, "owners", path);
        check_links(o, m, own, "reasons", path);
        check_targets(o, m, own, MAX_TARGETS, path);
        json_object_put(o);
    }
    ts_http_resp_free(&r);
}

static void random_site(const ts_principal_t *who, int own)
{
    int target = (int)rn(N_SITES + 1);
    char q[64];
    if (target == N_SITES)
        snprintf(q, sizeof q, "site=nosuch%u", rn(100));
    else
        snprintf(q, sizeof q, "site=%s", sites[target].name);
    ts_http_resp_t r;
    at_call(st, who, "GET", "/api/v1/site", q, NULL, &r);
    n_requests++;
    if (target == N_SITES || !in_subtree(own, target)) {
        expect_missing(&r, q);
        ts_http_resp_free(&r);
        return;
    }
    assert_int_equal(r.status, 200);
    json_object *o = json_tokener_parse(r.body.data), *site, *nets, *kids;
    assert_true(json_object_object_get_ex(o, "site", &site));
    assert_string_equal(jstr(site, "name"), sites[target].name);
    assert_true(json_object_object_get_ex(o, "networks", &nets));
    assert_int_equal(json_object_array_length(nets), 2);
    for (size_t i = 0; i < 2; i++) {
        ts_prefix_t p;
        const char *t = json_object_get_string(json_object_array_get_idx(nets, i));
        assert_int_equal(ts_prefix_parse(t, strlen(t), &p), 0);
        assert_true(ts_prefix_covers(&sites[target].net4, &p) ||
                    ts_prefix_covers(&sites[target].net6, &p));
    }
    assert_true(json_object_object_get_ex(o, "children", &kids));
    for (size_t i = 0; i < json_object_array_length(kids); i++) {
        int k = site_by_name(json_object_get_string(json_object_array_get_idx(kids, i)));
        assert_true(k >= 0 && sites[k].parent == target && in_subtree(own, k));
    }
    json_object_put(o);
    ts_http_resp_free(&r);
}

static void random_stats(const ts_principal_t *who, int own)
{
    int64_t since = T_END - (int64_t)(1 + rn(60)) * DAY_US, until = T_END + 1000000;
    char a[40], b[40], q[160];
    fmt_time(since, a, sizeof a);
    fmt_time(until, b, sizeof b);
    int scope = own;
    snprintf(q, sizeof q, "since=%s&until=%s", a, b);
    if (rn(3) == 0) {
        int target = (int)rn(N_SITES);
        char part[40];
        snprintf(part, sizeof part, "&site=%s", sites[target].name);
        strcat(q, part);
        if (!in_subtree(own, target)) {
            ts_http_resp_t r;
            at_call(st, who, "GET", "/api/v1/stats", q, NULL, &r);
            n_requests++;
            expect_missing(&r, q);
            ts_http_resp_free(&r);
            return;
        }
        scope = target;
    }
    int status;
    json_object *o = call_json(who, "/api/v1/stats", q, &status, NULL);
    assert_int_equal(status, 200);
    /* The model: visible events in the window, and the scope's own addresses. */
    uint64_t n_vis = 0;
    static ts_ip_t hosts[2 * N_EVENTS];
    static uint64_t counts[2 * N_EVENTS];
    size_t n_hosts = 0;
    for (int i = 0; i < n_events; i++) {
        const mevent_t *m = &events[i];
        if (m->time < since || m->time >= until || !visible(m, scope))
            continue;
        n_vis++;
        for (int l = 0; l < m->n_links; l++) {
            if (!in_subtree(scope, m->link_site[l]))
                continue;
            const ts_ip_t *ip = m->link_role[l] == TS_ROLE_SOURCE ? &m->src : &m->dst;
            if (ip->family == TS_AF_NONE)
                continue;
            size_t h = 0;
            while (h < n_hosts && !ts_ip_equal(&hosts[h], ip))
                h++;
            if (h == n_hosts) {
                hosts[n_hosts] = *ip;
                counts[n_hosts++] = 0;
            }
            counts[h]++;
        }
    }
    json_object *arr;
    uint64_t sum = 0;
    assert_true(json_object_object_get_ex(o, "by_type", &arr));
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *c;
        assert_true(json_object_object_get_ex(json_object_array_get_idx(arr, i), "count", &c));
        sum += (uint64_t)json_object_get_int64(c);
    }
    if (sum != n_vis)
        fail_msg("stats %s ?%s: by_type sums to %" PRIu64 ", model %" PRIu64, who->site, q, sum,
                 n_vis);
    sum = 0;
    assert_true(json_object_object_get_ex(o, "per_day", &arr));
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *c;
        assert_true(json_object_object_get_ex(json_object_array_get_idx(arr, i), "count", &c));
        sum += (uint64_t)json_object_get_int64(c);
    }
    assert_int_equal(sum, n_vis);
    assert_true(json_object_object_get_ex(o, "top_hosts", &arr));
    size_t n_top = json_object_array_length(arr);
    assert_int_equal(n_top, n_hosts < 10 ? n_hosts : 10);
    uint64_t last = UINT64_MAX;
    for (size_t i = 0; i < n_top; i++) {
        json_object *e = json_object_array_get_idx(arr, i), *c;
        const char *t = jstr(e, "ip");
        ts_ip_t ip;
        assert_int_equal(ts_ip_parse(t, strlen(t), &ip), 0);
        assert_true(json_object_object_get_ex(e, "count", &c));
        uint64_t n = (uint64_t)json_object_get_int64(c);
        size_t h = 0;
        while (h < n_hosts && !ts_ip_equal(&hosts[h], &ip))
            h++;
        if (h == n_hosts)
            fail_msg("stats %s: top host %s is not the caller's", who->site, t);
        assert_int_equal(counts[h], n);
        assert_true(n <= last);
        last = n;
        counts[h] = 0; /* taken */
    }
    for (size_t h = 0; h < n_hosts; h++)
        assert_true(n_top == 0 || counts[h] <= last);
    json_object_put(o);
}

/* ---- Incidents ------------------------------------------------------------------ */

typedef struct minc {
    int64_t id;
    int site; /* index */
} minc_t;

#define MAX_INCIDENTS (N_EVENTS * 8)
static minc_t incs[MAX_INCIDENTS]; /* the CSIRT's queue, in priority order */
static size_t n_incs;

/* One pass through a caller's queue with pages of limit: the ids in order
 * and the sum of their event counts. */
static size_t queue(const ts_principal_t *who, size_t limit, int64_t *ids, int *site_of,
                    uint64_t *n_ev)
{
    size_t n = 0;
    char cursor[TS_QUERY_CURSOR_LEN + 1] = "", q[96];
    double prev = 1e9;
    *n_ev = 0;
    for (;;) {
        snprintf(q, sizeof q, "limit=%zu%s%s", limit, *cursor ? "&cursor=" : "", cursor);
        int status;
        json_object *o = call_json(who, "/api/v1/incidents", q, &status, NULL), *list, *nc;
        if (status != 200)
            fail_msg("%s incidents ?%s: status %d", who->site, q, status);
        assert_true(json_object_object_get_ex(o, "incidents", &list));
        assert_true(json_object_object_get_ex(o, "next_cursor", &nc));
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            json_object *inc = json_object_array_get_idx(list, i), *v;
            assert_true(json_object_object_get_ex(inc, "score", &v));
            double score = json_object_get_double(v);
            if (score > prev)
                fail_msg("%s: incidents out of priority order", who->site);
            prev = score;
            if (n == MAX_INCIDENTS)
                fail_msg("more incidents than the test can hold");
            assert_true(json_object_object_get_ex(inc, "id", &v));
            ids[n] = json_object_get_int64(v);
            if (site_of)
                site_of[n] = site_by_name(jstr(inc, "site"));
            assert_true(json_object_object_get_ex(inc, "event_count", &v));
            *n_ev += (uint64_t)json_object_get_int64(v);
            n++;
        }
        bool more = !json_object_is_type(nc, json_type_null);
        if (more)
            snprintf(cursor, sizeof cursor, "%s", json_object_get_string(nc));
        json_object_put(o);
        if (!more)
            return n;
    }
}

static void load_incidents(void)
{
    static int64_t ids[MAX_INCIDENTS];
    static int site_of[MAX_INCIDENTS];
    ts_principal_t csirt = at_csirt();
    uint64_t n_ev;
    n_incs = queue(&csirt, 1000, ids, site_of, &n_ev);
    for (size_t i = 0; i < n_incs; i++) {
        if (site_of[i] < 0)
            fail_msg("incident %" PRId64 " of no generated site", ids[i]);
        incs[i] = (minc_t){ids[i], site_of[i]};
    }
}

static void check_incidents(const ts_principal_t *who, int own)
{
    static int64_t ids[MAX_INCIDENTS];
    uint64_t n_ev, links = 0;
    size_t n = queue(who, 1 + rn(300), ids, NULL, &n_ev), k = 0;
    for (size_t i = 0; i < n_incs; i++) {
        if (!in_subtree(own, incs[i].site))
            continue;
        if (k >= n || ids[k] != incs[i].id)
            fail_msg("%s: incident #%zu is not the CSIRT's %" PRId64, who->site, k, incs[i].id);
        k++;
    }
    if (k != n)
        fail_msg("%s: %zu incidents, the CSIRT's queue of the subtree has %zu", who->site, n, k);
    for (int e = 0; e < n_events; e++)
        for (int l = 0; l < events[e].n_links; l++)
            links += events[e].link_site[l] >= 0 && in_subtree(own, events[e].link_site[l]);
    if (n_ev != links)
        fail_msg("%s: incidents count %" PRIu64 " events, the model %" PRIu64 " links", who->site,
                 n_ev, links);
    for (int t = 0; t < 8 && n_incs > 0; t++) {
        const minc_t *m = &incs[rn((unsigned)n_incs)];
        char path[64];
        snprintf(path, sizeof path, "/api/v1/incidents/%" PRId64, m->id);
        ts_http_resp_t r;
        if (!in_subtree(own, m->site)) {
            at_call(st, who, "GET", path, NULL, NULL, &r);
            expect_missing(&r, path);
            ts_http_resp_free(&r);
            ts_http_req_t req;
            memset(&req, 0, sizeof req);
            req.method = "PATCH";
            req.path = path;
            req.who = who;
            req.content_type = "application/json";
            req.body = "{\"state\":\"resolved\"}";
            req.body_len = strlen(req.body);
            ts_http_resp_init(&r);
            ts_api_handle(st, &req, &r);
            n_requests += 2;
            expect_missing(&r, path);
            ts_http_resp_free(&r);
            continue;
        }
        int status;
        json_object *o = call_json(who, path, NULL, &status, NULL), *evs;
        if (status != 200)
            fail_msg("%s %s: status %d", who->site, path, status);
        assert_true(json_object_object_get_ex(o, "events", &evs));
        for (size_t i = 0; i < json_object_array_length(evs); i++) {
            json_object *ev = json_object_array_get_idx(evs, i), *idv;
            assert_true(json_object_object_get_ex(ev, "id", &idv));
            const mevent_t *me = event_by_id(json_object_get_int64(idv));
            if (me == NULL || !visible(me, own))
                fail_msg("%s %s: foreign event", who->site, path);
        }
        json_object_put(o);
    }
}

/* ---- The test ------------------------------------------------------------------- */

static void run_principal(const ts_principal_t *who, int own, unsigned budget)
{
    page_all(who, own);
    check_incidents(who, own);
    unsigned long start = n_requests;
    while (n_requests - start < budget) {
        unsigned k = rn(100);
        if (k < 55)
            random_list(who, own);
        else if (k < 80)
            random_event(who, own);
        else if (k < 90)
            random_site(who, own);
        else
            random_stats(who, own);
    }
}

static void test_isolation(void **state)
{
    (void)state;
    const char *env = getenv("TS_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
    printf("test_isolation: seed %" PRIu64 " (replay with TS_SEED=%" PRIu64 ")\n", seed, seed);
    fflush(stdout);
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    dir = tt_tmpdir();
    char path[512];
    assert_int_equal(tt_store_fresh(dir, "iso.db", path, sizeof path), 0);
    assert_int_equal(ts_store_open(path, &st), 0);
    build_world();

    ts_principal_t csirt = at_csirt();
    ts_http_resp_t r;
    assert_int_equal(at_call(st, &csirt, "GET", "/api/v1/events/999999", NULL, NULL, &r), 404);
    missing_body = r.body;
    r.body = (ts_buf_t)TS_BUF_INIT;
    ts_http_resp_free(&r);
    load_incidents();
    assert_true(n_incs > 0);

    unsigned budget = MIN_REQUESTS / (N_SITES + 1) + 10;
    for (int i = 0; i < N_SITES; i++) {
        ts_principal_t who = at_site(sites[i].name, sites[i].id);
        run_principal(&who, i, budget);
    }
    run_principal(&csirt, -1, budget);
    int many = 0;
    for (int i = 0; i < n_events; i++)
        many += events[i].n_tg > 0 || events[i].has_net;
    printf("test_isolation: %lu requests, %d sites, %d events (%d with many targets), %zu "
           "incidents\n",
           n_requests, N_SITES, n_events, many, n_incs);
    assert_true(n_requests >= MIN_REQUESTS);

    ts_buf_free(&missing_body);
    ts_store_close(st);
    tt_store_drop(path);
    tt_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isolation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
