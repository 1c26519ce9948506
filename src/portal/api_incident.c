/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/incidents[/{id}], /api/v1/suppressions[/{id}] and
 * /api/v1/feedback (issue 12).
 *
 * Visibility as everywhere in the API: the caller's subtree (ts_api_scope),
 * and an incident or rule outside it is answered exactly as a missing one.
 * Writes (PATCH of an incident's state, POST and DELETE of rules) are
 * audited with the certificate's fingerprint; the server has already
 * refused cross-site requests and bodies that are not JSON. A rule's
 * network outside the caller's space and one naming another site's
 * addresses get the same answer, so that a site learns nothing of how the
 * rest of the constituency is laid out. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/event.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "incident/report.h"
#include "portal/api_int.h"
#include "portal/query.h"
#include "route/loader.h"
#include "store/eventq.h"
#include "store/incstore.h"

#define BODY_MAX 8192     /* bytes of a request body */
#define DEFAULT_LIMIT 50  /* incidents per page */
#define DETAIL_EVENTS 50  /* newest events shown with an incident */
#define DETAIL_HISTORY 50 /* newest audit records shown with an incident */

static const char *const params_list[] = {"site",   "state",      "since",  "ip", "limit",
                                          "cursor", "suppressed", "format", NULL};
static const char *const params_site[] = {"site", NULL};
static const char *const params_none[] = {NULL};

static bool is_get(const ts_http_req_t *req)
{
    return req->method && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0);
}

static bool method_is(const ts_http_req_t *req, const char *m)
{
    return req->method && strcmp(req->method, m) == 0;
}

static void method_not_allowed(ts_http_resp_t *resp, const char *allow)
{
    ts_http_resp_error(resp, 405, "method_not_allowed", "method not allowed here");
    ts_http_resp_header(resp, "Allow", allow);
}

static bool parse_query(const ts_http_req_t *req, const char *const *allowed, ts_query_t *q,
                        ts_http_resp_t *resp)
{
    char err[256] = "";
    if (ts_query_parse(req->query, allowed, q, err, sizeof err) != 0) {
        ts_http_resp_error(resp, 400, "bad_parameter", err[0] ? err : "bad query string");
        return false;
    }
    return true;
}

static bool scope(ts_store_t *st, const ts_http_req_t *req, const char *const *allowed,
                  ts_query_t *q, ts_http_resp_t *resp, int64_t *root)
{
    if (!parse_query(req, allowed, q, resp))
        return false;
    if (!ts_api_scope(st, req->who, ts_query_get(q, "site"), resp, root)) {
        ts_query_free(q);
        return false;
    }
    return true;
}

/* A JSON object body, complete, of at most BODY_MAX bytes. */
static json_object *body_object(const ts_http_req_t *req, ts_http_resp_t *resp, const char *want)
{
    json_object *root = NULL;
    if (req->body != NULL && req->body_len > 0 && req->body_len <= BODY_MAX) {
        struct json_tokener *tok = json_tokener_new_ex(4);
        root = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
        bool complete = json_tokener_get_error(tok) == json_tokener_success &&
                        json_tokener_get_parse_end(tok) == req->body_len;
        json_tokener_free(tok);
        if (!complete || root == NULL || !json_object_is_type(root, json_type_object)) {
            json_object_put(root);
            root = NULL;
        }
    }
    if (root == NULL) {
        char msg[160];
        snprintf(msg, sizeof msg, "body: expected a JSON object %s", want);
        ts_http_resp_error(resp, 400, "bad_parameter", msg);
    }
    return root;
}

/* A string member of at most max bytes without NUL; absent: *out NULL.
 * Any other member than those listed is refused by the caller. */
static bool body_str(json_object *o, const char *key, size_t max, const char **out,
                     ts_http_resp_t *resp)
{
    json_object *v;
    *out = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return true;
    int n = json_object_is_type(v, json_type_string) ? json_object_get_string_len(v) : -1;
    if (n < 0 || (size_t)n > max || memchr(json_object_get_string(v), '\0', (size_t)n)) {
        char why[96];
        snprintf(why, sizeof why, "a string of at most %zu bytes", max);
        ts_api_bad_value(resp, key, why);
        return false;
    }
    *out = json_object_get_string(v);
    return true;
}

static bool body_only(json_object *o, const char *const *keys, ts_http_resp_t *resp)
{
    json_object_object_foreach(o, k, v)
    {
        (void)v;
        bool known = false;
        for (size_t i = 0; keys[i]; i++)
            known = known || strcmp(k, keys[i]) == 0;
        if (!known) {
            char msg[160];
            snprintf(msg, sizeof msg, "body: unknown member '%.64s'", k);
            ts_http_resp_error(resp, 400, "bad_parameter", msg);
            return false;
        }
    }
    return true;
}

/* ---- GET /api/v1/incidents --------------------------------------------------------------- */

struct list_ctx {
    ts_jsonw_t w;
    ts_buf_t *b;
    bool csv;
    const ts_incconf_t *conf;
    ts_incident_t last; /* id and score of the last one handed out */
};

static int list_row(const ts_incident_t *inc, void *ctx)
{
    struct list_ctx *l = ctx;
    l->last.id = inc->id;
    l->last.score = inc->score;
    if (l->csv) {
        ts_incident_csv_row(l->b, inc);
        return 0;
    }
    ts_jsonw_object_begin(&l->w);
    ts_incident_json_fields(&l->w, inc, l->conf, true);
    ts_jsonw_object_end(&l->w);
    return 0;
}

/* A cursor is a position in the queue's order, the (score, id) of the last
 * incident of the previous page, in one number: the score (0 .. 2^17, at
 * most 8 weights of 1000 points in tenths) above the id (below 2^46). It
 * only narrows a query already bounded by the caller's subtree. */
#define CURSOR_ID_BITS 46

static bool cursor_encode(const ts_incident_t *last, char *out)
{
    if (last->score < 0 || last->score >= (1 << 17) || last->id >= (1LL << CURSOR_ID_BITS))
        return false;
    ts_query_cursor_encode((int64_t)last->score << CURSOR_ID_BITS | last->id, out);
    return true;
}

static bool cursor_decode(const char *v, ts_incident_filter_t *f)
{
    int64_t c;
    if (ts_query_cursor_decode(v, &c) != 0)
        return false;
    f->after_score = (int32_t)(c >> CURSOR_ID_BITS);
    f->after_id = c & ((1LL << CURSOR_ID_BITS) - 1);
    return f->after_id > 0;
}

static void incidents_get(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    ts_query_t q;
    ts_incident_filter_t f;
    ts_incident_filter_init(&f);
    if (!scope(st, req, params_list, &q, resp, &f.site_id))
        return;
    const char *v;
    bool csv = false;
    f.limit = DEFAULT_LIMIT;
    if ((v = ts_query_get(&q, "format"))) {
        ts_api_format_t fmt;
        if (ts_query_format(v, &fmt) != 0 || fmt == TS_API_NDJSON) {
            ts_api_bad_value(resp, "format", "not json or csv");
            goto out;
        }
        csv = fmt == TS_API_CSV;
    }
    if ((v = ts_query_get(&q, "state"))) {
        ts_inc_state_t s;
        if (strcmp(v, "open") == 0) {
            f.state = TS_INC_FILTER_OPEN;
        } else if (ts_inc_state_lookup(v, strlen(v), &s) == 0) {
            f.state = (int)s;
        } else {
            ts_api_bad_value(resp, "state",
                             "not new, acknowledged, in-progress, resolved, false-positive, "
                             "expected or open");
            goto out;
        }
    }
    if ((v = ts_query_get(&q, "since")) && ts_query_time(v, ts_time_now(), &f.since) != 0) {
        ts_api_bad_value(resp, "since", "not a time (RFC 3339, or 24h, 7d)");
        goto out;
    }
    if ((v = ts_query_get(&q, "ip"))) {
        if (ts_query_ip(v, f.ip_lo, f.ip_hi) != 0) {
            ts_api_bad_value(resp, "ip", "not an address or network");
            goto out;
        }
        f.has_ip = true;
    }
    if ((v = ts_query_get(&q, "suppressed"))) {
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0 && strcmp(v, "any") != 0) {
            ts_api_bad_value(resp, "suppressed", "not true, false or any");
            goto out;
        }
        f.suppressed = v[0] == 't' ? 1 : v[0] == 'a' ? -1 : 0;
    }
    if ((v = ts_query_get(&q, "limit")) && ts_query_limit(v, &f.limit) != 0) {
        ts_api_bad_value(resp, "limit", "not a number from 1 to 1000");
        goto out;
    }
    if ((v = ts_query_get(&q, "cursor")) && !cursor_decode(v, &f)) {
        ts_api_bad_value(resp, "cursor", "not a cursor of this API");
        goto out;
    }
    ts_incconf_t conf;
    int r = ts_store_incident_config(st, &conf);
    struct list_ctx l = {.b = &resp->body, .csv = csv, .conf = &conf};
    if (csv) {
        ts_incident_csv_header(&resp->body);
    } else {
        ts_jsonw_init(&l.w, &resp->body);
        ts_jsonw_object_begin(&l.w);
        ts_jsonw_key(&l.w, "incidents");
        ts_jsonw_array_begin(&l.w);
    }
    bool more = false;
    if (r == 0)
        r = ts_store_incidents(st, &f, list_row, &l, &more);
    if (r) {
        ts_buf_reset(&resp->body);
        if (r == TS_ENOENT)
            ts_api_not_found(resp);
        else
            ts_api_internal(st, resp, r, "incident listing");
        goto out;
    }
    char cursor[TS_QUERY_CURSOR_LEN + 1];
    if (more && !cursor_encode(&l.last, cursor)) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, TS_ERANGE, "incident cursor");
        goto out;
    }
    if (csv) {
        resp->content_type = "text/csv; charset=utf-8";
        if (more)
            ts_http_resp_header(resp, "X-Next-Cursor", cursor);
    } else {
        ts_jsonw_array_end(&l.w);
        ts_jsonw_key(&l.w, "next_cursor");
        if (more)
            ts_jsonw_cstr(&l.w, cursor);
        else
            ts_jsonw_null(&l.w);
        ts_jsonw_object_end(&l.w);
    }
    resp->status = 200;
out:
    ts_query_free(&q);
}

/* ---- GET /api/v1/incidents/{id} ---------------------------------------------------------- */

struct detail_ctx {
    ts_jsonw_t w;
    const ts_incconf_t *conf;
};

static int detail_incident(const ts_incident_t *inc, void *ctx)
{
    struct detail_ctx *d = ctx;
    ts_jsonw_object_begin(&d->w);
    ts_incident_json_fields(&d->w, inc, d->conf, true);
    return 0;
}

static int detail_event(const ts_stored_event_t *ev, void *ctx)
{
    ts_api_put_event(ctx, ev);
    return 0;
}

static int detail_audit(const ts_audit_rec_t *a, void *ctx)
{
    ts_jsonw_t *w = ctx;
    char t[64];
    ts_time_format_utc(a->time, t, sizeof t);
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "time");
    ts_jsonw_cstr(w, t);
    ts_jsonw_key(w, "who");
    ts_jsonw_cstr(w, a->who);
    ts_jsonw_key(w, "action");
    ts_jsonw_cstr(w, a->action);
    ts_jsonw_key(w, "detail");
    ts_jsonw_raw(w, (ts_str_t){a->detail, strlen(a->detail)});
    ts_jsonw_object_end(w);
    return 0;
}

/* The incident with its factors, its newest events (as GET /events/{id}
 * shows them to this caller) and its history. */
static void incident_detail(ts_store_t *st, int64_t root, int64_t id, ts_http_resp_t *resp,
                            int status)
{
    ts_incconf_t conf;
    struct detail_ctx d = {.conf = &conf};
    ts_jsonw_init(&d.w, &resp->body);
    int r = ts_store_incident_config(st, &conf);
    if (r == 0)
        r = ts_store_incident_get(st, root, id, detail_incident, &d);
    int64_t ids[DETAIL_EVENTS];
    size_t n = 0;
    bool more = false;
    if (r == 0)
        r = ts_store_incident_events(st, root, id, 0, ids, DETAIL_EVENTS, &n, &more);
    if (r == 0) {
        ts_jsonw_key(&d.w, "events");
        ts_jsonw_array_begin(&d.w);
        for (size_t i = 0; i < n && r == 0; i++) {
            r = ts_store_portal_event(st, root, ids[i], detail_event, &d.w);
            if (r == TS_ENOENT) /* pruned meanwhile */
                r = 0;
        }
        ts_jsonw_array_end(&d.w);
        ts_jsonw_key(&d.w, "more_events");
        ts_jsonw_bool(&d.w, more);
    }
    if (r == 0) {
        ts_jsonw_key(&d.w, "history");
        ts_jsonw_array_begin(&d.w);
        r = ts_store_audit_foreach(st, root, "incident", id, DETAIL_HISTORY, detail_audit, &d.w);
        ts_jsonw_array_end(&d.w);
        ts_jsonw_object_end(&d.w);
    }
    if (r) {
        ts_buf_reset(&resp->body);
        if (r == TS_ENOENT)
            ts_api_not_found(resp);
        else
            ts_api_internal(st, resp, r, "incident");
        return;
    }
    resp->status = status;
}

static void incident_get(ts_store_t *st, const ts_http_req_t *req, int64_t id, ts_http_resp_t *resp)
{
    ts_query_t q;
    int64_t root;
    if (!scope(st, req, params_site, &q, resp, &root))
        return;
    ts_query_free(&q);
    incident_detail(st, root, id, resp, 200);
}

/* ---- PATCH /api/v1/incidents/{id} --------------------------------------------------------- */

static void incident_patch(ts_store_t *st, const ts_http_req_t *req, int64_t id,
                           ts_http_resp_t *resp)
{
    ts_query_t q;
    int64_t root;
    if (!scope(st, req, params_site, &q, resp, &root))
        return;
    ts_query_free(&q);
    static const char *const keys[] = {"state", "note", NULL};
    json_object *o = body_object(req, resp, "{\"state\": \"...\", \"note\": \"...\"}");
    const char *state_s, *note;
    if (o == NULL)
        return;
    if (!body_only(o, keys, resp) || !body_str(o, "state", 32, &state_s, resp) ||
        !body_str(o, "note", TS_INC_NOTE_MAX, &note, resp))
        goto out;
    ts_inc_state_t state;
    if (state_s == NULL || ts_inc_state_lookup(state_s, strlen(state_s), &state) != 0) {
        ts_api_bad_value(resp, "state",
                         "not new, acknowledged, in-progress, resolved, false-positive or "
                         "expected");
        goto out;
    }
    int r = ts_store_incident_set_state(st, root, id, state, note, req->who->fingerprint, NULL);
    if (r == TS_ENOENT) {
        ts_api_not_found(resp);
    } else if (r == TS_EINVAL) {
        ts_api_bad_value(resp, "note", "not valid text");
    } else if (r) {
        ts_api_internal(st, resp, r, "incident state");
    } else {
        ts_log_info("api: incident %" PRId64 " set to %s by %s", id, ts_inc_state_name(state),
                    req->who->fingerprint);
        incident_detail(st, root, id, resp, 200);
    }
out:
    json_object_put(o);
}

/* ---- /api/v1/suppressions ---------------------------------------------------------------- */

struct rules_ctx {
    ts_jsonw_t *w;
    int64_t find;  /* DELETE: the rule looked for ... */
    int64_t found; /* ... and its site */
};

static int rule_row(const ts_suppress_t *r, const char *site_name, void *ctx)
{
    struct rules_ctx *c = ctx;
    if (c->w == NULL) {
        if (r->id == c->find)
            c->found = r->site_id;
        return 0;
    }
    ts_suppress_json(c->w, r, site_name, ts_time_now());
    return 0;
}

static void suppressions_get(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    ts_query_t q;
    int64_t root;
    if (!scope(st, req, params_site, &q, resp, &root))
        return;
    ts_query_free(&q);
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "suppressions");
    ts_jsonw_array_begin(&w);
    struct rules_ctx c = {.w = &w};
    int r = ts_store_suppress_foreach(st, root, rule_row, &c);
    if (r) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, r, "suppressions");
        return;
    }
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    resp->status = 200;
}

static bool body_prefix(json_object *o, const char *key, bool required, ts_prefix_t *p,
                        ts_http_resp_t *resp)
{
    const char *s;
    if (!body_str(o, key, TS_IP_STRLEN + 4, &s, resp))
        return false;
    if ((s == NULL && !required) || (s && ts_prefix_parse(s, strlen(s), p) == 0))
        return true;
    ts_api_bad_value(resp, key, "not an address or network");
    return false;
}

static void suppressions_post(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    ts_query_t q;
    int64_t root;
    if (!scope(st, req, params_site, &q, resp, &root))
        return;
    ts_query_free(&q);
    if (root == 0) {
        ts_api_bad_value(resp, "site", "a CSIRT certificate names the site with ?site=");
        return;
    }
    static const char *const keys[] = {"type",    "net",  "identifier", "peer",
                                       "expires", "note", NULL};
    json_object *o = body_object(
        req, resp, "{\"type\", \"net\", \"identifier\", \"peer\", \"expires\", \"note\"}");
    if (o == NULL)
        return;
    ts_suppress_t rule = {.site_id = root, .who = req->who->fingerprint};
    const char *type, *expires;
    ts_constituency_t *c = NULL;
    if (!body_only(o, keys, resp) || !body_str(o, "type", 64, &type, resp) ||
        !body_str(o, "identifier", TS_INC_IDENT_MAX, &rule.identifier, resp) ||
        !body_str(o, "expires", 64, &expires, resp) ||
        !body_str(o, "note", TS_INC_NOTE_MAX, &rule.note, resp) ||
        !body_prefix(o, "net", true, &rule.net, resp) ||
        !body_prefix(o, "peer", false, &rule.peer, resp))
        goto out;
    if (type == NULL || ts_type_lookup(type, strlen(type), &rule.type) != 0) {
        ts_api_bad_value(resp, "type", "not an RSIT type (GET /api/v1/taxonomy)");
        goto out;
    }
    if (rule.identifier == NULL)
        rule.identifier = "*";
    if (rule.note == NULL)
        rule.note = "";
    if (expires && (ts_time_parse(expires, strlen(expires), &rule.expires) != 0 ||
                    rule.expires <= ts_time_now())) {
        ts_api_bad_value(resp, "expires", "not a future time (RFC 3339)");
        goto out;
    }
    int r = ts_constituency_load(st, &c);
    int64_t id = 0;
    if (r == 0)
        r = ts_store_suppress_add(st, c, &rule, &id);
    if (r == TS_ERANGE || r == TS_EDENIED) {
        ts_api_bad_value(resp, "net", "not inside the site's own address space");
    } else if (r == TS_EINVAL) {
        ts_api_bad_value(resp, "identifier", "not valid text");
    } else if (r == TS_ENOENT) {
        ts_api_not_found(resp);
    } else if (r) {
        ts_api_internal(st, resp, r, "suppression add");
    } else {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &resp->body);
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "id");
        ts_jsonw_int(&w, id);
        ts_jsonw_object_end(&w);
        resp->status = 201;
    }
out:
    ts_constituency_free(c);
    json_object_put(o);
}

static void suppression_delete(ts_store_t *st, const ts_http_req_t *req, int64_t id,
                               ts_http_resp_t *resp)
{
    ts_query_t q;
    if (!parse_query(req, params_none, &q, resp))
        return;
    ts_query_free(&q);
    /* The rule's own site, when the caller's subtree holds it. */
    int64_t root = req->who->csirt ? 0 : req->who->site_id;
    struct rules_ctx c = {.find = id};
    int r = ts_store_suppress_foreach(st, root, rule_row, &c);
    if (r == 0)
        r = c.found > 0 ? ts_store_suppress_remove(st, c.found, id, req->who->fingerprint)
                        : TS_ENOENT;
    if (r == TS_ENOENT)
        ts_api_not_found(resp);
    else if (r)
        ts_api_internal(st, resp, r, "suppression remove");
    else
        resp->status = 204;
}

/* ---- GET /api/v1/feedback: the CSIRT's view per feed and detector -----------------------------
 */

static int feedback_row(const ts_feedback_t *f, void *ctx)
{
    ts_feedback_json(ctx, f);
    return 0;
}

static void feedback_get(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    ts_query_t q;
    if (!parse_query(req, params_none, &q, resp))
        return;
    ts_query_free(&q);
    if (!req->who->csirt) { /* the whole constituency's: a site does not know of it */
        ts_api_not_found(resp);
        return;
    }
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "feeds");
    ts_jsonw_array_begin(&w);
    int r = ts_store_feedback(st, feedback_row, &w);
    if (r) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, r, "feedback");
        return;
    }
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    resp->status = 200;
}

/* ---- Router ---------------------------------------------------------------------------------- */

/* The rest of a path after prefix: "" (the collection), an id (one
 * object), or anything else (no resource). */
static int split(const char *path, const char *prefix, int64_t *id)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return -1;
    const char *rest = path + n;
    if (*rest == '\0')
        return 0;
    if (*rest == '/' && ts_api_parse_id(rest + 1, strlen(rest + 1), id))
        return 1;
    return -1;
}

void ts_api_incident_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    const char *path = req->path ? req->path : "";
    int64_t id = 0;
    int k;
    if ((k = split(path, "/api/v1/incidents", &id)) == 0) {
        if (is_get(req))
            incidents_get(st, req, resp);
        else
            method_not_allowed(resp, "GET, HEAD");
    } else if (k == 1) {
        if (is_get(req))
            incident_get(st, req, id, resp);
        else if (method_is(req, "PATCH"))
            incident_patch(st, req, id, resp);
        else
            method_not_allowed(resp, "GET, HEAD, PATCH");
    } else if ((k = split(path, "/api/v1/suppressions", &id)) == 0) {
        if (is_get(req))
            suppressions_get(st, req, resp);
        else if (method_is(req, "POST"))
            suppressions_post(st, req, resp);
        else
            method_not_allowed(resp, "GET, HEAD, POST");
    } else if (k == 1) {
        if (method_is(req, "DELETE"))
            suppression_delete(st, req, id, resp);
        else
            method_not_allowed(resp, "DELETE");
    } else if (strcmp(path, "/api/v1/feedback") == 0) {
        if (is_get(req))
            feedback_get(st, req, resp);
        else
            method_not_allowed(resp, "GET, HEAD");
    } else {
        ts_api_not_found(resp);
    }
}
