/* SPDX-License-Identifier: Apache-2.0 */
/* Backend dispatch: the location string chooses the backend, then every call
 * goes through its operations table. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/metrics.h"
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
    if (st)
        st->ops->close(st);
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
    return st->ops->begin(st);
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

int ts_store_commit(ts_store_t *st)
{
    uint64_t t0 = ts_metrics_now_us();
    int r = st->ops->commit(st);
    ts_metric_observe_us(commit_seconds(), ts_metrics_now_us() - t0);
    return r;
}

void ts_store_rollback(ts_store_t *st)
{
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

int ts_store_event_add(ts_store_t *st, const ts_event_t *e, const ts_link_t *links, int n_links,
                       int64_t input_id, uint64_t line, int64_t *id)
{
    return st->ops->event_add(st, e, links, n_links, input_id, line, id);
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
