/* SPDX-License-Identifier: Apache-2.0 */
/* The portal queries: argument checks, then the backend's set questions, then
 * the events read through the core iteration, scoped to the subtree there. */
#include <stdlib.h>
#include <string.h>

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

int ts_store_portal_stats(ts_store_t *st, int64_t site_id, int64_t since, int64_t until,
                          const ts_portal_stats_cbs_t *cbs, void *ctx)
{
    if (ops(st) == NULL)
        return TS_ENOTSUP;
    if (cbs == NULL || site_id < 0 || since == TS_TIME_NONE || until == TS_TIME_NONE)
        return TS_EINVAL;
    return ops(st)->stats(st, site_id, since, until, cbs, ctx);
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
