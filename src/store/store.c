/* SPDX-License-Identifier: Apache-2.0 */
/* Backend dispatch: the location string chooses the backend, then every call
 * goes through its operations table. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonscan.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "core/metrics.h"
#include "store/incstore_int.h"
#include "store/store_int.h"

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* A "postgresql://" or "postgres://" URI selects PostgreSQL (libpq's own
 * URI, never logged: it may carry a password); anything else is a SQLite
 * file path. */
static const struct ts_store_ops *pick(const char *location)
{
    if (has_prefix(location, "postgresql://") || has_prefix(location, "postgres://"))
        return &ts_store_postgres_ops;
    return &ts_store_sqlite_ops;
}

const char *ts_store_location_safe(const char *location, char *buf, size_t size)
{
    const char *loc = location ? location : "";
    const char *scheme = strstr(loc, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    if (colon == NULL)
        snprintf(buf, size, "%s", loc);
    else
        snprintf(buf, size, "%.*s:***%s", (int)(colon - loc), loc, at);
    return buf;
}

static int open_store(const char *location, int max_version, bool create, ts_store_t **out)
{
    if (out == NULL)
        return TS_EINVAL;
    *out = NULL;
    if (location == NULL || location[0] == '\0') {
        ts_log_error("store: empty store location");
        return TS_EINVAL;
    }
    const struct ts_store_ops *ops = pick(location);
    if (max_version > ops->latest_version)
        return TS_EINVAL;
    return ops->open(location, max_version, create, out);
}

int ts_store_open_version(const char *location, int max_version, ts_store_t **out)
{
    return open_store(location, max_version, true, out);
}

int ts_store_latest_version(const char *location)
{
    const struct ts_store_ops *ops = location ? pick(location) : NULL;
    return ops ? ops->latest_version : TS_ENOTSUP;
}

int ts_store_open(const char *location, ts_store_t **out)
{
    return open_store(location, -1, true, out);
}

int ts_store_open_existing(const char *location, ts_store_t **out)
{
    return open_store(location, -1, false, out);
}

void ts_store_close(ts_store_t *st)
{
    if (st) {
        ts_incagg_free(st->agg);
        st->ops->close(st);
    }
}

const char *ts_store_backend(ts_store_t *st)
{
    return st->ops->name;
}

int ts_store_schema_version(ts_store_t *st)
{
    return st->ops->schema_version(st);
}

const char *ts_store_errmsg(ts_store_t *st)
{
    return st ? st->ops->errmsg(st) : "no store";
}

int ts_store_begin(ts_store_t *st)
{
    int r = st->ops->begin(st);
    st->txn = r == 0;
    return r;
}

/* Registered once; ts_metrics_histogram() takes a lock, a commit must not. */
static ts_metric_t *commit_seconds(void)
{
    static _Atomic(ts_metric_t *) m;
    ts_metric_t *h = atomic_load_explicit(&m, memory_order_acquire);
    if (h == NULL) {
        h = ts_metrics_histogram("tocsin_store_commit_seconds",
                                 "Time a store commit takes (a durable write: fsync).", NULL);
        atomic_store_explicit(&m, h, memory_order_release);
    }
    return h;
}

/* The transaction's incidents and roll-ups are written first, inside it: a
 * commit that fails, or a crash before it, takes them with the events. */
int ts_store_commit(ts_store_t *st)
{
    uint64_t t0 = ts_metrics_now_us();
    int r = st->txn ? ts_incagg_flush(st) : 0;
    if (r) {
        st->ops->rollback(st);
        st->txn = false;
        return r;
    }
    r = st->ops->commit(st);
    st->txn = false;
    ts_metric_observe_us(commit_seconds(), ts_metrics_now_us() - t0);
    return r;
}

void ts_store_rollback(ts_store_t *st)
{
    ts_incagg_discard(st);
    st->txn = false;
    st->ops->rollback(st);
}

int ts_store_read_begin(ts_store_t *st)
{
    return st->ops->read_begin(st);
}

int ts_store_data_version(ts_store_t *st, uint64_t *version)
{
    return st->ops->data_version(st, version);
}

void ts_store_set_busy_timeout(ts_store_t *st, int ms)
{
    st->ops->set_busy_timeout(st, ms);
}

void ts_store_read_end(ts_store_t *st)
{
    st->ops->rollback(st);
}

int ts_store_site_add(ts_store_t *st, const char *name, int64_t parent_id, const char *description,
                      int64_t *id)
{
    return st->ops->site_add(st, name, parent_id, description, id);
}

int ts_store_site_update(ts_store_t *st, int64_t id, int64_t parent_id, const char *description)
{
    return st->ops->site_update(st, id, parent_id, description);
}

int ts_store_site_remove(ts_store_t *st, int64_t id)
{
    return st->ops->site_remove(st, id);
}

int ts_store_site_find(ts_store_t *st, const char *name, int64_t *id)
{
    return st->ops->site_find(st, name, id);
}

int ts_store_claim_add(ts_store_t *st, int64_t site_id, ts_rule_kind_t kind, const char *value)
{
    return st->ops->claim_add(st, site_id, kind, value);
}

int ts_store_claim_remove(ts_store_t *st, int64_t site_id, ts_rule_kind_t kind, const char *value)
{
    return st->ops->claim_remove(st, site_id, kind, value);
}

int ts_store_site_clear(ts_store_t *st, int64_t site_id)
{
    return st->ops->site_clear(st, site_id);
}

int ts_store_contact_add(ts_store_t *st, int64_t site_id, const char *email, const char *name)
{
    return st->ops->contact_add(st, site_id, email, name);
}

int ts_store_sites_foreach(ts_store_t *st, ts_site_cb cb, void *ctx)
{
    return st->ops->sites_foreach(st, cb, ctx);
}

int ts_store_claims_foreach(ts_store_t *st, ts_claim_cb cb, void *ctx)
{
    return st->ops->claims_foreach(st, cb, ctx);
}

int ts_store_contacts_foreach(ts_store_t *st, ts_contact_cb cb, void *ctx)
{
    return st->ops->contacts_foreach(st, cb, ctx);
}

int ts_store_input_get(ts_store_t *st, const char *name, const char *format,
                       ts_input_state_t *state)
{
    return st->ops->input_get(st, name, format, state);
}

int ts_store_input_checkpoint(ts_store_t *st, const ts_input_state_t *state)
{
    return st->ops->input_checkpoint(st, state);
}

/* A list as ts_targets_t promises it: sorted, without duplicates, valid
 * prefixes, a count of 0 or at least the entries. */
static bool targets_ok(const ts_targets_t *t, uint32_t max)
{
    if (t->n == 0)
        return t->count == 0;
    if (t->list == NULL || t->n > max || (t->count != 0 && t->count < t->n))
        return false;
    for (uint32_t i = 0; i < t->n; i++) {
        ts_prefix_t p = t->list[i];
        unsigned bits = p.addr.family == TS_AF_INET ? 32 : p.addr.family == TS_AF_INET6 ? 128 : 0;
        if (bits == 0 || p.len > bits || ts_prefix_clear_host_bits(&p))
            return false;
        if (i > 0 && ts_prefix_compare(&t->list[i - 1], &t->list[i]) >= 0)
            return false;
    }
    return true;
}

/* t covered down to TS_TARGETS_MAX in a: a covering list of the same targets. */
static void bound(const ts_targets_t *t, ts_arena_t *a, ts_targets_t *out)
{
    ts_prefix_t *l = ts_arena_alloc(a, t->n * sizeof *l);
    memcpy(l, t->list, t->n * sizeof *l);
    size_t n = ts_targets_cover(l, ts_targets_drop_nested(l, t->n), TS_TARGETS_MAX);
    *out = (ts_targets_t){l, (uint32_t)n, t->count > n ? t->count : 0};
}

static bool network_ok(const ts_prefix_t *p)
{
    if (p->addr.family == TS_AF_NONE)
        return true;
    ts_prefix_t q = *p;
    unsigned bits = q.addr.family == TS_AF_INET ? 32 : q.addr.family == TS_AF_INET6 ? 128 : 0;
    return bits && q.len <= bits && !ts_prefix_clear_host_bits(&q);
}

static int cmp_role_site(const void *pa, const void *pb)
{
    const int64_t *a = pa, *b = pb;
    return (*a > *b) - (*a < *b);
}

int ts_store_event_check(const ts_event_t *e, const ts_link_t *links, int n_links, ts_arena_t *a,
                         bool *a_used, const ts_event_t **e_out, const ts_link_t **links_out,
                         const char **why)
{
    *e_out = e;
    *links_out = links;
    /* Rarely anything to free: bounded copies, the keys of many links. */
    if (*a_used)
        ts_arena_reset(a);
    *a_used = n_links > 8;
    if (e == NULL || n_links < 0 || n_links > 2 * TS_ROUTE_LINKS_MAX ||
        (n_links > 0 && links == NULL)) {
        *why = "invalid event or links";
        return TS_EINVAL;
    }
    const ts_endpoint_t *side[2] = {&e->src, &e->dst};
    bool big = false;
    for (int k = 0; k < 2; k++) {
        const ts_targets_t *t = side[k]->targets;
        if (t == NULL && side[k]->network.addr.family == TS_AF_NONE)
            continue; /* one address or name: nothing to check here */
        if (!network_ok(&side[k]->network) ||
            (t && (t->n == 0 || !targets_ok(t, TS_TARGETS_INPUT_MAX)))) {
            *why = "invalid network or targets";
            return TS_EINVAL;
        }
        big = big || (t && t->n > TS_TARGETS_MAX);
    }
    if (e->tlp != TS_TLP_NONE && ts_tlp_name(e->tlp) == NULL) {
        *why = "invalid TLP";
        return TS_EINVAL;
    }
    int per_role[2] = {0, 0};
    bool big_share = false;
    for (int i = 0; i < n_links; i++) {
        const ts_link_t *l = &links[i];
        if ((l->role != TS_ROLE_SOURCE && l->role != TS_ROLE_DESTINATION) ||
            (l->match.kind != TS_RULE_NETWORK && l->match.kind != TS_RULE_ASN &&
             l->match.kind != TS_RULE_DOMAIN) ||
            l->match.site_id <= 0 || l->match.rule == NULL ||
            ((l->own.n || l->own.count) && !targets_ok(&l->own, TS_TARGETS_INPUT_MAX))) {
            *why = "invalid link";
            return TS_EINVAL;
        }
        if (++per_role[l->role - 1] > TS_ROUTE_LINKS_MAX) {
            *why = "more links of one role than an event may have";
            return TS_EINVAL;
        }
        big_share = big_share || l->own.n > TS_TARGETS_MAX;
    }
    /* One link per (site, role): sorted keys when there are many. */
    for (int i = 0; n_links <= 8 && i < n_links; i++)
        for (int j = 0; j < i; j++)
            if (links[i].match.site_id == links[j].match.site_id &&
                links[i].role == links[j].role) {
                *why = "two links of one site with the same role";
                return TS_EEXIST;
            }
    if (n_links > 8) {
        int64_t *key = ts_arena_alloc(a, (size_t)n_links * sizeof *key);
        for (int i = 0; i < n_links; i++)
            key[i] = links[i].match.site_id * 2 + (links[i].role - 1);
        qsort(key, (size_t)n_links, sizeof *key, cmp_role_site);
        for (int i = 1; i < n_links; i++) {
            if (key[i] == key[i - 1]) {
                *why = "two links of one site with the same role";
                return TS_EEXIST;
            }
        }
    }
    *a_used = *a_used || big || big_share;
    if (big) {
        ts_event_t *copy = ts_arena_alloc(a, sizeof *copy);
        memcpy(copy, e, offsetof(ts_event_t, extra) + e->n_extra * sizeof(ts_extra_t));
        ts_endpoint_t *cside[2] = {&copy->src, &copy->dst};
        for (int k = 0; k < 2; k++) {
            if (side[k]->targets && side[k]->targets->n > TS_TARGETS_MAX) {
                ts_targets_t *t = ts_arena_alloc(a, sizeof *t);
                bound(side[k]->targets, a, t);
                cside[k]->targets = t;
            }
        }
        *e_out = copy;
    }
    if (big_share) {
        ts_link_t *copy = ts_arena_alloc(a, (size_t)n_links * sizeof *copy);
        memcpy(copy, links, (size_t)n_links * sizeof *copy);
        for (int i = 0; i < n_links; i++)
            if (copy[i].own.n > TS_TARGETS_MAX)
                bound(&links[i].own, a, &copy[i].own);
        *links_out = copy;
    }
    return 0;
}

/* ---- The stored form of networks and lists ----------------------------------- */

static void put_list(ts_jsonw_t *w, const ts_targets_t *t)
{
    if (t->count > 0) {
        ts_jsonw_key(w, "count");
        ts_jsonw_uint(w, t->count);
    }
    ts_jsonw_key(w, "list");
    ts_jsonw_array_begin(w);
    for (uint32_t i = 0; i < t->n; i++) {
        char e[TS_IP_STRLEN];
        ts_jsonw_str(w, ts_str(e, ts_targets_entry_text(&t->list[i], e, sizeof e)));
    }
    ts_jsonw_array_end(w);
}

bool ts_store_share_encode(const ts_targets_t *t, ts_buf_t *out)
{
    if (t == NULL || t->n == 0)
        return false;
    ts_jsonw_t w;
    ts_jsonw_init(&w, out);
    ts_jsonw_object_begin(&w);
    put_list(&w, t);
    ts_jsonw_object_end(&w);
    return true;
}

bool ts_store_targets_encode(const ts_event_t *e, ts_buf_t *out)
{
    const ts_endpoint_t *side[2] = {&e->src, &e->dst};
    static const char *const name[2] = {"source", "destination"};
    bool any = false;
    ts_jsonw_t w;
    for (int k = 0; k < 2; k++) {
        bool net = side[k]->network.addr.family != TS_AF_NONE;
        bool list = side[k]->targets != NULL && side[k]->targets->n > 0;
        if (!net && !list)
            continue;
        if (!any) {
            ts_jsonw_init(&w, out);
            ts_jsonw_object_begin(&w);
            any = true;
        }
        ts_jsonw_key(&w, name[k]);
        ts_jsonw_object_begin(&w);
        if (net) {
            char t[TS_IP_STRLEN];
            ts_jsonw_key(&w, "network");
            ts_jsonw_str(&w, ts_str(t, ts_prefix_format(&side[k]->network, t, sizeof t)));
        }
        if (list)
            put_list(&w, side[k]->targets);
        ts_jsonw_object_end(&w);
    }
    if (any)
        ts_jsonw_object_end(&w);
    return any;
}

/* A prefix from a JSON string value (entries are plain ASCII: no escapes). */
static int get_prefix(const ts_jscan_val_t *v, ts_prefix_t *p)
{
    if (v->type != TS_JSCAN_STRING || v->escaped)
        return TS_EINVAL;
    ts_str_t s = ts_jscan_str_raw(v);
    return ts_prefix_parse(s.ptr, s.len, p) == 0 ? 0 : TS_EINVAL;
}

/* "count" and "list" members of an object being walked, into t. */
static int get_list(ts_jscan_iter_t *it, ts_arena_t *a, ts_targets_t *t, ts_prefix_t *net)
{
    ts_jscan_key_t k;
    ts_jscan_val_t v;
    int rc;
    bool have_list = false;
    memset(t, 0, sizeof *t);
    while ((rc = ts_jscan_object_next(it, &k, &v)) == 1) {
        if (ts_str_eq_c(k.raw, "count")) {
            if (ts_jscan_uint64(&v, &t->count) != 0)
                return TS_EINVAL;
        } else if (ts_str_eq_c(k.raw, "network") && net != NULL) {
            if (get_prefix(&v, net) != 0)
                return TS_EINVAL;
        } else if (ts_str_eq_c(k.raw, "list") && v.type == TS_JSCAN_ARRAY) {
            /* Two passes: the count, then the entries into one allocation. */
            ts_jscan_iter_t arr;
            ts_jscan_val_t x;
            size_t n = 0;
            if (ts_jscan_enter(it, &v, &arr) != 0)
                return TS_EINVAL;
            while ((rc = ts_jscan_array_next(&arr, &x)) == 1)
                n++;
            if (rc < 0 || n == 0 || n > TS_TARGETS_MAX)
                return TS_EINVAL;
            ts_prefix_t *l = ts_arena_alloc(a, n * sizeof *l);
            if (ts_jscan_enter(it, &v, &arr) != 0)
                return TS_EINVAL;
            for (size_t i = 0; i < n; i++)
                if (ts_jscan_array_next(&arr, &x) != 1 || get_prefix(&x, &l[i]) != 0)
                    return TS_EINVAL;
            t->list = l;
            t->n = (uint32_t)n;
            have_list = true;
        } else {
            return TS_EINVAL;
        }
    }
    if (rc < 0 || (t->count > 0 && t->count < t->n) || (!have_list && t->count > 0))
        return TS_EINVAL;
    return 0;
}

int ts_store_share_decode(ts_str_t json, ts_arena_t *a, ts_targets_t *t)
{
    ts_jscan_iter_t it;
    if (ts_jscan_object_begin(&it, json.ptr, json.len) != 0 || get_list(&it, a, t, NULL) != 0 ||
        t->n == 0)
        return TS_EINVAL;
    return 0;
}

int ts_store_targets_decode(ts_str_t json, ts_arena_t *a, ts_event_t *e)
{
    ts_jscan_iter_t it, side;
    ts_jscan_key_t k;
    ts_jscan_val_t v;
    int rc;
    if (ts_jscan_object_begin(&it, json.ptr, json.len) != 0)
        return TS_EINVAL;
    while ((rc = ts_jscan_object_next(&it, &k, &v)) == 1) {
        ts_endpoint_t *ep = ts_str_eq_c(k.raw, "source")        ? &e->src
                            : ts_str_eq_c(k.raw, "destination") ? &e->dst
                                                                : NULL;
        if (ep == NULL || v.type != TS_JSCAN_OBJECT || ts_jscan_enter(&it, &v, &side) != 0)
            return TS_EINVAL;
        ts_targets_t *t = ts_arena_alloc(a, sizeof *t);
        if (get_list(&side, a, t, &ep->network) != 0)
            return TS_EINVAL;
        ep->targets = t->n ? t : NULL;
    }
    return rc < 0 ? TS_EINVAL : 0;
}

int ts_store_event_model_decode(ts_str_t tlp, ts_str_t targets, ts_arena_t *a, ts_event_t *e,
                                const char **what)
{
    e->tlp = TS_TLP_NONE;
    if (tlp.ptr && ts_tlp_parse(tlp.ptr, tlp.len, &e->tlp) != 0) {
        *what = "TLP";
        return TS_EINVAL;
    }
    memset(&e->src.network, 0, sizeof e->src.network);
    memset(&e->dst.network, 0, sizeof e->dst.network);
    e->src.targets = e->dst.targets = NULL;
    if (targets.ptr && ts_store_targets_decode(targets, a, e) != 0) {
        *what = "networks or targets";
        return TS_EINVAL;
    }
    return 0;
}

void ts_store_scope_targets(ts_stored_event_t *se, ts_arena_t *a)
{
    ts_endpoint_t *side[2] = {&se->ev.src, &se->ev.dst};
    for (int k = 0; k < 2; k++) {
        side[k]->targets = NULL;
        size_t n = 0;
        for (int i = 0; i < se->n_links; i++)
            n += (int)se->links[i].role == k + 1 && se->links[i].own.n > 0;
        if (n == 0)
            continue;
        const ts_targets_t **parts = ts_arena_alloc(a, n * sizeof *parts);
        n = 0;
        for (int i = 0; i < se->n_links; i++)
            if ((int)se->links[i].role == k + 1 && se->links[i].own.n > 0)
                parts[n++] = &se->links[i].own;
        ts_targets_t *t = ts_arena_alloc(a, sizeof *t);
        ts_targets_merge(parts, n, a, t);
        side[k]->targets = t->n ? t : NULL;
    }
}

/* Every event goes through the aggregator (incstore.h): its links get their
 * incidents before the backend writes them, and the event is counted once
 * it is written. Outside a transaction, the event, its incidents and its
 * roll-ups get one of their own. */
int ts_store_event_add(ts_store_t *st, const ts_event_t *e, const ts_link_t *links, int n_links,
                       int64_t input_id, uint64_t line, int64_t *id)
{
    if (e == NULL || n_links < 0 || (n_links > 0 && links == NULL))
        return TS_EINVAL;
    bool own = !st->txn;
    int r = own ? ts_store_begin(st) : 0;
    if (r)
        return r;
    const ts_event_t *checked = e;
    const ts_link_t *with_incidents = links;
    int64_t eid = 0;
    r = ts_incagg_event(st, e, links, n_links, &checked, &with_incidents);
    if (r == 0)
        r = st->ops->event_add(st, checked, with_incidents, n_links, input_id, line, &eid);
    if (r == 0) {
        ts_incagg_stored(st, checked, eid);
        if (id)
            *id = eid;
    }
    if (own) {
        if (r == 0)
            r = ts_store_commit(st);
        else
            ts_store_rollback(st);
    }
    return r;
}

void ts_event_filter_init(ts_event_filter_t *f)
{
    memset(f, 0, sizeof *f);
    f->since = TS_TIME_NONE;
    f->until = TS_TIME_NONE;
}

int ts_store_events_foreach(ts_store_t *st, const ts_event_filter_t *f, ts_event_cb cb, void *ctx)
{
    return st->ops->events_foreach(st, f, cb, ctx);
}

int ts_store_events_count(ts_store_t *st, const ts_event_filter_t *f, uint64_t *n)
{
    return st->ops->events_count(st, f, n);
}

int ts_store_quarantine_add(ts_store_t *st, int64_t input_id, uint64_t line, uint64_t offset,
                            int reason, const char *detail, const void *data, size_t len,
                            uint64_t record_len)
{
    return st->ops->quarantine_add(st, input_id, line, offset, reason, detail, data, len,
                                   record_len);
}

int ts_store_quarantine_foreach(ts_store_t *st, const char *reason, size_t limit,
                                ts_quarantine_cb cb, void *ctx)
{
    return st->ops->quarantine_foreach(st, reason, limit, cb, ctx);
}

int ts_store_quarantine_stats(ts_store_t *st, ts_count_cb cb, void *ctx)
{
    return st->ops->quarantine_stats(st, cb, ctx);
}

int ts_store_exporter_save(ts_store_t *st, const ts_exporter_stats_t *s)
{
    return st->ops->exporter_save(st, s);
}

int ts_store_exporters_foreach(ts_store_t *st, ts_exporter_row_cb cb, void *ctx)
{
    return st->ops->exporters_foreach(st, cb, ctx);
}

int ts_store_inputs_foreach(ts_store_t *st, ts_input_cb cb, void *ctx)
{
    return st->ops->inputs_foreach(st, cb, ctx);
}

bool ts_store_tlp_visible(const ts_stored_event_t *se)
{
    switch (se->ev.tlp) {
    case TS_TLP_RED:
        return false;
    case TS_TLP_AMBER_STRICT:
        for (int i = 0; i < se->n_links; i++)
            if (se->links[i].match.kind == TS_RULE_NETWORK)
                return true;
        return false;
    default:
        return true;
    }
}
