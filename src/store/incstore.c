/* SPDX-License-Identifier: Apache-2.0 */
/* The incident store: argument checks, then the backend's operations. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "core/utf8.h"
#include "store/incstore_int.h"

#define INC_OPS(st, op)                                                                            \
    do {                                                                                           \
        if ((st) == NULL)                                                                          \
            return TS_EINVAL;                                                                      \
        if ((st)->ops->incident == NULL || (st)->ops->incident->op == NULL)                        \
            return TS_ENOTSUP;                                                                     \
    } while (0)

/* Text a site typed: bounded, UTF-8, no control characters. */
static bool text_ok(const char *s, size_t max, bool empty_ok)
{
    if (s == NULL)
        return false;
    size_t n = strlen(s);
    if (n > max || (!empty_ok && n == 0))
        return false;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += ts_utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (cp == TS_UTF8_BAD || cp < 0x20 || cp == 0x7f)
            return false;
    }
    return true;
}

void ts_incident_filter_init(ts_incident_filter_t *f)
{
    memset(f, 0, sizeof *f);
    f->since = TS_TIME_NONE;
    f->limit = 50;
}

int ts_store_incidents(ts_store_t *st, const ts_incident_filter_t *f, ts_incident_cb cb, void *ctx,
                       bool *more)
{
    INC_OPS(st, list);
    if (f == NULL || cb == NULL || more == NULL || f->site_id < 0 || f->limit == 0 ||
        f->limit > TS_INC_LIMIT_MAX || f->suppressed < -1 || f->suppressed > 1 ||
        (f->state != 0 && f->state != TS_INC_FILTER_OPEN &&
         ts_inc_state_name((ts_inc_state_t)f->state) == NULL) ||
        (f->order != TS_INC_BY_PRIORITY && f->order != TS_INC_BY_ID) || f->after_id < 0)
        return TS_EINVAL;
    return st->ops->incident->list(st, f, cb, ctx, more);
}

int ts_store_incident_get(ts_store_t *st, int64_t site_id, int64_t id, ts_incident_cb cb, void *ctx)
{
    INC_OPS(st, get);
    if (cb == NULL || site_id < 0)
        return TS_EINVAL;
    if (id <= 0)
        return TS_ENOENT;
    return st->ops->incident->get(st, site_id, id, cb, ctx);
}

int ts_store_incident_set_state(ts_store_t *st, int64_t site_id, int64_t id, ts_inc_state_t state,
                                const char *note, const char *who, ts_inc_state_t *old)
{
    INC_OPS(st, set_state);
    if (site_id < 0 || ts_inc_state_name(state) == NULL || !text_ok(who, TS_INC_WHO_MAX, false) ||
        (note && !text_ok(note, TS_INC_NOTE_MAX, true)))
        return TS_EINVAL;
    if (id <= 0)
        return TS_ENOENT;
    return st->ops->incident->set_state(st, site_id, id, state, note, who, old);
}

int ts_store_incident_events(ts_store_t *st, int64_t site_id, int64_t id, int64_t before_id,
                             int64_t *ids, size_t max, size_t *n, bool *more)
{
    INC_OPS(st, events);
    if (site_id < 0 || ids == NULL || max == 0 || max > TS_EVENT_IDS_MAX || n == NULL ||
        more == NULL || before_id < 0)
        return TS_EINVAL;
    if (id <= 0)
        return TS_ENOENT;
    return st->ops->incident->events(st, site_id, id, before_id, ids, max, n, more);
}

/* ---- Rules and marks ---------------------------------------------------------------------- */

static bool net_ok(const ts_prefix_t *p)
{
    if (p->addr.family != TS_AF_INET && p->addr.family != TS_AF_INET6)
        return false;
    ts_prefix_t c = *p;
    return p->len <= (p->addr.family == TS_AF_INET ? 32 : 128) && !ts_prefix_clear_host_bits(&c);
}

int ts_store_suppress_add(ts_store_t *st, ts_constituency_t *c, const ts_suppress_t *r, int64_t *id)
{
    INC_OPS(st, suppress_add);
    if (c == NULL || r == NULL || id == NULL || r->site_id <= 0 || r->type >= TS_RSIT_TYPES ||
        !text_ok(r->identifier, TS_INC_IDENT_MAX, true) || !net_ok(&r->net) ||
        (r->peer.addr.family != TS_AF_NONE && !net_ok(&r->peer)) || r->expires < 0 ||
        !text_ok(r->who, TS_INC_WHO_MAX, false) ||
        (r->note && !text_ok(r->note, TS_INC_NOTE_MAX, true)))
        return TS_EINVAL;
    int x = ts_inc_net_check(c, r->site_id, &r->net);
    if (x)
        return x;
    return st->ops->incident->suppress_add(st, r, id);
}

int ts_store_suppress_foreach(ts_store_t *st, int64_t site_id, ts_suppress_cb cb, void *ctx)
{
    INC_OPS(st, suppress_foreach);
    if (cb == NULL || site_id < 0)
        return TS_EINVAL;
    return st->ops->incident->suppress_foreach(st, site_id, cb, ctx);
}

int ts_store_suppress_remove(ts_store_t *st, int64_t site_id, int64_t id, const char *who)
{
    INC_OPS(st, suppress_remove);
    if (site_id < 0 || !text_ok(who, TS_INC_WHO_MAX, false))
        return TS_EINVAL;
    if (id <= 0)
        return TS_ENOENT;
    return st->ops->incident->suppress_remove(st, site_id, id, who);
}

int ts_store_critical_add(ts_store_t *st, ts_constituency_t *c, const ts_critical_t *m, int64_t *id)
{
    INC_OPS(st, critical_add);
    if (c == NULL || m == NULL || id == NULL || m->site_id <= 0 || !net_ok(&m->net) ||
        !text_ok(m->who, TS_INC_WHO_MAX, false) ||
        (m->note && !text_ok(m->note, TS_INC_NOTE_MAX, true)))
        return TS_EINVAL;
    int x = ts_inc_net_check(c, m->site_id, &m->net);
    if (x == 0)
        x = st->ops->incident->critical_add(st, m, id);
    return x ? x : ts_incagg_rescore(st, m->site_id, &m->net);
}

int ts_store_critical_foreach(ts_store_t *st, int64_t site_id, ts_critical_cb cb, void *ctx)
{
    INC_OPS(st, critical_foreach);
    if (cb == NULL || site_id < 0)
        return TS_EINVAL;
    return st->ops->incident->critical_foreach(st, site_id, cb, ctx);
}

struct found_mark {
    int64_t id;
    ts_critical_t m;
};

static int find_mark(const ts_critical_t *m, const char *site_name, void *ctx)
{
    struct found_mark *f = ctx;
    if (m->id != f->id)
        return 0;
    f->m = *m;
    return 1;
}

int ts_store_critical_remove(ts_store_t *st, int64_t site_id, int64_t id, const char *who)
{
    INC_OPS(st, critical_remove);
    if (site_id < 0 || !text_ok(who, TS_INC_WHO_MAX, false))
        return TS_EINVAL;
    if (id <= 0)
        return TS_ENOENT;
    struct found_mark f = {.id = id};
    int r = st->ops->incident->critical_foreach(st, site_id, find_mark, &f);
    if (r < 0)
        return r;
    if (r == 0)
        return TS_ENOENT;
    r = st->ops->incident->critical_remove(st, site_id, id, who);
    return r ? r : ts_incagg_rescore(st, f.m.site_id, &f.m.net);
}

/* ---- The rest -------------------------------------------------------------------------------- */

int ts_store_audit_foreach(ts_store_t *st, int64_t site_id, const char *object, int64_t object_id,
                           size_t limit, ts_audit_cb cb, void *ctx)
{
    INC_OPS(st, audit_foreach);
    if (cb == NULL || site_id < 0 || object_id < 0)
        return TS_EINVAL;
    return st->ops->incident->audit_foreach(st, site_id, object, object_id, limit, cb, ctx);
}

int ts_store_feedback(ts_store_t *st, ts_feedback_cb cb, void *ctx)
{
    INC_OPS(st, feedback);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->incident->feedback(st, cb, ctx);
}

int ts_store_incident_config(ts_store_t *st, ts_incconf_t *c)
{
    INC_OPS(st, config_text);
    if (c == NULL)
        return TS_EINVAL;
    ts_buf_t b = TS_BUF_INIT;
    int r = st->ops->incident->config_text(st, &b);
    if (r == 0 && b.len == 0)
        ts_incconf_defaults(c);
    else if (r == 0 && ts_incconf_parse(b.data, b.len, c, NULL, 0) != 0)
        r = TS_EDB;
    ts_buf_free(&b);
    return r;
}

int ts_store_incident_config_set(ts_store_t *st, const ts_incconf_t *c, const char *who)
{
    INC_OPS(st, config_set);
    if (c == NULL || !text_ok(who, TS_INC_WHO_MAX, false))
        return TS_EINVAL;
    ts_buf_t b = TS_BUF_INIT;
    ts_incconf_write(c, &b);
    int r = st->ops->incident->config_set(st, b.data, who);
    ts_buf_free(&b);
    return r ? r : ts_incagg_rescore(st, 0, NULL);
}

int ts_store_incidents_changed(ts_store_t *st, int64_t site_id, int64_t watermark, size_t limit,
                               ts_incident_cb cb, void *ctx)
{
    INC_OPS(st, changed);
    if (cb == NULL || site_id < 0 || watermark < 0)
        return TS_EINVAL;
    return st->ops->incident->changed(st, site_id, watermark, limit, cb, ctx);
}

/* ---- Retention
 * ----------------------------------------------------------------------------------- */

/* One kind of row in transactions of at most batch: until a step removes
 * fewer than that (or, dry, once: a count is one statement). */
static int prune_what(ts_store_t *st, ts_prune_what_t what, ts_type_t type, int64_t cutoff,
                      size_t batch, bool dry_run, const volatile int *stop, uint64_t *total)
{
    for (;;) {
        if (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE)) /* set by a signal handler */
            return TS_EINTR;
        uint64_t n = 0;
        int r = dry_run ? ts_store_read_begin(st) : ts_store_begin(st);
        if (r)
            return r;
        r = st->ops->incident->prune(st, what, type, cutoff, batch, dry_run, &n);
        if (dry_run)
            ts_store_read_end(st);
        else if (r == 0)
            r = ts_store_commit(st);
        else
            ts_store_rollback(st);
        if (r)
            return r;
        *total += n;
        if (dry_run || n < batch)
            return 0;
    }
}

int ts_store_prune(ts_store_t *st, int64_t now, size_t batch, bool dry_run,
                   const volatile int *stop, ts_prune_stats_t *out)
{
    INC_OPS(st, prune);
    if (out == NULL)
        return TS_EINVAL;
    memset(out, 0, sizeof *out);
    if (batch == 0)
        batch = 1000;
    ts_incconf_t c;
    int r = ts_store_incident_config(st, &c);
    /* The types with a retention of their own, then every type with the
     * default's: a type's own retention is shorter or longer than the
     * default, so its events are never cut by the default's. */
    bool own[TS_RSIT_TYPES] = {false};
    for (int t = 0; r == 0 && t < TS_RSIT_TYPES; t++) {
        if (c.retention_events_type[t] == 0 || c.retention_events_type[t] == c.retention_events)
            continue;
        own[t] = true;
        r = prune_what(st, TS_PRUNE_EVENTS, (ts_type_t)t, now - c.retention_events_type[t], batch,
                       dry_run, stop, &out->events);
    }
    bool any_own = false;
    for (int t = 0; t < TS_RSIT_TYPES; t++)
        any_own |= own[t];
    for (int t = 0; r == 0 && t < TS_RSIT_TYPES && any_own; t++)
        if (!own[t])
            r = prune_what(st, TS_PRUNE_EVENTS, (ts_type_t)t, now - c.retention_events, batch,
                           dry_run, stop, &out->events);
    if (r == 0 && !any_own)
        r = prune_what(st, TS_PRUNE_EVENTS, TS_RSIT_TYPES, now - c.retention_events, batch, dry_run,
                       stop, &out->events);
    int64_t keep = now - c.retention_incidents;
    if (r == 0)
        r = prune_what(st, TS_PRUNE_INCIDENTS, 0, keep, batch, dry_run, stop, &out->incidents);
    if (r == 0)
        r = prune_what(st, TS_PRUNE_AUDIT, 0, keep, batch, dry_run, stop, &out->audit);
    if (r == 0)
        r = prune_what(st, TS_PRUNE_ROLLUPS, 0, keep, batch, dry_run, stop, &out->rollups);
    return r;
}

void ts_store_incidents_enable(ts_store_t *st, bool on)
{
    st->no_incidents = !on;
}

int ts_store_incidents_expect(ts_store_t *st, const ts_event_t *e, const ts_link_t *links,
                              int n_links)
{
    if (st == NULL || e == NULL || n_links < 0 || (n_links > 0 && links == NULL))
        return TS_EINVAL;
    /* Outside a transaction each event gets one of its own: nothing to gather. */
    return st->txn ? ts_incagg_expect(st, e, links, n_links) : 0;
}

void ts_inc_points_text(const int32_t *p, char *buf)
{
    char *o = buf;
    for (int f = 0; f < TS_F_COUNT_; f++) {
        if (f)
            *o++ = ',';
        /* Magnitude as unsigned, so that INT32_MIN is written too. */
        uint32_t m = p[f] < 0 ? 0u - (uint32_t)p[f] : (uint32_t)p[f];
        if (p[f] < 0)
            *o++ = '-';
        char d[10];
        int n = 0;
        do {
            d[n++] = (char)('0' + m % 10);
            m /= 10;
        } while (m);
        while (n)
            *o++ = d[--n];
    }
    *o = '\0';
}

void ts_inc_points_parse(const char *t, int32_t *p)
{
    memset(p, 0, TS_F_COUNT_ * sizeof *p);
    for (int f = 0; f < TS_F_COUNT_ && t && *t; f++) {
        char *end;
        p[f] = (int32_t)strtol(t, &end, 10);
        t = *end == ',' ? end + 1 : end;
    }
}

void ts_inc_rule_detail(ts_buf_t *b, const ts_suppress_t *r, const ts_critical_t *m)
{
    char net[TS_IP_STRLEN];
    ts_jsonw_t w;
    ts_jsonw_init(&w, b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "network");
    ts_prefix_format(r ? &r->net : &m->net, net, sizeof net);
    ts_jsonw_cstr(&w, net);
    if (r) {
        ts_jsonw_key(&w, "type");
        ts_jsonw_cstr(&w, ts_type_name(r->type));
        ts_jsonw_key(&w, "identifier");
        ts_jsonw_cstr(&w, r->identifier);
        if (r->peer.addr.family != TS_AF_NONE) {
            ts_prefix_format(&r->peer, net, sizeof net);
            ts_jsonw_key(&w, "peer");
            ts_jsonw_cstr(&w, net);
        }
        if (r->expires) {
            ts_jsonw_key(&w, "expires");
            ts_jsonw_int(&w, r->expires);
        }
    }
    const char *note = r ? r->note : m->note;
    if (note && note[0]) {
        ts_jsonw_key(&w, "note");
        ts_jsonw_cstr(&w, note);
    }
    ts_jsonw_object_end(&w);
}

void ts_inc_state_detail(ts_buf_t *b, ts_inc_state_t from, ts_inc_state_t to, const char *note)
{
    ts_jsonw_t w;
    ts_jsonw_init(&w, b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "from");
    ts_jsonw_cstr(&w, ts_inc_state_name(from));
    ts_jsonw_key(&w, "to");
    ts_jsonw_cstr(&w, ts_inc_state_name(to));
    if (note) {
        ts_jsonw_key(&w, "note");
        ts_jsonw_cstr(&w, note);
    }
    ts_jsonw_object_end(&w);
}
