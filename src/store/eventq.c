/* SPDX-License-Identifier: Apache-2.0 */
/* The portal queries: argument checks, then the backend's set questions, then
 * the events read through the core iteration, scoped to the subtree there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "store/eventq_int.h"

void ts_portal_filter_init(ts_portal_filter_t *f)
{
    memset(f, 0, sizeof *f);
    f->since = TS_TIME_NONE;
    f->until = TS_TIME_NONE;
    f->limit = 50;
}

static const struct ts_store_portal_ops *ops(ts_store_t *st)
{
    return st && st->ops ? st->ops->portal : NULL;
}

/* Hands each event on and notes that one was seen: the store already gave
 * it as the subtree may see it (its visible links and shares only). */
typedef struct fetch {
    ts_event_cb cb;
    void *ctx;
    bool seen;
} fetch_t;

static int fetch_cb(const ts_stored_event_t *ev, void *vctx)
{
    fetch_t *f = vctx;
    f->seen = true;
    return f->cb(ev, f->ctx);
}

/* The events of ids[0..n) (descending) that the subtree of site may see. */
static int fetch(ts_store_t *st, int64_t site, const int64_t *ids, size_t n, fetch_t *f)
{
    ts_event_filter_t ef;
    ts_event_filter_init(&ef);
    ef.site_id = site;
    ef.ids = ids;
    ef.n_ids = n;
    ef.newest_first = true;
    f->seen = false;
    return ts_store_events_foreach(st, &ef, fetch_cb, f);
}

int ts_store_portal_events(ts_store_t *st, const ts_portal_filter_t *f, ts_event_cb cb, void *ctx,
                           int64_t *next_id)
{
    if (ops(st) == NULL)
        return TS_ENOTSUP;
    if (f == NULL || cb == NULL || next_id == NULL || f->site_id < 0 || f->limit < 1 ||
        f->limit > TS_PORTAL_LIMIT_MAX || f->role < 0 || f->role > 2 || f->before_id < 0)
        return TS_EINVAL;
    *next_id = 0;
    /* One more than asked tells whether a next page exists. */
    int64_t *ids = ts_xmalloc((f->limit + 1) * sizeof *ids);
    size_t n = 0;
    int r = ops(st)->page(st, f, ids, f->limit + 1, &n);
    fetch_t fx = {.cb = cb, .ctx = ctx};
    size_t shown = n > f->limit ? f->limit : n;
    /* The page's events in one statement (the page ids are descending). */
    if (r == 0 && shown > 0)
        r = fetch(st, f->site_id, ids, shown, &fx);
    if (r == 0 && n > f->limit)
        *next_id = ids[f->limit - 1];
    free(ids);
    return r;
}

int ts_store_portal_event(ts_store_t *st, int64_t site_id, int64_t id, ts_event_cb cb, void *ctx)
{
    if (ops(st) == NULL)
        return TS_ENOTSUP;
    if (cb == NULL || site_id < 0)
        return TS_EINVAL;
    if (id <= 0)
        return TS_ENOENT;
    fetch_t fx = {.cb = cb, .ctx = ctx};
    int r = fetch(st, site_id, &id, 1, &fx);
    if (r == 0 && !fx.seen)
        r = TS_ENOENT;
    return r;
}

/* ---- Statistics ---------------------------------------------------------------------------- */

#define DAY_US 86400000000LL

typedef struct daycount {
    int64_t day;
    ts_type_t type;
    uint64_t n; /* 0: an empty slot */
} daycount_t;

typedef struct hostcount {
    uint8_t ip[16];
    int family;
    uint64_t n; /* 0: an empty slot */
} hostcount_t;

/* The counts being added up: open addressing on (day, type) and on address. */
typedef struct stats_acc {
    daycount_t *days;
    size_t days_cap, days_used;
    uint64_t by_type[TS_RSIT_TYPES];
    hostcount_t *hosts;
    size_t hosts_cap, hosts_used;
} stats_acc_t;

static size_t day_slot(const daycount_t *t, size_t cap, int64_t day, ts_type_t type)
{
    uint64_t h = ((uint64_t)day * 64 + type) * 0x9e3779b97f4a7c15ull;
    size_t k = (size_t)(h >> 20) & (cap - 1);
    while (t[k].n && (t[k].day != day || t[k].type != type))
        k = (k + 1) & (cap - 1);
    return k;
}

static void acc_day(void *ctx, int64_t day, ts_type_t type, uint64_t n)
{
    stats_acc_t *a = ctx;
    if (n == 0 || type >= TS_RSIT_TYPES)
        return;
    if ((a->days_used + 1) * 2 > a->days_cap) {
        size_t cap = a->days_cap ? a->days_cap * 2 : 256;
        daycount_t *t = ts_xcalloc(cap, sizeof *t);
        for (size_t i = 0; i < a->days_cap; i++)
            if (a->days[i].n)
                t[day_slot(t, cap, a->days[i].day, a->days[i].type)] = a->days[i];
        free(a->days);
        a->days = t;
        a->days_cap = cap;
    }
    size_t k = day_slot(a->days, a->days_cap, day, type);
    if (a->days[k].n == 0) {
        a->days[k].day = day;
        a->days[k].type = type;
        a->days_used++;
    }
    a->days[k].n += n;
    a->by_type[type] += n;
}

static size_t host_slot(const hostcount_t *t, size_t cap, const uint8_t *ip)
{
    uint64_t x, y;
    memcpy(&x, ip, 8);
    memcpy(&y, ip + 8, 8);
    /* Every bit counts (splitmix64's finalizer): an IPv4 address sits in
     * the high bytes of y, which a multiply alone leaves out of the low bits
     * the slot is taken from, so that a site's hosts all probed one run. */
    uint64_t h = (x * 0x9e3779b97f4a7c15ull) ^ y;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    size_t k = (size_t)(h ^ (h >> 31)) & (cap - 1);
    while (t[k].n && memcmp(t[k].ip, ip, 16) != 0)
        k = (k + 1) & (cap - 1);
    return k;
}

static void acc_host(void *ctx, int family, const uint8_t ip[16], uint64_t n)
{
    stats_acc_t *a = ctx;
    if (n == 0)
        return;
    if ((a->hosts_used + 1) * 2 > a->hosts_cap) {
        size_t cap = a->hosts_cap ? a->hosts_cap * 2 : 256;
        hostcount_t *t = ts_xcalloc(cap, sizeof *t);
        for (size_t i = 0; i < a->hosts_cap; i++)
            if (a->hosts[i].n)
                t[host_slot(t, cap, a->hosts[i].ip)] = a->hosts[i];
        free(a->hosts);
        a->hosts = t;
        a->hosts_cap = cap;
    }
    size_t k = host_slot(a->hosts, a->hosts_cap, ip);
    if (a->hosts[k].n == 0) {
        memcpy(a->hosts[k].ip, ip, 16);
        a->hosts[k].family = family;
        a->hosts_used++;
    }
    a->hosts[k].n += n;
}

/* Day, then type name: the order the answer lists them in. */
static int cmp_day(const void *x, const void *y)
{
    const daycount_t *a = x, *b = y;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return strcmp(ts_type_name(a->type), ts_type_name(b->type));
}

/* Most frequent first, then by name. */
static int cmp_type(const void *x, const void *y, void *ctx)
{
    const uint64_t *n = ctx;
    ts_type_t a = *(const ts_type_t *)x, b = *(const ts_type_t *)y;
    if (n[a] != n[b])
        return n[a] > n[b] ? -1 : 1;
    return strcmp(ts_type_name(a), ts_type_name(b));
}

/* Most often first, then by address (the store's byte order). */
static int cmp_host(const void *x, const void *y)
{
    const hostcount_t *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return memcmp(a->ip, b->ip, 16);
}

static int emit(stats_acc_t *a, const ts_portal_stats_cbs_t *cbs, void *ctx)
{
    int r = 0;
    size_t n = 0;
    for (size_t i = 0; i < a->days_cap; i++)
        if (a->days[i].n)
            a->days[n++] = a->days[i];
    if (n > 1) /* qsort's base may not be NULL, even for none */
        qsort(a->days, n, sizeof *a->days, cmp_day);
    for (size_t i = 0; r == 0 && cbs->per_day && i < n; i++) {
        char day[32];
        time_t t = (time_t)(a->days[i].day * 86400);
        struct tm tm;
        if (gmtime_r(&t, &tm) == NULL || strftime(day, sizeof day, "%Y-%m-%d", &tm) == 0)
            snprintf(day, sizeof day, "?");
        r = cbs->per_day(day, ts_type_name(a->days[i].type), a->days[i].n, ctx);
    }
    if (r == 0 && cbs->by_type) {
        ts_type_t order[TS_RSIT_TYPES];
        size_t m = 0;
        for (int k = 0; k < TS_RSIT_TYPES; k++)
            if (a->by_type[k])
                order[m++] = (ts_type_t)k;
        qsort_r(order, m, sizeof *order, cmp_type, a->by_type);
        for (size_t i = 0; r == 0 && i < m; i++)
            r = cbs->by_type(ts_type_name(order[i]), a->by_type[order[i]], ctx);
    }
    n = 0;
    for (size_t i = 0; i < a->hosts_cap; i++)
        if (a->hosts[i].n)
            a->hosts[n++] = a->hosts[i];
    if (n > 1) /* qsort's base may not be NULL, even for none */
        qsort(a->hosts, n, sizeof *a->hosts, cmp_host);
    for (size_t i = 0; r == 0 && cbs->top_host && i < n && i < TS_PORTAL_TOP_HOSTS; i++) {
        ts_ip_t ip;
        memset(&ip, 0, sizeof ip);
        ip.family = a->hosts[i].family == TS_AF_INET ? TS_AF_INET : TS_AF_INET6;
        memcpy(ip.bytes, ip.family == TS_AF_INET ? a->hosts[i].ip + 12 : a->hosts[i].ip,
               ip.family == TS_AF_INET ? 4 : 16);
        r = cbs->top_host(&ip, a->hosts[i].n, ctx);
    }
    return r;
}

/* Whole UTC days come from the roll-ups; what the window holds of a day
 * before its first whole one or after its last (only when a bound is not
 * midnight) from the events: counts are exact for any window, and a
 * dashboard asking for calendar days costs its roll-up rows alone. */
int ts_store_portal_stats(ts_store_t *st, int64_t site_id, int64_t since, int64_t until,
                          const ts_portal_stats_cbs_t *cbs, void *ctx)
{
    if (ops(st) == NULL)
        return TS_ENOTSUP;
    if (cbs == NULL || site_id < 0 || since == TS_TIME_NONE || until == TS_TIME_NONE)
        return TS_EINVAL;
    bool in = site_id == 0;
    int r = site_id ? ops(st)->in_subtree(st, site_id, site_id, &in) : 0;
    if (r)
        return r;
    if (!in)
        return TS_ENOENT;
    /* The first and past-the-last whole days (floor division, before 1970
     * too). A site's roll-ups less their hidden rows count what it may see
     * (TS_TLP_SITE_SQL; store/incstore_int.h). */
    int64_t d1 = since / DAY_US + (since % DAY_US > 0);
    int64_t d2 = until == INT64_MAX ? INT64_MAX / DAY_US : until / DAY_US - (until % DAY_US < 0);
    int64_t edge[2][2] = {{since, d1 * DAY_US}, {d2 * DAY_US, until}};
    if (d1 >= d2) {
        edge[0][1] = until;
        edge[1][0] = until;
    }
    static const ts_stats_sink_t sink = {acc_day, acc_host};
    stats_acc_t a;
    memset(&a, 0, sizeof a);
    bool edges = false;
    for (int k = 0; r == 0 && k < 2; k++)
        if (edge[k][0] < edge[k][1]) {
            edges = true;
            r = ops(st)->stats_events(st, site_id, edge[k][0], edge[k][1], &sink, &a);
        }
    if (r == 0 && d1 < d2)
        r = ops(st)->stats_rollup(st, site_id, d1, d2, edges ? 0 : TS_PORTAL_TOP_HOSTS, &sink,
                                  &a);
    if (r == 0)
        r = emit(&a, cbs, ctx);
    free(a.days);
    free(a.hosts);
    return r;
}

int ts_store_portal_site(ts_store_t *st, int64_t site_id, const ts_portal_site_cbs_t *cbs,
                         void *ctx)
{
    if (ops(st) == NULL)
        return TS_ENOTSUP;
    if (cbs == NULL || site_id <= 0)
        return site_id == 0 ? TS_ENOENT : TS_EINVAL;
    return ops(st)->site(st, site_id, cbs, ctx);
}

int ts_store_portal_in_subtree(ts_store_t *st, int64_t root, int64_t id, bool *in)
{
    if (ops(st) == NULL)
        return TS_ENOTSUP;
    if (in == NULL)
        return TS_EINVAL;
    *in = false;
    if (root <= 0 || id <= 0)
        return 0;
    return ops(st)->in_subtree(st, root, id, in);
}
