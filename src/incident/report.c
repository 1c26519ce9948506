/* SPDX-License-Identifier: Apache-2.0 */
#include "incident/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/event.h"
#include "core/targets.h"
#include "output/format.h"

void ts_incident_prio_in(const ts_incident_t *inc, ts_prio_in_t *in)
{
    *in = (ts_prio_in_t){
        .role = inc->role,
        .type = inc->type,
        .count = inc->count,
        .own_hosts = inc->own_hosts,
        .peers = inc->peers,
        .first_seen = inc->first_seen,
        .last_seen = inc->last_seen,
        .critical = inc->critical != NULL && inc->critical[0] != '\0',
        .advisory = inc->advisory != NULL && inc->advisory[0] != '\0',
        .tlp = inc->tlp,
        .suppressed = inc->suppressed,
    };
}

void ts_points_text(int32_t tenths, char *buf, size_t size)
{
    int64_t a = tenths < 0 ? -(int64_t)tenths : tenths;
    snprintf(buf, size, "%s%" PRId64 ".%" PRId64, tenths < 0 ? "-" : "", a / 10, a % 10);
}

static void put_points(ts_jsonw_t *w, int32_t tenths)
{
    char buf[24];
    ts_points_text(tenths, buf, sizeof buf);
    ts_jsonw_raw(w, (ts_str_t){buf, strlen(buf)});
}

static void put_time(ts_jsonw_t *w, const char *key, int64_t us)
{
    char buf[64];
    ts_time_format_utc(us, buf, sizeof buf);
    ts_jsonw_key(w, key);
    ts_jsonw_cstr(w, buf);
}

static void put_str(ts_jsonw_t *w, const char *key, const char *s)
{
    ts_jsonw_key(w, key);
    ts_jsonw_cstr(w, s ? s : "");
}

static const char *role_name(ts_role_t r)
{
    return r == TS_ROLE_SOURCE ? "source" : "destination";
}

void ts_incident_json_fields(ts_jsonw_t *w, const ts_incident_t *inc, const ts_incconf_t *c,
                             bool factors)
{
    ts_jsonw_key(w, "id");
    ts_jsonw_int(w, inc->id);
    put_str(w, "site", inc->site_name);
    ts_jsonw_key(w, "previous_id");
    if (inc->previous_id > 0)
        ts_jsonw_int(w, inc->previous_id);
    else
        ts_jsonw_null(w);
    put_str(w, "type", ts_type_name(inc->type));
    put_str(w, "taxonomy", ts_taxonomy_name(ts_type_taxonomy(inc->type)));
    put_str(w, "identifier", inc->identifier);
    put_str(w, "object", inc->object);
    put_str(w, "role", role_name(inc->role));
    put_str(w, "state", ts_inc_state_name(inc->state));
    ts_jsonw_key(w, "suppressed");
    ts_jsonw_bool(w, inc->suppressed);
    put_time(w, "first_seen", inc->first_seen);
    put_time(w, "last_seen", inc->last_seen);
    put_time(w, "created", inc->created);
    put_time(w, "updated", inc->updated);
    ts_jsonw_key(w, "event_count");
    ts_jsonw_uint(w, inc->events);
    ts_jsonw_key(w, "count");
    ts_jsonw_uint(w, inc->count);
    ts_jsonw_key(w, "own_hosts");
    ts_jsonw_uint(w, inc->own_hosts);
    ts_jsonw_key(w, "peers");
    ts_jsonw_uint(w, inc->peers);
    ts_jsonw_key(w, "tlp");
    if (ts_tlp_name(inc->tlp))
        ts_jsonw_cstr(w, ts_tlp_name(inc->tlp));
    else
        ts_jsonw_null(w);
    put_str(w, "feed", inc->feed);
    put_str(w, "cve", inc->cve);
    put_str(w, "advisory", inc->advisory);
    put_str(w, "critical", inc->critical);
    put_str(w, "note", inc->note);
    ts_jsonw_key(w, "score");
    put_points(w, inc->score);
    if (!factors)
        return;
    ts_prio_in_t in;
    ts_incident_prio_in(inc, &in);
    ts_jsonw_key(w, "factors");
    ts_jsonw_array_begin(w);
    for (int f = 0; f < TS_F_COUNT_; f++) {
        char why[256];
        const char *detail = f == TS_F_CRITICAL   ? inc->critical
                             : f == TS_F_ADVISORY ? inc->advisory
                                                  : NULL;
        ts_priority_why((ts_factor_t)f, &in, detail, why, sizeof why);
        ts_jsonw_object_begin(w);
        put_str(w, "factor", ts_factor_name((ts_factor_t)f));
        ts_jsonw_key(w, "points");
        put_points(w, inc->points[f]);
        ts_jsonw_key(w, "weight");
        put_points(w, (int32_t)(c->weight[f] * 10.0 + 0.5));
        put_str(w, "why", why);
        ts_jsonw_object_end(w);
    }
    ts_jsonw_array_end(w);
}

void ts_feedback_json(ts_jsonw_t *w, const ts_feedback_t *f)
{
    const struct {
        const char *k;
        uint64_t v;
    } kv[] = {{"incidents", f->incidents},
              {"false_positive", f->false_positive},
              {"expected", f->expected},
              {"resolved", f->resolved},
              {"suppressed_incidents", f->suppressed_incidents},
              {"suppressed_events", f->suppressed_events}};
    ts_jsonw_object_begin(w);
    put_str(w, "feed", f->feed);
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        ts_jsonw_key(w, kv[i].k);
        ts_jsonw_uint(w, kv[i].v);
    }
    ts_jsonw_object_end(w);
}

void ts_suppress_json(ts_jsonw_t *w, const ts_suppress_t *r, const char *site_name, int64_t now)
{
    char net[TS_IP_STRLEN + 8] = "", peer[TS_IP_STRLEN + 8] = "";
    if (r->net.addr.family != TS_AF_NONE)
        ts_targets_entry_text(&r->net, net, sizeof net);
    if (r->peer.addr.family != TS_AF_NONE)
        ts_targets_entry_text(&r->peer, peer, sizeof peer);
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "id");
    ts_jsonw_int(w, r->id);
    put_str(w, "site", site_name);
    put_str(w, "type", ts_type_name(r->type));
    put_str(w, "identifier", r->identifier);
    put_str(w, "net", net);
    put_str(w, "peer", peer);
    put_str(w, "who", r->who);
    put_str(w, "note", r->note);
    put_time(w, "created", r->created);
    if (r->expires)
        put_time(w, "expires", r->expires);
    else {
        ts_jsonw_key(w, "expires");
        ts_jsonw_null(w);
    }
    ts_jsonw_key(w, "expired");
    ts_jsonw_bool(w, r->expires != 0 && r->expires <= now);
    ts_jsonw_object_end(w);
}

void ts_incident_csv_header(ts_buf_t *out)
{
    ts_buf_puts(out, "id,site,score,state,suppressed,type,identifier,object,role,first_seen,"
                     "last_seen,events,count,own_hosts,peers,tlp,feed,previous_id\r\n");
}

void ts_incident_csv_row(ts_buf_t *out, const ts_incident_t *inc)
{
    char score[24], first[64], last[64];
    ts_points_text(inc->score, score, sizeof score);
    ts_time_format_utc(inc->first_seen, first, sizeof first);
    ts_time_format_utc(inc->last_seen, last, sizeof last);
    ts_buf_printf(out, "%" PRId64, inc->id);
    ts_format_csv_text(out, inc->site_name, false);
    ts_buf_printf(out, ",%s,%s,%s", score, ts_inc_state_name(inc->state),
                  inc->suppressed ? "true" : "false");
    ts_format_csv_text(out, ts_type_name(inc->type), false);
    ts_format_csv_text(out, inc->identifier, false);
    ts_format_csv_text(out, inc->object, false);
    ts_buf_printf(out, ",%s,%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s",
                  role_name(inc->role), first, last, inc->events, inc->count, inc->own_hosts,
                  inc->peers, ts_tlp_name(inc->tlp) ? ts_tlp_name(inc->tlp) : "");
    ts_format_csv_text(out, inc->feed, false);
    if (inc->previous_id > 0)
        ts_buf_printf(out, ",%" PRId64 "\r\n", inc->previous_id);
    else
        ts_buf_puts(out, ",\r\n");
}
