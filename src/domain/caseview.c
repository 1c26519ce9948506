/* SPDX-License-Identifier: Apache-2.0 */
/* A case as JSON (caseview.h). Times in RFC 3339 UTC, "" when unset. */
#include "domain/caseview.h"
#include "core/event.h"
#include "store/domainstore.h"

static void time_field(ts_jsonw_t *w, const char *key, int64_t us)
{
    char t[48] = "";
    if (us > 0)
        ts_time_format_utc(us, t, sizeof t);
    ts_jsonw_key(w, key);
    ts_jsonw_cstr(w, t);
}

static void case_fields(ts_jsonw_t *w, const ts_domain_case_t *c)
{
    ts_jsonw_key(w, "id");
    ts_jsonw_int(w, c->id);
    ts_jsonw_key(w, "domain");
    ts_jsonw_cstr(w, c->domain);
    ts_jsonw_key(w, "reason");
    ts_jsonw_cstr(w, c->reason);
    ts_jsonw_key(w, "state");
    ts_jsonw_cstr(w, c->state);
    time_field(w, "opened", c->opened);
    time_field(w, "updated", c->updated);
    time_field(w, "since", c->since);
    time_field(w, "until", c->until);
    ts_jsonw_key(w, "extensions");
    ts_jsonw_int(w, c->extensions);
    ts_jsonw_key(w, "opened_by");
    ts_jsonw_cstr(w, c->opened_by);
    ts_jsonw_key(w, "holder");
    ts_jsonw_cstr(w, c->holder);
    ts_jsonw_key(w, "registrar");
    ts_jsonw_cstr(w, c->registrar);
    ts_jsonw_key(w, "reporter");
    ts_jsonw_cstr(w, c->reporter);
    ts_jsonw_key(w, "lang");
    ts_jsonw_cstr(w, c->lang);
}

static int on_list_case(const ts_domain_case_t *c, void *ctx)
{
    ts_jsonw_t *w = ctx;
    ts_jsonw_object_begin(w);
    case_fields(w, c);
    ts_jsonw_object_end(w);
    return 0;
}

static int on_case(const ts_domain_case_t *c, void *ctx)
{
    case_fields(ctx, c);
    return 0;
}

static int on_evidence(const ts_domain_evidence_t *e, void *ctx)
{
    ts_jsonw_t *w = ctx;
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "kind");
    ts_jsonw_cstr(w, e->kind);
    ts_jsonw_key(w, "value");
    ts_jsonw_cstr(w, e->value);
    if (e->sha256[0]) {
        ts_jsonw_key(w, "sha256");
        ts_jsonw_cstr(w, e->sha256);
    }
    if (e->event_id) {
        ts_jsonw_key(w, "event_id");
        ts_jsonw_int(w, e->event_id);
    }
    time_field(w, "dated", e->dated);
    time_field(w, "added", e->added);
    ts_jsonw_key(w, "who");
    ts_jsonw_cstr(w, e->who);
    ts_jsonw_object_end(w);
    return 0;
}

static int on_decision(const ts_domain_decision_t *d, void *ctx)
{
    ts_jsonw_t *w = ctx;
    ts_jsonw_object_begin(w);
    time_field(w, "at", d->at);
    ts_jsonw_key(w, "action");
    ts_jsonw_cstr(w, d->action);
    ts_jsonw_key(w, "who");
    ts_jsonw_cstr(w, d->who);
    ts_jsonw_key(w, "why");
    ts_jsonw_cstr(w, d->why);
    ts_jsonw_key(w, "from");
    ts_jsonw_cstr(w, d->from_state);
    ts_jsonw_key(w, "to");
    ts_jsonw_cstr(w, d->to_state);
    time_field(w, "valid_from", d->valid_from);
    time_field(w, "valid_until", d->valid_until);
    ts_jsonw_object_end(w);
    return 0;
}

int ts_domain_case_json(ts_store_t *st, int64_t id, ts_jsonw_t *w)
{
    /* Read first into a scratch writer so a missing case writes nothing. */
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t tmp;
    ts_jsonw_init(&tmp, &b);
    ts_jsonw_object_begin(&tmp);
    int r = ts_store_domain_case_get(st, id, on_case, &tmp);
    if (r == 0) {
        ts_jsonw_key(&tmp, "evidence");
        ts_jsonw_array_begin(&tmp);
        r = ts_store_domain_evidence_foreach(st, id, on_evidence, &tmp);
        ts_jsonw_array_end(&tmp);
    }
    if (r == 0) {
        ts_jsonw_key(&tmp, "timeline");
        ts_jsonw_array_begin(&tmp);
        r = ts_store_domain_decisions_foreach(st, id, on_decision, &tmp);
        ts_jsonw_array_end(&tmp);
    }
    ts_jsonw_object_end(&tmp);
    if (r == 0)
        ts_jsonw_raw(w, ts_str(b.data, b.len));
    ts_buf_free(&b);
    return r;
}

int ts_domain_cases_json(ts_store_t *st, const char *state, size_t limit, ts_jsonw_t *w)
{
    ts_jsonw_array_begin(w);
    int r = ts_store_domain_cases_foreach(st, state, limit, on_list_case, w);
    ts_jsonw_array_end(w);
    return r;
}
