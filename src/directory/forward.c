/* SPDX-License-Identifier: Apache-2.0 */
/* Forwarding events outside the constituency (forward.h). */
#include "directory/forward.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/event.h"
#include "core/ip.h"
#include "core/taxonomy.h"
#include "core/tlp.h"
#include "directory/dirmail.h"
#include "notify/address.h"

/* What the mail needs of the event, copied out of the store's callback. */
struct ev {
    bool found;
    ts_tlp_t tlp;
    ts_ip_t ip[2];
    int32_t port[2];
    int64_t time;
    char type[64], description[256];
    uint64_t count;
    bool owned[2]; /* a site of the constituency owns that side */
};

static int on_event(const ts_stored_event_t *se, void *ctx)
{
    struct ev *e = ctx;
    e->found = true;
    e->tlp = se->ev.tlp;
    e->ip[0] = se->ev.src.ip;
    e->ip[1] = se->ev.dst.ip;
    e->port[0] = se->ev.src.port;
    e->port[1] = se->ev.dst.port;
    e->time = se->ev.time_source != TS_TIME_NONE ? se->ev.time_source : se->ev.time_observation;
    e->count = se->ev.count;
    snprintf(e->type, sizeof e->type, "%s", ts_type_name(se->ev.type));
    snprintf(e->description, sizeof e->description, "%.*s", (int)se->ev.description.len,
             se->ev.description.ptr ? se->ev.description.ptr : "");
    for (int i = 0; i < se->n_links; i++)
        e->owned[se->links[i].role == TS_ROLE_SOURCE ? 0 : 1] = true;
    return 0;
}

/* The event's details, for {{summary}}. */
static void details(const struct ev *e, int side, ts_buf_t *b)
{
    char t[64];
    ts_time_format_utc(e->time, t, sizeof t);
    ts_buf_printf(b, "  time:        %s\n  type:        %s\n  count:       %llu\n", t, e->type,
                  (unsigned long long)e->count);
    for (int s = 0; s < 2; s++) {
        if (e->ip[s].family == TS_AF_NONE)
            continue;
        char a[TS_IP_STRLEN];
        ts_ip_format(&e->ip[s], a, sizeof a);
        ts_buf_printf(b, "  %-12s %s", s == 0 ? "source:" : "destination:", a);
        if (e->port[s] >= 0)
            ts_buf_printf(b, " port %d", (int)e->port[s]);
        ts_buf_puts(b, s == side ? "  (yours)\n" : "\n");
    }
    if (e->description[0])
        ts_buf_printf(b, "  description: %s\n", e->description);
}

int ts_forward_event(ts_store_t *st, ts_finder_t *f, int64_t id, const ts_forward_opts_t *o,
                     int64_t now, ts_forward_result_t *r, const char **why)
{
    static const char *not_out = "";
    *why = not_out;
    memset(r, 0, sizeof *r);
    if (st == NULL || f == NULL || o == NULL || id <= 0 ||
        (!o->dry_run &&
         (o->from == NULL || ts_addr_check(o->from, strlen(o->from), NULL, NULL, 0) != 0)))
        return TS_EINVAL;
    struct ev e = {0};
    ts_event_filter_t flt;
    ts_event_filter_init(&flt);
    flt.ids = &id;
    flt.n_ids = 1;
    int rc = ts_store_events_foreach(st, &flt, on_event, &e);
    if (rc)
        return rc;
    if (!e.found)
        return TS_ENOENT;
    if (e.tlp == TS_TLP_RED || e.tlp == TS_TLP_AMBER_STRICT) {
        *why = e.tlp == TS_TLP_RED ? "TLP:RED is never shared outside the CSIRT"
                                   : "TLP:AMBER+STRICT is never shared outside the CSIRT";
        return TS_EDENIED;
    }
    r->tlp = e.tlp == TS_TLP_NONE ? "AMBER" : ts_tlp_name(e.tlp);
    int side = o->side == TS_FORWARD_SOURCE        ? 0
               : o->side == TS_FORWARD_DESTINATION ? 1
               : !e.owned[0] && e.ip[0].family     ? 0
                                                   : 1;
    if (e.ip[side].family == TS_AF_NONE) {
        *why = "that side of the event has no address";
        return TS_ECONFLICT;
    }
    if (e.owned[side]) {
        *why = "that address belongs to a site of the constituency: notifications reach it";
        return TS_ECONFLICT;
    }
    ts_ip_format(&e.ip[side], r->address, sizeof r->address);
    if ((rc = ts_finder_find(f, r->address, now, &r->contact)) != 0)
        return rc;
    if (strcmp(r->contact.source, "site") == 0) {
        *why = "that address belongs to a site of the constituency: notifications reach it";
        return TS_ECONFLICT;
    }
    if (r->contact.email[0] == '\0') {
        *why = "no contact found";
        return TS_EAGAIN;
    }
    if (o->dry_run)
        return 0;
    ts_buf_t sum = TS_BUF_INIT;
    details(&e, side, &sum);
    /* Outside the constituency, nobody's language is known: English. */
    ts_dirmail_t m = {.tpl = o->tpl,
                      .kind = TS_TPL_FORWARD,
                      .from = o->from,
                      .from_name = o->from_name,
                      .to = r->contact.email,
                      .to_name = r->contact.name,
                      .values = {[TS_V_TYPE] = e.type,
                                 [TS_V_HOSTS] = r->address,
                                 [TS_V_SUMMARY] = sum.data,
                                 [TS_V_TLP] = r->tlp},
                      .out_kind = "forward",
                      .now = now};
    char err[256];
    rc = ts_dirmail_queue(st, &m, r->message_id, err, sizeof err);
    ts_buf_free(&sum);
    return rc;
}
