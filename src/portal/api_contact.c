/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/contacts and /api/v1/outbox (issue 14): a site manages its own
 * contacts (and those of its sub-sites, named with ?site=), and sees the
 * notification mails sent to them; a CSIRT certificate sees every site.
 *
 * Tenancy: every store call is bounded by a site the caller may see; a
 * contact or mail of another site answers the same 404 as a missing one.
 * Writes reach this file only from an admin certificate (api.c asks
 * ts_api_may_write() first). */
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/json.h"
#include "core/jsonw.h"
#include "notify/contact.h"
#include "notify/outbox.h"
#include "portal/api_int.h"
#include "store/eventq.h"
#include "store/notifystore.h"

#define BODY_MAX (64u << 10) /* the server takes no larger body (server.h) */

static const char *const params_site[] = {"site", NULL};
static const char *const params_outbox[] = {"site", "state", "limit", NULL};

static void method_not_allowed(ts_http_resp_t *resp, const char *allow)
{
    ts_http_resp_error(resp, 405, "method_not_allowed", "method not allowed here");
    ts_http_resp_header(resp, "Allow", allow);
}

/* The query's scope: the site the caller acts for (0: the CSIRT, all). */
static bool scope(ts_store_t *st, const ts_http_req_t *req, const char *const *allowed,
                  ts_query_t *q, ts_http_resp_t *resp, int64_t *site)
{
    char err[256] = "";
    if (ts_query_parse(req->query, allowed, q, err, sizeof err) != 0) {
        ts_http_resp_error(resp, 400, "bad_parameter", err);
        return false;
    }
    if (!ts_api_scope(st, req->who, ts_query_get(q, "site"), resp, site)) {
        ts_query_free(q);
        return false;
    }
    return true;
}

struct list {
    ts_jsonw_t *w;
    int64_t now;
};

static int contact_row(const ts_contact_rec_t *c, void *ctx)
{
    struct list *l = ctx;
    ts_contact_json(l->w, c, l->now);
    return 0;
}

static void list_contacts(ts_store_t *st, int64_t site, ts_http_resp_t *resp)
{
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "contacts");
    ts_jsonw_array_begin(&w);
    struct list l = {&w, ts_time_now()};
    int r = ts_store_ncontacts_foreach(st, site, contact_row, &l);
    if (r) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, r, "contacts");
        return;
    }
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    resp->status = 200;
}

/* The body: an object of strings named as ts_contact_in_t's fields. Its
 * strings live in *root (free with ts_json_free()). */
static bool read_body(const ts_http_req_t *req, ts_contact_in_t *in, ts_json_t **root,
                      ts_http_resp_t *resp)
{
    memset(in, 0, sizeof *in);
    *root = NULL;
    char err[TS_JSON_ERRMAX + 64] = "body: expected a JSON object";
    if (req->body == NULL || req->body_len == 0 || req->body_len > BODY_MAX ||
        ts_json_parse(req->body, req->body_len, BODY_MAX, 2, TS_JSON_NO_DUPKEYS, root, NULL, 0) !=
            0 ||
        ts_json_as_object(*root, "body", NULL, 0) != 0 ||
        ts_json_check_keys(*root, ts_contact_field_names, TS_CONTACT_FIELDS, err + 6,
                           sizeof err - 6) != 0) {
        ts_json_free(*root);
        *root = NULL;
        ts_http_resp_error(resp, 400, "bad_parameter", err);
        return false;
    }
    for (size_t i = 0; i < TS_CONTACT_FIELDS; i++) {
        ts_str_t s = TS_STR_NULL;
        if (ts_json_get_str(*root, ts_contact_field_names[i], false, &s, err, sizeof err) != 0) {
            ts_json_free(*root);
            *root = NULL;
            ts_http_resp_error(resp, 400, "bad_parameter", err);
            return false;
        }
        *ts_contact_in_field(in, i) = s.ptr;
    }
    return true;
}

/* Writes the contact id of site as the answer (status 200 or 201). */
static void answer_contact(ts_store_t *st, int64_t site, int64_t id, int status,
                           ts_http_resp_t *resp)
{
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    struct list l = {&w, ts_time_now()};
    int r = ts_store_ncontact_get(st, site, id, contact_row, &l);
    if (r) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, r, "contact");
        return;
    }
    resp->status = status;
}

static void put_failed(ts_store_t *st, int r, const char *err, ts_http_resp_t *resp)
{
    if (r == TS_EINVAL)
        ts_http_resp_error(resp, 400, "bad_parameter", err);
    else if (r == TS_EEXIST)
        ts_http_resp_error(resp, 409, "conflict", err);
    else if (r == TS_ENOENT)
        ts_api_not_found(resp);
    else
        ts_api_internal(st, resp, r, "contact write");
}

static void add_contact(ts_store_t *st, const ts_http_req_t *req, int64_t site,
                        ts_http_resp_t *resp)
{
    if (site == 0) {
        ts_api_bad_value(resp, "site", "a CSIRT certificate names the site with ?site=");
        return;
    }
    ts_contact_in_t in;
    ts_json_t *root;
    if (!read_body(req, &in, &root, resp))
        return;
    char err[512] = "";
    int64_t id = 0;
    int r = ts_contact_put(st, site, 0, &in, ts_time_now(), &id, err, sizeof err);
    ts_json_free(root);
    if (r)
        put_failed(st, r, err, resp);
    else
        answer_contact(st, site, id, 201, resp);
}

static int site_of(const ts_contact_rec_t *c, void *ctx)
{
    *(int64_t *)ctx = c->site_id;
    return 0;
}

/* The site of contact id when the caller may see it: 0 (answer 404) when
 * there is no such contact or it belongs outside the caller's subtree; -1
 * when the store failed (resp set). */
static int64_t contact_site(ts_store_t *st, const ts_principal_t *who, int64_t id,
                            ts_http_resp_t *resp)
{
    int64_t site = 0;
    int r = ts_store_ncontact_get(st, 0, id, site_of, &site);
    if (r == TS_ENOENT)
        return 0;
    bool in = who->csirt;
    if (r == 0 && !in)
        r = ts_store_portal_in_subtree(st, who->site_id, site, &in);
    if (r) {
        ts_api_internal(st, resp, r, "contact lookup");
        return -1;
    }
    return in ? site : 0;
}

static void one_contact(ts_store_t *st, const ts_http_req_t *req, const char *seg,
                        ts_http_resp_t *resp)
{
    ts_query_t q;
    char err[512] = "";
    if (ts_query_parse(req->query, NULL, &q, err, sizeof err) != 0) {
        ts_http_resp_error(resp, 400, "bad_parameter", err);
        return;
    }
    ts_query_free(&q);
    const char *m = req->method ? req->method : "";
    bool get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
    if (!get && strcmp(m, "PUT") != 0 && strcmp(m, "DELETE") != 0) {
        method_not_allowed(resp, "GET, HEAD, PUT, DELETE");
        return;
    }
    int64_t id = 0, site;
    if (!ts_api_parse_id(seg, strlen(seg), &id) ||
        (site = contact_site(st, req->who, id, resp)) == 0) {
        ts_api_not_found(resp);
        return;
    }
    if (site < 0)
        return;
    if (get) {
        answer_contact(st, site, id, 200, resp);
        return;
    }
    int r;
    if (strcmp(m, "DELETE") == 0) {
        r = ts_store_ncontact_remove(st, site, id);
        if (r == 0)
            resp->status = 204;
        else
            put_failed(st, r, "", resp);
        return;
    }
    ts_contact_in_t in;
    ts_json_t *root;
    if (!read_body(req, &in, &root, resp))
        return;
    r = ts_contact_put(st, site, id, &in, ts_time_now(), NULL, err, sizeof err);
    ts_json_free(root);
    if (r)
        put_failed(st, r, err, resp);
    else
        answer_contact(st, site, id, 200, resp);
}

/* ---- /api/v1/outbox ------------------------------------------------------------------------ */

static int mail_row(const ts_out_rec_t *o, void *ctx)
{
    ts_out_json(ctx, o);
    return 0;
}

static void outbox(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    const char *m = req->method ? req->method : "";
    if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
        method_not_allowed(resp, "GET, HEAD");
        return;
    }
    ts_query_t q;
    int64_t site;
    if (!scope(st, req, params_outbox, &q, resp, &site))
        return;
    int state = 0;
    size_t limit = 50;
    const char *v;
    bool ok = true;
    if ((v = ts_query_get(&q, "state")) && (state = ts_out_state_parse(v)) == 0) {
        ts_api_bad_value(resp, "state", "queued, sending, sent, deferred or failed");
        ok = false;
    } else if ((v = ts_query_get(&q, "limit")) && ts_query_limit(v, &limit) != 0) {
        ts_api_bad_value(resp, "limit", "an integer from 1 to 1000");
        ok = false;
    }
    ts_query_free(&q);
    if (!ok)
        return;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "mails");
    ts_jsonw_array_begin(&w);
    int r = ts_store_out_foreach(st, site, state, limit, mail_row, &w);
    if (r) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, r, "outbox");
        return;
    }
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    resp->status = 200;
}

void ts_api_contact_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    static const char contacts[] = "/api/v1/contacts", mails[] = "/api/v1/outbox";
    const char *path = req->path ? req->path : "";
    if (strcmp(path, mails) == 0) {
        outbox(st, req, resp);
        return;
    }
    const char *rest = path + sizeof contacts - 1;
    if (strncmp(path, contacts, sizeof contacts - 1) != 0 || (*rest != '\0' && *rest != '/')) {
        ts_api_not_found(resp);
        return;
    }
    if (*rest == '/' && rest[1] != '\0') {
        if (strchr(rest + 1, '/') != NULL)
            ts_api_not_found(resp);
        else
            one_contact(st, req, rest + 1, resp);
        return;
    }
    const char *m = req->method ? req->method : "";
    bool get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
    if (!get && strcmp(m, "POST") != 0) {
        method_not_allowed(resp, "GET, HEAD, POST");
        return;
    }
    ts_query_t q;
    int64_t site;
    if (!scope(st, req, params_site, &q, resp, &site))
        return;
    ts_query_free(&q);
    if (get)
        list_contacts(st, site, resp);
    else
        add_contact(st, req, site, resp);
}
