/* SPDX-License-Identifier: Apache-2.0 */
/* Domain deactivation in the portal:
 *  - /public/domains, /public/domains.json, /public/domains.atom: the
 *    published list (domain/publish.h), for anyone, GET and HEAD only;
 *  - /api/v1/domain-cases (GET: the cases; POST: open one),
 *    /api/v1/domain-cases/{id} (GET: the case, its evidence and timeline) and
 *    /api/v1/domain-cases/{id}/decisions (POST: a decision): the CSIRT's
 *    only. A site's certificate gets the 404 of an unknown path, so that it
 *    learns nothing of them. Decisions record the certificate's fingerprint.
 * The rules are the store's: a refusal is a 409 naming the rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/json.h"
#include "core/jsonw.h"
#include "domain/caseview.h"
#include "domain/evidence.h"
#include "domain/name.h"
#include "domain/publish.h"
#include "portal/api.h"
#include "portal/api_int.h"
#include "store/domainstore.h"

#define BODY_MAX 16384
#define CASES_PREFIX "/api/v1/domain-cases"
#define PUBLIC_PAGE TS_API_PUBLIC_PREFIX "domains"

static const char ct_html[] = "text/html; charset=utf-8";
static const char ct_atom[] = "application/atom+xml; charset=utf-8";

static bool get_or_head(const ts_http_req_t *req, ts_http_resp_t *resp, const char *allow)
{
    const char *m = req->method ? req->method : "";
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        return true;
    ts_http_resp_error(resp, 405, "method_not_allowed", "this method is not allowed here");
    ts_http_resp_header(resp, "Allow", allow);
    return false;
}

/* ---- The public list ------------------------------------------------------------ */

static void public_list(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    const char *rest = req->path + strlen(PUBLIC_PAGE);
    int kind = strcmp(rest, "") == 0        ? 0
               : strcmp(rest, ".json") == 0 ? 1
               : strcmp(rest, ".atom") == 0 ? 2
                                            : -1;
    if (kind < 0) {
        ts_api_not_found(resp);
        return;
    }
    if (!get_or_head(req, resp, "GET, HEAD"))
        return;
    if (req->query != NULL && req->query[0] != '\0') {
        ts_api_bad_value(resp, "query", "this page takes no parameters");
        return;
    }
    int64_t now = ts_time_now();
    int r = kind == 0   ? ts_domain_public_html(st, now, &resp->body)
            : kind == 1 ? ts_domain_public_json(st, now, &resp->body)
                        : ts_domain_public_atom(st, now, "", &resp->body);
    if (r != 0) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, r, "public domain list");
        return;
    }
    resp->content_type = kind == 0 ? ct_html : kind == 1 ? NULL : ct_atom;
    resp->status = 200;
}

/* ---- The CSIRT's cases ------------------------------------------------------------ */

/* A refusal by the store: 409 with the rule, 400 for malformed input, 404. */
static void refused(ts_store_t *st, ts_http_resp_t *resp, int r, const char *why)
{
    if (r == TS_ENOENT)
        ts_api_not_found(resp);
    else if (r == TS_ECONFLICT)
        ts_http_resp_error(resp, 409, "refused", why && *why ? why : "refused by a rule");
    else if (r == TS_EINVAL || r == TS_EIO)
        ts_http_resp_error(resp, 400, "bad_parameter", why && *why ? why : "invalid request");
    else
        ts_api_internal(st, resp, r, "domain case");
}

struct body {
    ts_json_t *root;
    const char *action, *why, *domain, *reason;
    int64_t days;
    ts_domain_evidence_t ev[TS_DOMAIN_EVIDENCE_MAX];
    char sha[TS_DOMAIN_EVIDENCE_MAX][65];
    char *strs[TS_DOMAIN_EVIDENCE_MAX + 4]; /* NUL-terminated copies */
    size_t n_ev, n_strs;
};

static void body_free(struct body *b)
{
    for (size_t i = 0; i < b->n_strs; i++)
        free(b->strs[i]);
    ts_json_free(b->root);
}

static const char *dup_str(struct body *b, ts_str_t s)
{
    char *c = malloc(s.len + 1);
    if (c == NULL)
        return NULL;
    memcpy(c, s.ptr, s.len);
    c[s.len] = '\0';
    b->strs[b->n_strs++] = c;
    return c;
}

/* Parses {"action"|"domain","reason", "days", "why", "evidence": [..]}. */
static bool body_parse(const ts_http_req_t *req, ts_http_resp_t *resp, bool open, struct body *b)
{
    static const char *const keys_open[] = {"domain", "reason", "evidence"};
    static const char *const keys_decide[] = {"action", "days", "why", "evidence"};
    char err[192] = "";
    memset(b, 0, sizeof *b);
    int r = req->body && req->body_len > 0
                ? ts_json_parse(req->body, req->body_len, BODY_MAX, 4, TS_JSON_NO_DUPKEYS, &b->root,
                                err, sizeof err)
                : TS_EMISSING;
    if (r == 0)
        r = ts_json_as_object(b->root, "body", err, sizeof err);
    if (r == 0)
        r = ts_json_check_keys(b->root, open ? keys_open : keys_decide, open ? 3 : 4, err,
                               sizeof err);
    ts_str_t s1 = TS_STR_NULL, s2 = TS_STR_NULL, sw = TS_STR_NULL;
    if (r == 0)
        r = ts_json_get_str(b->root, open ? "domain" : "action", true, &s1, err, sizeof err);
    if (r == 0 && open)
        r = ts_json_get_str(b->root, "reason", true, &s2, err, sizeof err);
    if (r == 0 && !open)
        r = ts_json_get_int(b->root, "days", false, 0, 100000, &b->days, err, sizeof err);
    if (r == 0 && !open)
        r = ts_json_get_str(b->root, "why", false, &sw, err, sizeof err);
    ts_json_t *arr = NULL;
    size_t n = 0;
    if (r == 0)
        r = ts_json_get_array(b->root, "evidence", false, &arr, &n, err, sizeof err);
    if (r == 0 && n > TS_DOMAIN_EVIDENCE_MAX) {
        snprintf(err, sizeof err, "at most %d evidence items", TS_DOMAIN_EVIDENCE_MAX);
        r = TS_ETOOBIG;
    }
    if (r == 0 && (s1.len > TS_DOMAIN_TEXT_MAX || s2.len > 64 || sw.len > TS_DOMAIN_TEXT_MAX)) {
        snprintf(err, sizeof err, "a field is too long");
        r = TS_ETOOBIG;
    }
    if (r == 0) {
        const char *a = dup_str(b, s1);
        const char *c = s2.ptr ? dup_str(b, s2) : NULL;
        const char *w = sw.ptr ? dup_str(b, sw) : "";
        *(open ? &b->domain : &b->action) = a;
        b->reason = c;
        b->why = w;
        if (a == NULL || (s2.ptr && c == NULL) || w == NULL)
            r = TS_ENOMEM;
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        ts_str_t es;
        char what[32];
        snprintf(what, sizeof what, "evidence[%zu]", i);
        r = ts_json_as_str(ts_json_index(arr, i), what, &es, err, sizeof err);
        const char *e = r == 0 ? dup_str(b, es) : NULL;
        if (r == 0 && e == NULL)
            r = TS_ENOMEM;
        const char *why = "";
        if (r == 0 && ts_domain_evidence_parse(e, false, 0, &b->ev[i], b->sha[i], &why) != 0) {
            snprintf(err, sizeof err, "%s: %s", what, why);
            r = TS_EINVAL;
        }
        b->n_ev = i + 1;
    }
    if (r != 0) {
        if (err[0] == '\0')
            snprintf(err, sizeof err, "body: expected a JSON object");
        ts_http_resp_error(resp, r == TS_ENOMEM ? 500 : 400, "bad_parameter", err);
        return false;
    }
    return true;
}

/* Who decided, for the audit trail: the certificate's fingerprint (its
 * holder only for a principal without one, which a TLS peer always has). */
static const char *audit_who(const ts_principal_t *p)
{
    return p->fingerprint[0] ? p->fingerprint : p->holder[0] ? p->holder : "certificate";
}

static void case_get(ts_store_t *st, int64_t id, ts_http_resp_t *resp)
{
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    int r = ts_domain_case_json(st, id, &w);
    if (r != 0) {
        ts_buf_reset(&resp->body);
        refused(st, resp, r, "");
        return;
    }
    resp->status = 200;
}

static void cases_list(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    static const char *const params[] = {"state", "limit", NULL};
    ts_query_t q;
    char err[192];
    if (ts_query_parse(req->query, params, &q, err, sizeof err) != 0) {
        ts_http_resp_error(resp, 400, "bad_parameter", err);
        return;
    }
    const char *state = ts_query_get(&q, "state");
    const char *lim = ts_query_get(&q, "limit");
    size_t limit = 100;
    char *end = NULL;
    if (lim) {
        long v = strtol(lim, &end, 10);
        if (end == lim || *end || v < 1 || v > 1000) {
            ts_api_bad_value(resp, "limit", "1 to 1000");
            ts_query_free(&q);
            return;
        }
        limit = (size_t)v;
    }
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "cases");
    int r = ts_domain_cases_json(st, state, limit, &w);
    ts_jsonw_object_end(&w);
    ts_query_free(&q);
    if (r != 0) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, r, "domain cases");
        return;
    }
    resp->status = 200;
}

static void case_open(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    struct body b;
    if (!body_parse(req, resp, true, &b)) {
        body_free(&b);
        return;
    }
    char domain[TS_DOMAIN_NAME_MAX + 1];
    const char *why = "";
    int r = ts_domain_name_norm(b.domain, domain, sizeof domain, &why);
    int64_t id = 0;
    bool joined = false;
    if (r == 0)
        r = ts_store_domain_case_open(st, domain, b.reason, audit_who(req->who), NULL, b.ev, b.n_ev,
                                      ts_time_now(), &id, &joined, &why);
    body_free(&b);
    if (r != 0) {
        refused(st, resp, r == TS_ERANGE ? TS_EINVAL : r, why);
        return;
    }
    case_get(st, id, resp);
    if (resp->status == 200)
        resp->status = joined ? 200 : 201;
}

static void case_decide(ts_store_t *st, const ts_http_req_t *req, int64_t id, ts_http_resp_t *resp)
{
    struct body b;
    if (!body_parse(req, resp, false, &b)) {
        body_free(&b);
        return;
    }
    ts_domain_request_t rq = {.case_id = id,
                              .action = b.action,
                              .who = audit_who(req->who),
                              .why = b.why,
                              .days = (int)b.days,
                              .evidence = b.ev,
                              .n_evidence = b.n_ev};
    const char *why = "";
    int r = ts_store_domain_decide(st, &rq, ts_time_now(), &why);
    body_free(&b);
    if (r != 0) {
        refused(st, resp, r, why);
        return;
    }
    case_get(st, id, resp);
}

void ts_api_domain_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    if (strncmp(req->path, TS_API_PUBLIC_PREFIX, strlen(TS_API_PUBLIC_PREFIX)) == 0) {
        public_list(st, req, resp);
        return;
    }
    if (req->who == NULL || !req->who->csirt) { /* a site does not know of these paths */
        ts_api_not_found(resp);
        return;
    }
    const char *rest = req->path + strlen(CASES_PREFIX);
    const char *m = req->method ? req->method : "";
    bool post = strcmp(m, "POST") == 0;
    if (*rest == '\0') {
        if (post)
            case_open(st, req, resp);
        else if (get_or_head(req, resp, "GET, HEAD, POST"))
            cases_list(st, req, resp);
        return;
    }
    int64_t id = 0;
    const char *slash = *rest == '/' ? strchr(rest + 1, '/') : NULL;
    size_t n = slash ? (size_t)(slash - rest - 1) : strlen(rest) - (*rest == '/');
    if (*rest != '/' || !ts_api_parse_id(rest + 1, n, &id)) {
        ts_api_not_found(resp);
        return;
    }
    if (req->query != NULL && req->query[0] != '\0') {
        ts_api_bad_value(resp, "query", "this resource takes no parameters");
        return;
    }
    if (slash == NULL) {
        if (get_or_head(req, resp, "GET, HEAD"))
            case_get(st, id, resp);
    } else if (strcmp(slash, "/decisions") == 0) {
        if (post) {
            case_decide(st, req, id, resp);
        } else {
            ts_http_resp_error(resp, 405, "method_not_allowed", "decisions are POSTed");
            ts_http_resp_header(resp, "Allow", "POST");
        }
    } else {
        ts_api_not_found(resp);
    }
}
