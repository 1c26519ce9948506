/* SPDX-License-Identifier: Apache-2.0 */
/* A directory team as JSON and CSV (teamfmt.h). */
#include <string.h>

#include "core/event.h"
#include "directory/teamfmt.h"
#include "output/format.h"

bool ts_team_public(int state)
{
    return state == TS_TEAM_LISTED || state == TS_TEAM_ACCR_CANDIDATE ||
           state == TS_TEAM_ACCREDITED;
}

static void time_field(ts_jsonw_t *w, const char *key, int64_t us)
{
    ts_jsonw_key(w, key);
    if (us == 0) {
        ts_jsonw_null(w);
        return;
    }
    char buf[64];
    ts_time_format_utc(us, buf, sizeof buf);
    ts_jsonw_cstr(w, buf);
}

/* The constituency lists of one kind, as an array. */
struct scope_ctx {
    ts_jsonw_t *w;
    ts_buf_t *csv;
    ts_rule_kind_t kind;
    bool first;
};

static int on_scope(int64_t team_id, const ts_team_scope_t *s, void *ctx)
{
    struct scope_ctx *c = ctx;
    (void)team_id;
    if (s->kind != c->kind)
        return 0;
    if (c->w) {
        ts_jsonw_cstr(c->w, s->value);
    } else {
        if (!c->first)
            ts_buf_putc(c->csv, ' ');
        ts_buf_puts(c->csv, s->value);
    }
    c->first = false;
    return 0;
}

static int on_rep(int64_t team_id, const ts_team_rep_t *r, void *ctx)
{
    ts_jsonw_t *w = ctx;
    (void)team_id;
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "name");
    ts_jsonw_cstr(w, r->name);
    ts_jsonw_key(w, "email");
    ts_jsonw_cstr(w, r->email);
    ts_jsonw_key(w, "phone");
    ts_jsonw_cstr(w, r->phone);
    ts_jsonw_object_end(w);
    return 0;
}

static int on_sponsor(const ts_team_sponsor_rec_t *s, void *ctx)
{
    ts_jsonw_t *w = ctx;
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "team");
    ts_jsonw_cstr(w, s->sponsor);
    time_field(w, "at", s->at);
    ts_jsonw_key(w, "by");
    ts_jsonw_cstr(w, s->who);
    ts_jsonw_object_end(w);
    return 0;
}

static int on_audit(const ts_team_audit_rec_t *a, void *ctx)
{
    ts_jsonw_t *w = ctx;
    ts_jsonw_object_begin(w);
    time_field(w, "at", a->at);
    ts_jsonw_key(w, "who");
    ts_jsonw_cstr(w, a->who);
    ts_jsonw_key(w, "action");
    ts_jsonw_cstr(w, a->action);
    ts_jsonw_key(w, "from");
    ts_jsonw_cstr(w, ts_team_state_name(a->from));
    ts_jsonw_key(w, "to");
    ts_jsonw_cstr(w, ts_team_state_name(a->to));
    ts_jsonw_key(w, "detail");
    ts_jsonw_cstr(w, a->detail);
    ts_jsonw_object_end(w);
    return 0;
}

static void str_field(ts_jsonw_t *w, const char *key, const char *v)
{
    ts_jsonw_key(w, key);
    ts_jsonw_cstr(w, v ? v : "");
}

int ts_team_write_json(ts_store_t *st, const ts_team_rec_t *t, ts_team_view_t view, ts_jsonw_t *w)
{
    bool full = view == TS_TEAM_FULL;
    ts_jsonw_object_begin(w);
    str_field(w, "short_team_name", t->name);
    str_field(w, "official_team_name", t->official_name);
    str_field(w, "country", t->country);
    str_field(w, "email", t->email);
    if (full)
        str_field(w, "phone_emergency", t->emergency_phone);
    str_field(w, "website", t->website);
    str_field(w, "rfc2350", t->rfc2350);
    str_field(w, "pgp_key", t->pgp_key);
    str_field(w, "business_hours", t->hours);
    str_field(w, "timezone", t->tz);
    str_field(w, "state", ts_team_state_name(t->state));
    time_field(w, "listed", t->listed_at);
    time_field(w, "accredited", t->accredited_at);
    ts_jsonw_key(w, "constituency");
    ts_jsonw_object_begin(w);
    str_field(w, "type", t->ctype);
    static const struct {
        const char *key;
        ts_rule_kind_t kind;
    } kinds[] = {{"asns", TS_RULE_ASN}, {"networks", TS_RULE_NETWORK}, {"domains", TS_RULE_DOMAIN}};
    int r = 0;
    for (size_t i = 0; r == 0 && i < sizeof kinds / sizeof kinds[0]; i++) {
        struct scope_ctx c = {.w = w, .kind = kinds[i].kind, .first = true};
        ts_jsonw_key(w, kinds[i].key);
        ts_jsonw_array_begin(w);
        r = ts_store_team_scopes_foreach(st, t->id, on_scope, &c);
        ts_jsonw_array_end(w);
    }
    ts_jsonw_object_end(w);
    if (full && r == 0) {
        time_field(w, "state_since", t->state_since);
        time_field(w, "deadline", t->deadline);
        time_field(w, "recertified", t->recertified_at);
        time_field(w, "verified", t->verified_at);
        time_field(w, "last_rejected", t->last_rejected);
        ts_jsonw_key(w, "rejections");
        ts_jsonw_int(w, t->rejections);
        ts_jsonw_key(w, "representatives");
        ts_jsonw_array_begin(w);
        r = ts_store_team_reps_foreach(st, t->id, on_rep, w);
        ts_jsonw_array_end(w);
        ts_jsonw_key(w, "sponsors");
        ts_jsonw_array_begin(w);
        if (r == 0)
            r = ts_store_team_sponsors_foreach(st, t->id, on_sponsor, w);
        ts_jsonw_array_end(w);
        ts_jsonw_key(w, "audit");
        ts_jsonw_array_begin(w);
        if (r == 0)
            r = ts_store_team_audit_foreach(st, t->id, on_audit, w);
        ts_jsonw_array_end(w);
    }
    ts_jsonw_object_end(w);
    return r;
}

void ts_team_csv_header(ts_buf_t *out)
{
    ts_buf_puts(out, "name,official_name,country,state,email,emergency_phone,website,rfc2350,"
                     "hours,tz,ctype,asns,networks,domains\r\n");
}

int ts_team_write_csv(ts_store_t *st, const ts_team_rec_t *t, ts_buf_t *out)
{
    const char *cells[] = {t->name,    t->official_name,
                           t->country, ts_team_state_name(t->state),
                           t->email,   t->emergency_phone,
                           t->website, t->rfc2350,
                           t->hours,   t->tz,
                           t->ctype};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
        ts_format_csv_text(out, cells[i], i == 0);
    static const ts_rule_kind_t kinds[] = {TS_RULE_ASN, TS_RULE_NETWORK, TS_RULE_DOMAIN};
    ts_buf_t list = TS_BUF_INIT;
    int r = 0;
    for (size_t i = 0; r == 0 && i < 3; i++) {
        ts_buf_reset(&list);
        struct scope_ctx c = {.csv = &list, .kind = kinds[i], .first = true};
        r = ts_store_team_scopes_foreach(st, t->id, on_scope, &c);
        ts_format_csv_text(out, list.data, false);
    }
    ts_buf_free(&list);
    ts_buf_puts(out, "\r\n");
    return r;
}
