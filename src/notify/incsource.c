/* SPDX-License-Identifier: Apache-2.0 */
/* The incident source: the incidents created, or whose priority rose, since
 * the watermark, which is the incident store's change sequence
 * (ts_store_incidents_changed(), store/incstore.h), so re-prioritised
 * incidents come back. Each comes with its score as of the watermark: none
 * (-1) makes it TS_NITEM_NEW; a priority above the one it had then makes it
 * TS_NITEM_RAISED with that one as prev_priority; a change that raised no
 * priority is no item. Suppressed incidents are never handed out.
 *
 * Priority: the score as a share of the configuration's largest possible
 * score (the sum of the weights): from 60% critical, 40% high, 20% medium,
 * else low. The summary, the why (each factor that gave points, as the
 * portal shows it) and the link are the portal's incident page's own; the
 * CSV holds the incident's newest EVENTS_MAX events as the site sees them
 * (its own share of each, as `tocsin events --format csv` writes them),
 * the rest being on the linked page; the same events as an IODEF 2 document
 * (output/export.h) for the contacts who ask for IODEF. Incidents are read a page of changes
 * at a time; the events cost two queries per incident handed out. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "incident/report.h"
#include "notify/item.h"
#include "output/export.h"
#include "output/format.h"
#include "store/incstore.h"

#define PAGE 500       /* incidents read per query */
#define EVENTS_MAX 100 /* events attached per incident */

/* An incident as the page keeps it until it is emitted. */
typedef struct held {
    int64_t id, site_id, changed;
    int32_t score, prev_score;
    ts_nitem_kind_t kind;
    int priority, prev_priority;
    char *type, *host, *summary, *why, *csv;
} held_t;

typedef struct page {
    const ts_incconf_t *conf;
    held_t v[PAGE];
    size_t n;
    int64_t last; /* the largest change sequence read */
} page_t;

static int prio_of(const ts_incconf_t *c, int32_t score)
{
    double full = 0;
    for (int f = 0; f < TS_F_COUNT_; f++)
        full += c->weight[f] * 10.0;
    double share = full > 0 ? score / full : 0;
    return share >= 0.6   ? TS_PRIO_CRITICAL
           : share >= 0.4 ? TS_PRIO_HIGH
           : share >= 0.2 ? TS_PRIO_MEDIUM
                          : TS_PRIO_LOW;
}

static char *take(ts_buf_t *b)
{
    char *s = ts_xstrdup(b->data ? b->data : "");
    ts_buf_reset(b);
    return s;
}

static int keep(const ts_incident_t *inc, void *ctx)
{
    page_t *p = ctx;
    p->last = inc->changed;
    int prio = prio_of(p->conf, inc->score);
    int prev = inc->prev_score < 0 ? 0 : prio_of(p->conf, inc->prev_score);
    if (inc->prev_score >= 0 && prio <= prev)
        return 0; /* changed, but no priority rose */
    held_t *h = &p->v[p->n++];
    *h = (held_t){.id = inc->id,
                  .site_id = inc->site_id,
                  .kind = inc->prev_score < 0 ? TS_NITEM_NEW : TS_NITEM_RAISED,
                  .priority = prio,
                  .prev_priority = inc->prev_score < 0 ? 0 : prev};
    ts_buf_t b = TS_BUF_INIT;
    ts_buf_puts(&b, ts_type_name(inc->type));
    h->type = take(&b);
    ts_nitem_one_line(&b, inc->object, 200);
    h->host = take(&b);
    /* As the portal titles the incident, with its counts and score. */
    char score[24];
    ts_points_text(inc->score, score, sizeof score);
    ts_buf_printf(&b, "%s %s ", ts_type_name(inc->type),
                  inc->role == TS_ROLE_SOURCE ? "from" : "against");
    ts_nitem_one_line(&b, inc->object, 200);
    if (inc->identifier[0]) {
        ts_buf_puts(&b, " (");
        ts_nitem_one_line(&b, inc->identifier, 200);
        ts_buf_putc(&b, ')');
    }
    ts_buf_printf(&b, ": %" PRIu64 " events, %" PRIu64 " peers, score %s", inc->events, inc->peers,
                  score);
    h->summary = take(&b);
    ts_prio_in_t in;
    ts_incident_prio_in(inc, &in);
    for (int f = 0; f < TS_F_COUNT_; f++) {
        if (inc->points[f] <= 0)
            continue;
        char why[256];
        ts_priority_why((ts_factor_t)f, &in,
                        f == TS_F_CRITICAL   ? inc->critical
                        : f == TS_F_ADVISORY ? inc->advisory
                                             : NULL,
                        why, sizeof why);
        if (b.len)
            ts_buf_puts(&b, "; ");
        ts_nitem_one_line(&b, why, 300);
    }
    h->why = take(&b);
    ts_incident_csv_header(&b);
    ts_incident_csv_row(&b, inc);
    h->csv = take(&b);
    ts_buf_free(&b);
    return 0;
}

struct event_out {
    ts_buf_t *csv, *iodef;
    ts_export_t x;
};

static int event_out(const ts_stored_event_t *ev, void *ctx)
{
    struct event_out *o = ctx;
    ts_format_event(TS_FMT_CSV, ev, o->csv);
    (void)ts_export_event(&o->x, ev, o->iodef); /* false: its TLP keeps it out */
    return 0;
}

/* The incident's newest events as its site sees them, as CSV into csv and
 * IODEF into iodef (empty when none); the incident's own row (already in
 * h->csv) when it has none left to show (pruned). Run while no statement of
 * the incident store is open. */
static int events_of(ts_store_t *st, const held_t *h, int64_t now, ts_buf_t *csv, ts_buf_t *iodef)
{
    int64_t ids[EVENTS_MAX];
    size_t n = 0;
    bool more = false;
    ts_buf_reset(csv);
    ts_buf_reset(iodef);
    int r = ts_store_incident_events(st, h->site_id, h->id, 0, ids, EVENTS_MAX, &n, &more);
    if (r == TS_ENOENT || (r == 0 && n == 0)) {
        ts_buf_puts(csv, h->csv);
        return 0;
    }
    if (r)
        return r;
    ts_format_header(TS_FMT_CSV, csv);
    struct event_out o = {.csv = csv, .iodef = iodef};
    ts_export_begin(&o.x, TS_EXPORT_IODEF, now, iodef);
    ts_event_filter_t ef;
    ts_event_filter_init(&ef);
    ef.site_id = h->site_id;
    ef.ids = ids;
    ef.n_ids = n;
    r = ts_store_events_foreach(st, &ef, event_out, &o);
    ts_export_end(&o.x, iodef);
    if (o.x.written == 0)
        ts_buf_reset(iodef); /* nothing it may carry: no document */
    return r;
}

static void release(page_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].type);
        free(p->v[i].host);
        free(p->v[i].summary);
        free(p->v[i].why);
        free(p->v[i].csv);
    }
    p->n = 0;
}

static int collect(ts_store_t *st, int64_t mark, int64_t now, const char *portal,
                   ts_nitem_emit_fn emit, void *ctx, int64_t *new_mark)
{
    /* The sequence is committed in order: nothing to hold back. */
    *new_mark = mark;
    ts_incconf_t conf;
    int r = ts_store_incident_config(st, &conf);
    page_t *p = ts_xcalloc(1, sizeof *p);
    p->conf = &conf;
    ts_buf_t link = TS_BUF_INIT, csv = TS_BUF_INIT, iodef = TS_BUF_INIT;
    for (bool more = true; r == 0 && more;) {
        p->last = *new_mark;
        /* A page is read whole before anything is emitted: the builder
         * writes while no statement of the incident store is open. */
        r = ts_store_incidents_changed(st, 0, *new_mark, PAGE, keep, p);
        more = r == 0 && p->last > *new_mark;
        for (size_t i = 0; r == 0 && i < p->n; i++) {
            const held_t *h = &p->v[i];
            char ref[24];
            snprintf(ref, sizeof ref, "%" PRId64, h->id);
            ts_buf_reset(&link);
            ts_buf_printf(&link, "%s/#/incidents/%" PRId64, portal ? portal : "", h->id);
            const char *hosts[1] = {h->host};
            r = events_of(st, h, now, &csv, &iodef);
            if (r)
                break;
            ts_nitem_t it = {
                .site_id = h->site_id,
                .kind = h->kind,
                .type = h->type,
                .priority = h->priority,
                .prev_priority = h->prev_priority,
                .ref = ref,
                .hosts = hosts,
                .n_hosts = h->host[0] ? 1 : 0,
                .summary = h->summary,
                .why = h->why,
                .link = link.data,
                .events_csv = csv.data,
                .events_iodef = iodef.len ? iodef.data : NULL,
            };
            r = emit(&it, ctx);
        }
        release(p);
        if (r == 0)
            *new_mark = p->last;
    }
    release(p);
    free(p);
    ts_buf_free(&link);
    ts_buf_free(&csv);
    ts_buf_free(&iodef);
    return r;
}

const ts_nsource_t ts_nsource_incidents = {"incidents", collect};
