/* SPDX-License-Identifier: Apache-2.0 */
/* The portal queries: argument checks, then the backend's set questions, then
 * each event read through the core iteration with only its visible links. */
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

typedef struct fetch {
    const int64_t *sub; /* sorted site ids; NULL = every link is visible */
    size_t n_sub;
    ts_event_cb cb;
    void *ctx;
    bool seen;
    int r;
} fetch_t;

static bool in_set(const int64_t *a, size_t n, int64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] == v)
            return true;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Called with the event and all its links; hands on only the visible ones,
 * and nothing at all when none is (the event is then not the caller's). */
static int fetch_cb(const ts_stored_event_t *ev, void *vctx)
{
    fetch_t *f = vctx;
    if (f->sub == NULL) {
        f->seen = true;
        return f->cb(ev, f->ctx);
    }
    ts_stored_event_t copy = *ev; /* the event's fields are borrowed, not copied */
    copy.n_links = 0;
    for (int i = 0; i < ev->n_links && i < 2; i++)
        if (in_set(f->sub, f->n_sub, ev->links[i].match.site_id))
            copy.links[copy.n_links++] = ev->links[i];
    if (copy.n_links == 0)
        return 0;
    f->seen = true;
    return f->cb(&copy, f->ctx);
}

/* Reads event id (all links) and passes it through fetch_cb. */
static int fetch_one(ts_store_t *st, int64_t id, fetch_t *f)
{
    if (id <= 0 || id == INT64_MAX)
        return TS_ENOENT;
    ts_event_filter_t ef;
    ts_event_filter_init(&ef);
    ef.site_id = 0;
    ef.after_id = id - 1;
    ef.before_id = id + 1;
    ef.newest_first = true;
    ef.limit = 1;
    f->seen = false;
    return ts_store_events_foreach(st, &ef, fetch_cb, f);
}

static int load_sub(ts_store_t *st, int64_t site, int64_t **sub, size_t *n)
{
    *sub = NULL;
    *n = 0;
    if (site == 0)
        return 0;
    return ops(st)->subtree(st, site, sub, n);
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
    int64_t *sub;
    size_t n_sub;
    int r = load_sub(st, f->site_id, &sub, &n_sub);
    if (r)
        return r;
    /* One more than asked tells whether a next page exists. */
    int64_t *ids = ts_xmalloc((f->limit + 1) * sizeof *ids);
    size_t n = 0;
    r = ops(st)->page(st, f, ids, f->limit + 1, &n);
    fetch_t fx = {.sub = f->site_id ? sub : NULL, .n_sub = n_sub, .cb = cb, .ctx = ctx};
    size_t shown = n > f->limit ? f->limit : n;
    if (r == 0 && shown > 0) {
        /* The page's events in one statement (the page ids are descending). */
        ts_event_filter_t ef;
        ts_event_filter_init(&ef);
        ef.ids = ids;
        ef.n_ids = shown;
        ef.newest_first = true;
        r = ts_store_events_foreach(st, &ef, fetch_cb, &fx);
    }
    if (r == 0 && n > f->limit)
        *next_id = ids[f->limit - 1];
    free(ids);
    free(sub);
    return r;
}

int ts_store_portal_event(ts_store_t *st, int64_t site_id, int64_t id, ts_event_cb cb, void *ctx)
{
    if (ops(st) == NULL)
        return TS_ENOTSUP;
    if (cb == NULL || site_id < 0)
        return TS_EINVAL;
    int64_t *sub;
    size_t n_sub;
    int r = load_sub(st, site_id, &sub, &n_sub);
    if (r)
        return r;
    fetch_t fx = {.sub = site_id ? sub : NULL, .n_sub = n_sub, .cb = cb, .ctx = ctx};
    r = fetch_one(st, id, &fx);
    free(sub);
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
