/* SPDX-License-Identifier: Apache-2.0 */
/* The write-path aggregator: store.c calls it around every event and at
 * every commit, so that whichever producer writes events, its incidents and
 * roll-ups are written in the same transaction (incstore.h).
 *
 * Per transaction it keeps the keys it met, each with its latest incident
 * (read from the store once, on the key's first event), and the incidents it
 * created or changed, and counts in memory; at the commit it writes each
 * incident once with its new priority, then the roll-up counters. A batch of
 * a thousand events about a dozen hosts thus costs a dozen reads and a dozen
 * writes, not a thousand.
 *
 * Between transactions it keeps what rarely changes: the configuration, the
 * site tree (for the roll-ups of ancestors and for rules of ancestors), the
 * suppression rules and the critical marks, each reloaded when its generation
 * in the store moved (incstore_int.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/mem.h"
#include "detect/hll.h"
#include "incident/distinct.h"
#include "incident/priority.h"
#include "store/incstore_int.h"

#define DEPTH_MAX 64 /* site tree levels walked (a cycle written by hand stops here) */
#define PEERS_MAX TS_TARGETS_MAX /* entries of a far side's list counted one by one */

/* ---- A hash index: 64-bit hashes to entry numbers, equal hashes allowed ---- */

typedef struct hindex {
    uint64_t *h; /* 0: empty */
    uint32_t *ix;
    size_t cap, n;
} hindex_t;

static uint64_t nonzero(uint64_t h)
{
    return h ? h : 1;
}

static void hx_grow(hindex_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    uint64_t *h = ts_xcalloc(cap, sizeof *h);
    uint32_t *ix = ts_xmalloc(cap * sizeof *ix);
    for (size_t i = 0; i < m->cap; i++) {
        if (m->h[i] == 0)
            continue;
        size_t k = m->h[i] & (cap - 1);
        while (h[k])
            k = (k + 1) & (cap - 1);
        h[k] = m->h[i];
        ix[k] = m->ix[i];
    }
    free(m->h);
    free(m->ix);
    m->h = h;
    m->ix = ix;
    m->cap = cap;
}

static void hx_put(hindex_t *m, uint64_t h, uint32_t ix)
{
    if ((m->n + 1) * 2 > m->cap)
        hx_grow(m);
    h = nonzero(h);
    size_t k = h & (m->cap - 1);
    while (m->h[k])
        k = (k + 1) & (m->cap - 1);
    m->h[k] = h;
    m->ix[k] = ix;
    m->n++;
}

/* The entry with hash h for which eq says yes, or -1. */
static int64_t hx_find(const hindex_t *m, uint64_t h, bool (*eq)(const void *ctx, uint32_t ix),
                       const void *ctx)
{
    if (m->cap == 0)
        return -1;
    h = nonzero(h);
    for (size_t k = h & (m->cap - 1); m->h[k]; k = (k + 1) & (m->cap - 1))
        if (m->h[k] == h && eq(ctx, m->ix[k]))
            return m->ix[k];
    return -1;
}

static void hx_clear(hindex_t *m)
{
    if (m->cap)
        memset(m->h, 0, m->cap * sizeof *m->h);
    m->n = 0;
}

static void hx_free(hindex_t *m)
{
    free(m->h);
    free(m->ix);
    memset(m, 0, sizeof *m);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    return ts_mix64(h ^ ts_mix64(v));
}

static uint64_t mix_str(uint64_t h, const char *s)
{
    /* FNV-1a over the bytes, then folded in. */
    uint64_t f = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        f = (f ^ (unsigned char)*s) * 0x100000001b3ULL;
    return mix(h, f);
}

/* ---- State ----------------------------------------------------------------------------- */

/* An incident this transaction read or created. */
typedef struct inc {
    ts_incident_t v;  /* strings in the transaction's arena */
    ts_dset_t hosts, peers;
    bool created;     /* not in the store yet */
    bool touched;     /* an event of this transaction went to it */
    int32_t old_score;
} inc_t;

/* A key this transaction met, with its latest incident. */
typedef struct slot {
    ts_inc_key_t k;
    uint64_t h;
    inc_t *cur;   /* NULL: the key has no incident yet */
    bool unread;  /* announced (ts_incagg_expect), cur not read yet */
} slot_t;

/* What one link of the event being written will do. */
typedef struct pending {
    uint32_t slot;
    inc_t *inc;        /* the incident it joins, or a new one ... */
    int64_t new_id;    /* ... with this id when inc is NULL */
    ts_prefix_t net;   /* the object as a prefix, for the critical factor */
} pending_t;

typedef ts_inc_rt_t rt_count_t;
typedef ts_inc_rh_t rh_count_t;

/* Whether an advisory matched for some site names a CVE: most CVEs have
 * none, and asking per incident would cost a query each. */
typedef struct cve_memo {
    const char *cve; /* in the transaction's arena */
    bool any;
} cve_memo_t;

typedef struct site_node {
    int64_t id, parent;
} site_node_t;

struct ts_incagg {
    /* Between transactions. */
    bool have_meta;
    ts_inc_meta_t meta;
    ts_incconf_t conf;
    site_node_t *sites; /* sorted by id */
    size_t n_sites;
    ts_suppress_t *rules; /* sorted by site, strings in rules_arena */
    size_t n_rules;
    ts_arena_t *rules_arena;
    ts_critical_t *marks; /* sorted by site */
    size_t n_marks;

    /* This transaction. */
    bool started;          /* the meta was checked */
    int64_t next_id, left; /* ids for new incidents (id_block) */
    ts_arena_t *arena;
    slot_t *slots;
    size_t n_slots, cap_slots;
    hindex_t slot_ix;
    size_t n_unread; /* slots announced and not read yet */
    inc_t **incs;    /* every incident read or created */
    size_t n_incs, cap_incs;
    rt_count_t *rt;
    size_t n_rt, cap_rt;
    hindex_t rt_ix;
    rh_count_t *rh;
    size_t n_rh, cap_rh;
    hindex_t rh_ix;
    cve_memo_t *cves; /* CVEs asked about (advisory_any) */
    size_t n_cves, cap_cves;

    /* The event being written. */
    bool checked; /* it passed ts_store_event_check: ts_incagg_stored counts it */
    ts_arena_t *check_arena;
    bool check_used;
    pending_t *pend;
    ts_link_t *links;
    int cap_links, n_pend;
    int64_t ev_time;
    ts_buf_t blob_h, blob_p, tmp;
};

static ts_incagg_t *agg_of(ts_store_t *st)
{
    if (st->agg == NULL) {
        ts_incagg_t *a = ts_xcalloc(1, sizeof *a);
        a->arena = ts_arena_new(16384);
        a->rules_arena = ts_arena_new(4096);
        a->check_arena = ts_arena_new(4096);
        ts_incconf_defaults(&a->conf);
        st->agg = a;
    }
    return st->agg;
}

static void txn_reset(ts_incagg_t *a)
{
    for (size_t i = 0; i < a->n_incs; i++) {
        ts_dset_reset(&a->incs[i]->hosts);
        ts_dset_reset(&a->incs[i]->peers);
        free(a->incs[i]);
    }
    a->n_incs = a->n_slots = a->n_rt = a->n_rh = a->n_cves = a->n_unread = 0;
    hx_clear(&a->slot_ix);
    hx_clear(&a->rt_ix);
    hx_clear(&a->rh_ix);
    ts_arena_reset(a->arena);
    a->started = false;
    a->n_pend = 0;
    a->left = 0;
}

void ts_incagg_free(ts_incagg_t *a)
{
    if (a == NULL)
        return;
    txn_reset(a);
    ts_arena_free(a->arena);
    ts_arena_free(a->rules_arena);
    ts_arena_free(a->check_arena);
    free(a->slots);
    free(a->incs);
    free(a->rt);
    free(a->rh);
    free(a->cves);
    hx_free(&a->slot_ix);
    hx_free(&a->rt_ix);
    hx_free(&a->rh_ix);
    free(a->sites);
    free(a->rules);
    free(a->marks);
    free(a->pend);
    free(a->links);
    ts_buf_free(&a->blob_h);
    ts_buf_free(&a->blob_p);
    ts_buf_free(&a->tmp);
    free(a);
}

static const struct ts_store_incident_ops *iops(ts_store_t *st)
{
    return st->no_incidents ? NULL : st->ops->incident;
}

/* ---- The caches ---------------------------------------------------------------------- */

static int cmp_site(const void *x, const void *y)
{
    const site_node_t *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int site_row(const ts_site_info_t *s, void *ctx)
{
    ts_incagg_t *a = ctx;
    if (a->n_sites % 256 == 0)
        a->sites = ts_xrealloc(a->sites, (a->n_sites + 256) * sizeof *a->sites);
    a->sites[a->n_sites++] = (site_node_t){s->id, s->parent_id};
    return 0;
}

static int64_t parent_of(const ts_incagg_t *a, int64_t id)
{
    site_node_t key = {id, 0};
    const site_node_t *n = bsearch(&key, a->sites, a->n_sites, sizeof key, cmp_site);
    return n ? n->parent : 0;
}

static int cmp_rule(const void *x, const void *y)
{
    const ts_suppress_t *a = x, *b = y;
    return a->site_id < b->site_id ? -1 : a->site_id > b->site_id;
}

static int rule_row(const ts_suppress_t *r, const char *site_name, void *ctx)
{
    ts_incagg_t *a = ctx;
    if (a->n_rules % 64 == 0)
        a->rules = ts_xrealloc(a->rules, (a->n_rules + 64) * sizeof *a->rules);
    ts_suppress_t *c = &a->rules[a->n_rules++];
    *c = *r;
    c->identifier = ts_arena_strdup(a->rules_arena, ts_str_c(r->identifier)).ptr;
    c->who = c->note = "";
    return 0;
}

static int cmp_mark(const void *x, const void *y)
{
    const ts_critical_t *a = x, *b = y;
    return a->site_id < b->site_id ? -1 : a->site_id > b->site_id;
}

static int mark_row(const ts_critical_t *m, const char *site_name, void *ctx)
{
    ts_incagg_t *a = ctx;
    if (a->n_marks % 64 == 0)
        a->marks = ts_xrealloc(a->marks, (a->n_marks + 64) * sizeof *a->marks);
    ts_critical_t *c = &a->marks[a->n_marks++];
    *c = *m;
    c->who = c->note = "";
    return 0;
}

static int load_config(ts_store_t *st, ts_incagg_t *a)
{
    ts_buf_reset(&a->tmp);
    int r = iops(st)->config_text(st, &a->tmp);
    if (r)
        return r;
    char err[256];
    if (a->tmp.len == 0) {
        ts_incconf_defaults(&a->conf);
    } else if (ts_incconf_parse(a->tmp.data, a->tmp.len, &a->conf, err, sizeof err) != 0) {
        /* Only tocsin writes it, canonical and checked: keep on with the defaults. */
        ts_log_error("store: the stored incident configuration is invalid (%s); using defaults",
                     err);
        ts_incconf_defaults(&a->conf);
    }
    return 0;
}

/* On a transaction's first event: what changed since the last one. */
static int begin_txn(ts_store_t *st, ts_incagg_t *a)
{
    ts_inc_meta_t m;
    int r = iops(st)->meta(st, &m);
    if (r)
        return r;
    bool all = !a->have_meta;
    if (r == 0 && (all || m.config_gen != a->meta.config_gen))
        r = load_config(st, a);
    if (r == 0 && (all || m.sites_gen != a->meta.sites_gen)) {
        a->n_sites = 0;
        r = ts_store_sites_foreach(st, site_row, a);
        if (a->n_sites > 1) /* qsort's base may not be NULL, even for none */
            qsort(a->sites, a->n_sites, sizeof *a->sites, cmp_site);
    }
    if (r == 0 && (all || m.suppress_gen != a->meta.suppress_gen)) {
        a->n_rules = 0;
        ts_arena_reset(a->rules_arena);
        r = iops(st)->suppress_foreach(st, 0, rule_row, a);
        if (a->n_rules > 1) /* qsort's base may not be NULL, even for none */
            qsort(a->rules, a->n_rules, sizeof *a->rules, cmp_rule);
    }
    if (r == 0 && (all || m.critical_gen != a->meta.critical_gen)) {
        a->n_marks = 0;
        r = iops(st)->critical_foreach(st, 0, mark_row, a);
        if (a->n_marks > 1) /* qsort's base may not be NULL, even for none */
            qsort(a->marks, a->n_marks, sizeof *a->marks, cmp_mark);
    }
    if (r) {
        a->have_meta = false; /* reload everything next time */
        return r;
    }
    a->meta = m;
    a->have_meta = true;
    a->started = true;
    return 0;
}

/* A site and its ancestors, the site first; returns how many. */
static size_t lineage(const ts_incagg_t *a, int64_t site, int64_t *out)
{
    size_t n = 0;
    for (int64_t s = site; s > 0 && n < DEPTH_MAX; s = parent_of(a, s))
        out[n++] = s;
    return n;
}

/* ---- Keys and incidents ------------------------------------------------------------------ */

static uint64_t key_hash(const ts_inc_key_t *k)
{
    uint64_t h = mix(mix(mix(0, (uint64_t)k->site_id), k->type), (uint64_t)k->role << 1 | k->suppressed);
    return mix_str(mix_str(h, k->identifier), k->object);
}

static bool key_eq(const ts_inc_key_t *x, const ts_inc_key_t *y)
{
    return x->site_id == y->site_id && x->type == y->type && x->role == y->role &&
           x->suppressed == y->suppressed && strcmp(x->identifier, y->identifier) == 0 &&
           strcmp(x->object, y->object) == 0;
}

struct key_probe {
    const ts_incagg_t *a;
    const ts_inc_key_t *k;
};

static bool slot_is(const void *ctx, uint32_t ix)
{
    const struct key_probe *p = ctx;
    return key_eq(&p->a->slots[ix].k, p->k);
}

static const char *dup(ts_incagg_t *a, const char *s)
{
    return ts_arena_strdup(a->arena, ts_str_c(s ? s : "")).ptr;
}

static inc_t *inc_add(ts_incagg_t *a)
{
    if (a->n_incs == a->cap_incs) {
        a->cap_incs = a->cap_incs ? a->cap_incs * 2 : 64;
        a->incs = ts_xrealloc(a->incs, a->cap_incs * sizeof *a->incs);
    }
    inc_t *i = ts_xcalloc(1, sizeof *i);
    a->incs[a->n_incs++] = i;
    return i;
}

struct latest_ctx {
    ts_incagg_t *a;
    inc_t *inc;
    int err;
};

static int got_latest(const ts_inc_row_t *row, void *ctx)
{
    struct latest_ctx *l = ctx;
    ts_incagg_t *a = l->a;
    inc_t *i = inc_add(a);
    i->v = row->inc;
    i->v.site_name = "";
    i->v.identifier = dup(a, row->inc.identifier);
    i->v.object = dup(a, row->inc.object);
    i->v.feed = dup(a, row->inc.feed);
    i->v.cve = dup(a, row->inc.cve);
    i->v.advisory = dup(a, row->inc.advisory);
    i->v.critical = dup(a, row->inc.critical);
    i->v.note = "";
    i->old_score = row->inc.score;
    if (ts_dset_decode(&i->hosts, row->hosts, row->hosts_len) != 0 ||
        ts_dset_decode(&i->peers, row->peers, row->peers_len) != 0) {
        /* Counts start again rather than the events stop. */
        ts_log_warn("store: incident %lld: unreadable host or peer set, counted anew",
                    (long long)row->inc.id);
        ts_dset_reset(&i->hosts);
        ts_dset_reset(&i->peers);
    }
    l->inc = i;
    return 0;
}

static uint32_t slot_add(ts_incagg_t *a, const ts_inc_key_t *k, uint64_t h, inc_t *cur,
                         bool unread)
{
    if (a->n_slots == a->cap_slots) {
        a->cap_slots = a->cap_slots ? a->cap_slots * 2 : 64;
        a->slots = ts_xrealloc(a->slots, a->cap_slots * sizeof *a->slots);
    }
    slot_t *s = &a->slots[a->n_slots];
    s->k = *k;
    s->k.identifier = dup(a, k->identifier);
    s->k.object = dup(a, k->object);
    s->h = h;
    s->cur = cur;
    s->unread = unread;
    a->n_unread += unread;
    hx_put(&a->slot_ix, h, (uint32_t)a->n_slots);
    return (uint32_t)a->n_slots++;
}

/* A row of latest_many: the incident of its key's slot. */
static int got_many(const ts_inc_row_t *row, void *ctx)
{
    ts_incagg_t *a = ctx;
    ts_inc_key_t k = {.site_id = row->inc.site_id,
                      .type = row->inc.type,
                      .identifier = row->inc.identifier,
                      .object = row->inc.object,
                      .role = row->inc.role,
                      .suppressed = row->inc.suppressed};
    struct key_probe p = {a, &k};
    int64_t ix = hx_find(&a->slot_ix, key_hash(&k), slot_is, &p);
    if (ix < 0 || !a->slots[ix].unread)
        return 0; /* not asked for, or a second row of its key: the first is the latest */
    struct latest_ctx l = {.a = a};
    got_latest(row, &l);
    a->slots[ix].cur = l.inc;
    a->slots[ix].unread = false;
    a->n_unread--;
    return 0;
}

/* Reads the incidents of every announced slot, in one call. */
static int read_unread(ts_store_t *st, ts_incagg_t *a)
{
    ts_inc_key_t *keys = ts_xmalloc(a->n_unread * sizeof *keys);
    size_t n = 0;
    for (size_t k = 0; k < a->n_slots && n < a->n_unread; k++)
        if (a->slots[k].unread)
            keys[n++] = a->slots[k].k;
    int r = iops(st)->latest_many(st, keys, n, got_many, a);
    free(keys);
    if (r)
        return r;
    /* The keys without an incident. */
    for (size_t k = 0; k < a->n_slots; k++)
        a->slots[k].unread = false;
    a->n_unread = 0;
    return 0;
}

/* The slot of key k, read from the store on first use. */
static int slot_of(ts_store_t *st, ts_incagg_t *a, const ts_inc_key_t *k, uint32_t *out)
{
    uint64_t h = key_hash(k);
    struct key_probe p = {a, k};
    int64_t ix = hx_find(&a->slot_ix, h, slot_is, &p);
    if (ix >= 0) {
        *out = (uint32_t)ix;
        return a->slots[ix].unread ? read_unread(st, a) : 0;
    }
    struct latest_ctx l = {.a = a};
    int r = iops(st)->latest(st, k, got_latest, &l);
    if (r)
        return r;
    *out = slot_add(a, k, h, l.inc, false);
    return 0;
}

static bool joinable(const ts_incagg_t *a, const inc_t *i, int64_t t)
{
    return ts_inc_state_open(i->v.state) &&
           t <= i->v.last_seen + ts_incconf_window(&a->conf, i->v.type);
}

/* Whether a rule of the link's site or of an ancestor suppresses it. */
static bool suppressed(const ts_incagg_t *a, const int64_t *line, size_t n_line,
                       const ts_event_t *e, const ts_prefix_t *net, const ts_ip_t *peer,
                       int64_t t)
{
    if (a->n_rules == 0 || net->addr.family == TS_AF_NONE)
        return false;
    for (size_t k = 0; k < n_line; k++) {
        ts_suppress_t key = {.site_id = line[k]};
        ts_suppress_t *r = bsearch(&key, a->rules, a->n_rules, sizeof key, cmp_rule);
        if (r == NULL)
            continue;
        while (r > a->rules && r[-1].site_id == line[k])
            r--;
        for (; r < a->rules + a->n_rules && r->site_id == line[k]; r++)
            if (ts_suppress_match(r, e->type, e->identifier, net, peer, t))
                return true;
    }
    return false;
}

static int64_t event_time(const ts_event_t *e)
{
    if (e->time_source != TS_TIME_NONE)
        return e->time_source;
    if (e->time_observation != TS_TIME_NONE)
        return e->time_observation;
    return ts_time_now();
}

/* The event's identifier as keys hold it: a C string cut to a bound. */
static const char *key_ident(ts_incagg_t *a, const ts_event_t *e)
{
    if (e->identifier.ptr == NULL)
        return "";
    size_t n = e->identifier.len < TS_INC_IDENT_MAX ? e->identifier.len : TS_INC_IDENT_MAX;
    return ts_arena_strdup(a->arena, ts_str(e->identifier.ptr, n)).ptr;
}

/* Link l's key, its object into obj (TS_INC_OBJECT_MAX bytes) and as a
 * prefix into *net. */
static void link_key(const ts_incagg_t *a, const ts_event_t *e, const ts_link_t *l,
                     const char *ident, int64_t t, char *obj, ts_prefix_t *net, ts_inc_key_t *k)
{
    ts_prefix_t one;
    ts_targets_t own;
    ts_inc_object(e, l, &one, &own, obj, TS_INC_OBJECT_MAX, net);
    ts_ip_t peer = ts_inc_peer(e, l);
    int64_t line[DEPTH_MAX];
    size_t n_line = lineage(a, l->match.site_id, line);
    *k = (ts_inc_key_t){.site_id = l->match.site_id,
                        .type = e->type,
                        .identifier = ident,
                        .object = obj,
                        .role = l->role,
                        .suppressed = suppressed(a, line, n_line, e, net, &peer, t)};
}

/* Whether the event passes the backend's checks (ts_store_event_check), with
 * *e and *links what to write (bounded copies in check_arena); a malformed
 * one is left unaggregated, for the backend to refuse with its message. */
static bool well_formed(ts_incagg_t *a, const ts_event_t *e_in, const ts_link_t *links_in,
                        int n_links, const ts_event_t **e, const ts_link_t **links)
{
    const char *why;
    return ts_store_event_check(e_in, links_in, n_links, a->check_arena, &a->check_used, e, links,
                                &why) == 0;
}

int ts_incagg_expect(ts_store_t *st, const ts_event_t *e_in, const ts_link_t *links_in,
                     int n_links)
{
    if (iops(st) == NULL || iops(st)->latest_many == NULL || n_links == 0)
        return 0;
    ts_incagg_t *a = agg_of(st);
    const ts_event_t *e;
    const ts_link_t *links;
    if (!well_formed(a, e_in, links_in, n_links, &e, &links))
        return 0;
    int r = a->started ? 0 : begin_txn(st, a);
    if (r)
        return r;
    const char *ident = key_ident(a, e);
    int64_t t = event_time(e);
    for (int i = 0; i < n_links; i++) {
        char obj[TS_INC_OBJECT_MAX];
        ts_prefix_t net;
        ts_inc_key_t k;
        link_key(a, e, &links[i], ident, t, obj, &net, &k);
        uint64_t h = key_hash(&k);
        struct key_probe p = {a, &k};
        if (hx_find(&a->slot_ix, h, slot_is, &p) < 0)
            slot_add(a, &k, h, NULL, true);
    }
    return 0;
}

int ts_incagg_event(ts_store_t *st, const ts_event_t *e_in, const ts_link_t *links_in,
                    int n_links, const ts_event_t **e_out, const ts_link_t **links_out)
{
    *e_out = e_in;
    *links_out = links_in;
    if (iops(st) == NULL)
        return 0;
    ts_incagg_t *a = agg_of(st);
    a->n_pend = 0;
    a->checked = false;
    const ts_event_t *e;
    const ts_link_t *links;
    if (!well_formed(a, e_in, links_in, n_links, &e, &links))
        return 0;
    a->checked = true;
    *e_out = e;
    int r = a->started ? 0 : begin_txn(st, a);
    if (r || n_links == 0)
        return r;
    if (n_links > a->cap_links) {
        a->cap_links = n_links;
        a->links = ts_xrealloc(a->links, (size_t)n_links * sizeof *a->links);
        a->pend = ts_xrealloc(a->pend, (size_t)n_links * sizeof *a->pend);
    }
    memcpy(a->links, links, (size_t)n_links * sizeof *links);
    a->ev_time = event_time(e);
    const char *ident = key_ident(a, e);
    for (int i = 0; i < n_links; i++) {
        pending_t *p = &a->pend[i];
        char obj[TS_INC_OBJECT_MAX];
        ts_inc_key_t k;
        link_key(a, e, &links[i], ident, a->ev_time, obj, &p->net, &k);
        r = slot_of(st, a, &k, &p->slot);
        if (r)
            return r;
        inc_t *cur = a->slots[p->slot].cur;
        p->inc = cur && joinable(a, cur, a->ev_time) ? cur : NULL;
        p->new_id = 0;
        if (p->inc == NULL && a->left == 0 && (r = iops(st)->id_block(st, &a->next_id, &a->left)))
            return r;
        if (p->inc == NULL) {
            p->new_id = a->next_id++;
            a->left--;
        }
        a->links[i].incident_id = p->inc ? p->inc->v.id : p->new_id;
    }
    a->n_pend = n_links;
    *links_out = a->links;
    return 0;
}

/* ---- Counting a stored event ------------------------------------------------------------------ */

static void count_own(inc_t *i, const ts_targets_t *own)
{
    for (uint32_t k = 0; k < own->n; k++)
        ts_dset_add(&i->hosts, ts_dset_hash(&own->list[k]));
    ts_dset_floor(&i->hosts, own->count > own->n ? own->count : own->n);
}

static void count_peers(inc_t *i, const ts_event_t *e, const ts_link_t *l)
{
    const ts_endpoint_t *far = l->role == TS_ROLE_SOURCE ? &e->dst : &e->src;
    if (far->ip.family != TS_AF_NONE) {
        ts_prefix_t p = {.addr = far->ip, .len = far->ip.family == TS_AF_INET ? 32 : 128};
        ts_dset_add(&i->peers, ts_dset_hash(&p));
    } else if (far->targets && far->targets->n > 0) {
        uint32_t n = far->targets->n < PEERS_MAX ? far->targets->n : PEERS_MAX;
        for (uint32_t k = 0; k < n; k++)
            ts_dset_add(&i->peers, ts_dset_hash(&far->targets->list[k]));
        ts_dset_floor(&i->peers, far->targets->count);
    } else if (far->network.addr.family != TS_AF_NONE) {
        ts_dset_add(&i->peers, ts_dset_hash(&far->network));
    }
}

static inc_t *open_incident(ts_incagg_t *a, const pending_t *p, const ts_event_t *e)
{
    slot_t *s = &a->slots[p->slot];
    inc_t *i = inc_add(a);
    i->created = true;
    ts_incident_t *v = &i->v;
    v->id = p->new_id;
    v->site_id = s->k.site_id;
    v->site_name = "";
    v->previous_id = s->cur ? s->cur->v.id : 0;
    v->type = s->k.type;
    v->identifier = s->k.identifier;
    v->object = s->k.object;
    v->net = p->net;
    v->role = s->k.role;
    v->suppressed = s->k.suppressed;
    v->state = TS_INC_NEW;
    v->first_seen = v->last_seen = a->ev_time;
    v->created = ts_time_now();
    v->feed = v->cve = v->advisory = v->critical = v->note = "";
    const ts_str_t feed = e->feed_name.ptr ? e->feed_name : e->feed_provider;
    if (feed.ptr)
        v->feed = ts_arena_strdup(a->arena, feed).ptr;
    s->cur = i;
    return i;
}

static void count_rollups(ts_incagg_t *a, const ts_event_t *e, const ts_link_t *links, int n);

void ts_incagg_stored(ts_store_t *st, const ts_event_t *e, int64_t id)
{
    if (iops(st) == NULL || st->agg == NULL || !st->agg->checked)
        return;
    ts_incagg_t *a = st->agg;
    a->checked = false;
    if (e->time_source != TS_TIME_NONE || e->time_observation != TS_TIME_NONE)
        count_rollups(a, e, a->links, a->n_pend);
    char cve[32];
    bool has_cve = false, looked = false;
    for (int k = 0; k < a->n_pend; k++) {
        const pending_t *p = &a->pend[k];
        const ts_link_t *l = &a->links[k];
        inc_t *i = p->inc ? p->inc : open_incident(a, p, e);
        ts_incident_t *v = &i->v;
        i->touched = true;
        v->events++;
        v->count += e->count;
        if (a->ev_time < v->first_seen)
            v->first_seen = a->ev_time;
        if (a->ev_time > v->last_seen)
            v->last_seen = a->ev_time;
        if (v->first_event == 0 || id < v->first_event)
            v->first_event = id;
        if (id > v->last_event)
            v->last_event = id;
        if (e->tlp > v->tlp)
            v->tlp = e->tlp;
        if (v->cve[0] == '\0') {
            if (!looked) {
                has_cve = ts_inc_cve(e, cve, sizeof cve);
                looked = true;
            }
            if (has_cve)
                v->cve = dup(a, cve);
        }
        ts_prefix_t one;
        ts_targets_t own;
        ts_link_own(e, l, &one, &own);
        count_own(i, &own);
        count_peers(i, e, l);
    }
    a->n_pend = 0;
}

/* ---- Roll-ups ------------------------------------------------------------------------------ */

static int64_t day_of(int64_t t)
{
    return t >= 0 ? t / TS_DAY_US : -((-t + TS_DAY_US - 1) / TS_DAY_US);
}

struct rt_probe {
    const ts_incagg_t *a;
    int64_t site, day;
    ts_type_t type;
    bool hidden;
};

static bool rt_is(const void *ctx, uint32_t ix)
{
    const struct rt_probe *p = ctx;
    const rt_count_t *c = &p->a->rt[ix];
    return c->site_id == p->site && c->day == p->day && c->type == p->type &&
           c->hidden == p->hidden;
}

static void rt_add(ts_incagg_t *a, int64_t site, int64_t day, ts_type_t type, bool hidden)
{
    uint64_t h = mix(mix(mix(hidden, (uint64_t)site), (uint64_t)day), type);
    struct rt_probe p = {a, site, day, type, hidden};
    int64_t ix = hx_find(&a->rt_ix, h, rt_is, &p);
    if (ix >= 0) {
        a->rt[ix].n++;
        return;
    }
    if (a->n_rt == a->cap_rt) {
        a->cap_rt = a->cap_rt ? a->cap_rt * 2 : 64;
        a->rt = ts_xrealloc(a->rt, a->cap_rt * sizeof *a->rt);
    }
    a->rt[a->n_rt] = (rt_count_t){site, day, type, hidden, 1};
    hx_put(&a->rt_ix, h, (uint32_t)a->n_rt++);
}

struct rh_probe {
    const ts_incagg_t *a;
    int64_t site, day;
    const ts_ip_t *ip;
    bool hidden;
};

static bool rh_is(const void *ctx, uint32_t ix)
{
    const struct rh_probe *p = ctx;
    const rh_count_t *c = &p->a->rh[ix];
    return c->site_id == p->site && c->day == p->day && c->hidden == p->hidden &&
           ts_ip_equal(&c->ip, p->ip);
}

static void rh_add(ts_incagg_t *a, int64_t site, int64_t day, const ts_ip_t *ip, bool hidden)
{
    uint64_t w[2];
    memcpy(w, ip->bytes, 16);
    uint64_t h =
        mix(mix(mix(mix(hidden, (uint64_t)site), (uint64_t)day), w[0]), w[1] ^ ip->family);
    struct rh_probe p = {a, site, day, ip, hidden};
    int64_t ix = hx_find(&a->rh_ix, h, rh_is, &p);
    if (ix >= 0) {
        a->rh[ix].n++;
        return;
    }
    if (a->n_rh == a->cap_rh) {
        a->cap_rh = a->cap_rh ? a->cap_rh * 2 : 64;
        a->rh = ts_xrealloc(a->rh, a->cap_rh * sizeof *a->rh);
    }
    a->rh[a->n_rh] = (rh_count_t){site, day, *ip, hidden, 1};
    hx_put(&a->rh_ix, h, (uint32_t)a->n_rh++);
}

static int cmp_site_id(const void *x, const void *y)
{
    const int64_t *a = x, *b = y;
    return *a < *b ? -1 : *a > *b;
}

/* Who of the sites seeing an event may not (TS_TLP_SITE_SQL): with RED
 * everyone; with AMBER+STRICT whoever has none of its network links in
 * its subtree, i.e. is in no such link's lineage (viewers, sorted, found
 * once per event: an event may have thousands of links). */
typedef struct hiding {
    ts_tlp_t tlp;
    int64_t *viewers;
    size_t n;
} hiding_t;

static void hiding_init(hiding_t *h, const ts_incagg_t *a, const ts_event_t *e,
                        const ts_link_t *links, int n)
{
    *h = (hiding_t){.tlp = e->tlp};
    if (e->tlp != TS_TLP_AMBER_STRICT)
        return;
    for (int k = 0; k < n; k++) {
        if (links[k].match.kind != TS_RULE_NETWORK)
            continue;
        int64_t line[DEPTH_MAX];
        size_t n_line = lineage(a, links[k].match.site_id, line);
        h->viewers = ts_xrealloc(h->viewers, (h->n + n_line) * sizeof *h->viewers);
        memcpy(h->viewers + h->n, line, n_line * sizeof *line);
        h->n += n_line;
    }
    if (h->n > 1)
        qsort(h->viewers, h->n, sizeof *h->viewers, cmp_site_id);
}

static bool hidden_from(const hiding_t *h, int64_t s)
{
    if (h->tlp == TS_TLP_RED)
        return true;
    return h->tlp == TS_TLP_AMBER_STRICT &&
           (h->n == 0 || bsearch(&s, h->viewers, h->n, sizeof s, cmp_site_id) == NULL);
}

/* An event counts once for the CSIRT (site 0) and once for every site that
 * sees it: its link sites and their ancestors, so that a subtree's counts
 * are its root's row alone, never a sum that would count an event twice. The
 * top hosts count per link, as eventq.h defines them, for the link's site,
 * its ancestors and site 0 alike. What a site may not see is counted again
 * as hidden (incstore_int.h). */
static void count_rollups(ts_incagg_t *a, const ts_event_t *e, const ts_link_t *links, int n)
{
    int64_t t = e->time_source != TS_TIME_NONE ? e->time_source : e->time_observation;
    int64_t day = day_of(t);
    rt_add(a, 0, day, e->type, false);
    hiding_t hide;
    hiding_init(&hide, a, e, links, n);
    int64_t seen[2 * DEPTH_MAX];
    size_t n_seen = 0;
    for (int k = 0; k < n; k++) {
        int64_t line[DEPTH_MAX];
        size_t n_line = lineage(a, links[k].match.site_id, line);
        for (size_t j = 0; j < n_line; j++) {
            bool dup_site = false;
            for (size_t s = 0; s < n_seen && !dup_site; s++)
                dup_site = seen[s] == line[j];
            if (dup_site)
                continue;
            if (n_seen < sizeof seen / sizeof seen[0])
                seen[n_seen++] = line[j];
            rt_add(a, line[j], day, e->type, false);
            if (hidden_from(&hide, line[j]))
                rt_add(a, line[j], day, e->type, true);
        }
        const ts_endpoint_t *ep = links[k].role == TS_ROLE_SOURCE ? &e->src : &e->dst;
        if (ep->ip.family == TS_AF_NONE)
            continue;
        for (size_t j = 0; j < n_line; j++) {
            rh_add(a, line[j], day, &ep->ip, false);
            if (hidden_from(&hide, line[j]))
                rh_add(a, line[j], day, &ep->ip, true);
        }
        rh_add(a, 0, day, &ep->ip, false);
    }
    free(hide.viewers);
}

/* ---- Commit ------------------------------------------------------------------------------------ */

static bool overlaps(const ts_prefix_t *a, const ts_prefix_t *b)
{
    return ts_prefix_covers(a, b) || ts_prefix_covers(b, a);
}

/* The critical mark of the incident's site or an ancestor touching its
 * object, formatted into buf; false when none. */
static bool critical_of(const ts_incagg_t *a, const ts_incident_t *v, char *buf, size_t size)
{
    if (a->n_marks == 0 || v->net.addr.family == TS_AF_NONE)
        return false;
    int64_t line[DEPTH_MAX];
    size_t n_line = lineage(a, v->site_id, line);
    for (size_t k = 0; k < n_line; k++)
        for (size_t m = 0; m < a->n_marks; m++)
            if (a->marks[m].site_id == line[k] && overlaps(&a->marks[m].net, &v->net)) {
                ts_prefix_format(&a->marks[m].net, buf, size);
                return true;
            }
    return false;
}

static int cve_any(ts_store_t *st, ts_incagg_t *a, const char *cve, bool *any)
{
    for (size_t k = 0; k < a->n_cves; k++)
        if (strcmp(a->cves[k].cve, cve) == 0) {
            *any = a->cves[k].any;
            return 0;
        }
    int r = iops(st)->advisory_any(st, cve, any);
    if (r)
        return r;
    if (a->n_cves == a->cap_cves) {
        a->cap_cves = a->cap_cves ? a->cap_cves * 2 : 16;
        a->cves = ts_xrealloc(a->cves, a->cap_cves * sizeof *a->cves);
    }
    a->cves[a->n_cves++] = (cve_memo_t){dup(a, cve), *any};
    return 0;
}

static int score(ts_store_t *st, ts_incagg_t *a, inc_t *i)
{
    ts_incident_t *v = &i->v;
    v->own_hosts = ts_dset_count(&i->hosts);
    v->peers = ts_dset_count(&i->peers);
    char crit[TS_IP_STRLEN];
    v->critical = critical_of(a, v, crit, sizeof crit) ? dup(a, crit) : "";
    bool any = false;
    if (v->cve[0] && v->advisory[0] == '\0' && !v->suppressed) {
        int r = cve_any(st, a, v->cve, &any);
        if (r)
            return r;
    }
    if (any) {
        int64_t line[DEPTH_MAX];
        size_t n_line = lineage(a, v->site_id, line);
        ts_buf_reset(&a->tmp);
        int r = iops(st)->advisory_for(st, line, n_line, v->cve, &a->tmp);
        if (r)
            return r;
        if (a->tmp.len)
            v->advisory = dup(a, a->tmp.data);
    }
    ts_prio_in_t in = {.role = v->role,
                       .type = v->type,
                       .count = v->count,
                       .own_hosts = v->own_hosts,
                       .peers = v->peers,
                       .first_seen = v->first_seen,
                       .last_seen = v->last_seen,
                       .critical = v->critical[0] != '\0',
                       .advisory = v->advisory[0] != '\0',
                       .tlp = v->tlp,
                       .suppressed = v->suppressed};
    ts_prio_t p;
    ts_priority(&a->conf, &in, &p);
    v->score = p.score;
    memcpy(v->points, p.points, sizeof v->points);
    return 0;
}

/* The row of a touched incident, scored, its blobs in the transaction's arena. */
static int incident_row(ts_store_t *st, ts_incagg_t *a, inc_t *i, int64_t seq, int64_t now,
                        ts_inc_row_t *row)
{
    int r = score(st, a, i);
    if (r)
        return r;
    if (i->created || i->v.score != i->old_score)
        i->v.changed = seq;
    i->v.updated = now;
    ts_buf_reset(&a->blob_h);
    ts_buf_reset(&a->blob_p);
    ts_dset_encode(&i->hosts, &a->blob_h);
    ts_dset_encode(&i->peers, &a->blob_p);
    uint8_t *h = ts_arena_alloc(a->arena, a->blob_h.len + a->blob_p.len);
    memcpy(h, a->blob_h.data, a->blob_h.len);
    memcpy(h + a->blob_h.len, a->blob_p.data, a->blob_p.len);
    *row = (ts_inc_row_t){.inc = i->v,
                          .hosts = h,
                          .hosts_len = a->blob_h.len,
                          .peers = h + a->blob_h.len,
                          .peers_len = a->blob_p.len};
    return 0;
}


static int cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_row(const void *x, const void *y)
{
    const ts_inc_row_t *a = x, *b = y;
    return cmp_i64(a->inc.id, b->inc.id);
}

static int cmp_rt(const void *x, const void *y)
{
    const rt_count_t *a = x, *b = y;
    int c = cmp_i64(a->site_id, b->site_id);
    c = c ? c : cmp_i64(a->day, b->day);
    c = c ? c : cmp_i64(a->type, b->type);
    return c ? c : a->hidden - b->hidden;
}

static int cmp_rh(const void *x, const void *y)
{
    const rh_count_t *a = x, *b = y;
    int c = cmp_i64(a->site_id, b->site_id);
    c = c ? c : cmp_i64(a->day, b->day);
    if (c)
        return c;
    /* The stored key: the 16-byte form, IPv4 mapped. */
    ts_prefix_t pa = {.addr = a->ip, .len = a->ip.family == TS_AF_INET ? 32 : 128};
    ts_prefix_t pb = {.addr = b->ip, .len = b->ip.family == TS_AF_INET ? 32 : 128};
    uint8_t la[16], lb[16], hi[16];
    ts_prefix_range16(&pa, la, hi);
    ts_prefix_range16(&pb, lb, hi);
    c = memcmp(la, lb, 16);
    return c ? c : a->hidden - b->hidden;
}

/* The touched incidents, new ones then changed ones, each in id order:
 * written as two batches (incstore_int.h's put). */
static int write_incidents(ts_store_t *st, ts_incagg_t *a, size_t touched)
{
    int64_t seq = 0, now = ts_time_now();
    int r = iops(st)->seq_next(st, &seq);
    if (r)
        return r;
    ts_inc_row_t *rows = ts_xmalloc(touched * sizeof *rows);
    size_t n_new = 0, n_old = 0;
    for (size_t k = 0; r == 0 && k < a->n_incs; k++) {
        inc_t *i = a->incs[k];
        if (i->touched)
            r = incident_row(st, a, i, seq, now,
                             i->created ? &rows[n_new++] : &rows[touched - ++n_old]);
    }
    if (r == 0 && n_new > 1)
        qsort(rows, n_new, sizeof *rows, cmp_row);
    if (r == 0 && n_old > 1)
        qsort(rows + n_new, n_old, sizeof *rows, cmp_row);
    if (r == 0 && n_new > 0)
        r = iops(st)->put(st, rows, n_new, true);
    if (r == 0 && n_old > 0)
        r = iops(st)->put(st, rows + n_new, n_old, false);
    free(rows);
    return r;
}

int ts_incagg_flush(ts_store_t *st)
{
    ts_incagg_t *a = st->agg;
    if (a == NULL || iops(st) == NULL)
        return 0;
    int r = 0;
    size_t touched = 0;
    for (size_t k = 0; k < a->n_incs; k++)
        touched += a->incs[k]->touched;
    if (touched > 0)
        r = write_incidents(st, a, touched);
    /* The hash indexes are not used again before txn_reset: the arrays may be sorted. */
    if (r == 0 && a->n_rt > 0) {
        if (a->n_rt > 1)
            qsort(a->rt, a->n_rt, sizeof *a->rt, cmp_rt);
        r = iops(st)->rollup_types(st, a->rt, a->n_rt);
    }
    if (r == 0 && a->n_rh > 0) {
        if (a->n_rh > 1)
            qsort(a->rh, a->n_rh, sizeof *a->rh, cmp_rh);
        r = iops(st)->rollup_hosts(st, a->rh, a->n_rh);
    }
    txn_reset(a);
    return r;
}

void ts_incagg_discard(ts_store_t *st)
{
    if (st->agg)
        txn_reset(st->agg);
}

/* ---- Scoring again --------------------------------------------------------------------------- */

struct rescore_ctx {
    ts_store_t *st;
    ts_incagg_t *a;
    const ts_prefix_t *net;
    int64_t last_id;
    size_t seen;
};

static int rescore_row(const ts_inc_row_t *row, void *ctx)
{
    struct rescore_ctx *c = ctx;
    c->last_id = row->inc.id;
    c->seen++;
    if (c->net && (row->inc.net.addr.family == TS_AF_NONE || !overlaps(c->net, &row->inc.net)))
        return 0;
    struct latest_ctx l = {.a = c->a};
    got_latest(row, &l);
    l.inc->touched = true;
    return 0;
}

int ts_incagg_rescore(ts_store_t *st, int64_t site_id, const ts_prefix_t *net)
{
    if (iops(st) == NULL)
        return TS_ENOTSUP;
    ts_incagg_t *a = agg_of(st);
    struct rescore_ctx c = {.st = st, .a = a, .net = net};
    for (;;) {
        int r = ts_store_begin(st);
        if (r)
            return r;
        r = begin_txn(st, a);
        size_t before = c.seen;
        if (r == 0)
            r = iops(st)->rows(st, site_id, c.last_id, 1000, rescore_row, &c);
        /* Only what scores differently is written (and moves the sequence). */
        for (size_t k = 0; r == 0 && k < a->n_incs; k++) {
            inc_t *i = a->incs[k];
            int32_t was = i->old_score;
            char was_crit[TS_IP_STRLEN], was_adv[256];
            snprintf(was_crit, sizeof was_crit, "%s", i->v.critical);
            snprintf(was_adv, sizeof was_adv, "%s", i->v.advisory);
            i->v.advisory = "";
            r = score(st, a, i);
            i->touched = r == 0 && (i->v.score != was || strcmp(was_crit, i->v.critical) != 0 ||
                                    strcmp(was_adv, i->v.advisory) != 0);
        }
        r = r ? r : ts_store_commit(st);
        if (r) {
            ts_store_rollback(st);
            return r;
        }
        if (c.seen - before < 1000)
            return 0;
    }
}
