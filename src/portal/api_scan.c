/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/scans (issue 16): a site requests scans of its own ranges and reads
 * their progress and results.
 *
 *   GET  /api/v1/scans[?site=&limit=]   the scans of the caller's subtree
 *   POST /api/v1/scans[?site=]          {"targets": [..], "ports": "top100",
 *                                        "udp": false, "every": "7d"}
 *   GET  /api/v1/scans/{id}             a scan with its hosts, ports, findings
 *   POST /api/v1/scans/{id}/cancel      stop a queued or running scan
 *
 * Visibility is the events' rule: a site sees its own scans and its
 * descendants'; the CSIRT every scan. Another site's scan answers 404 with
 * the same bytes as one that does not exist. A request outside the site's
 * space is refused (403, the reason) and stored as refused: the audit trail. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/jsonw.h"
#include "core/mem.h"
#include "portal/api_int.h"
#include "portal/query.h"
#include "route/loader.h"
#include "scan/job.h"
#include "scan/portspec.h"
#include "scan/report.h"
#include "store/eventq.h"
#include "store/scanstore.h"

#define BODY_MAX 16384
#define LIST_DEFAULT 50

static const char *const params_list[] = {"site", "limit", NULL};
static const char *const params_site[] = {"site", NULL};
static const char *const params_none[] = {NULL};

static bool is_get(const ts_http_req_t *req)
{
    return req->method && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0);
}

static bool is_post(const ts_http_req_t *req)
{
    return req->method && strcmp(req->method, "POST") == 0;
}

static void method_not_allowed(ts_http_resp_t *resp, const char *allow)
{
    ts_http_resp_error(resp, 405, "method_not_allowed", "method not allowed here");
    ts_http_resp_header(resp, "Allow", allow);
}

static bool query(const ts_http_req_t *req, const char *const *allowed, ts_query_t *q,
                  ts_http_resp_t *resp)
{
    char err[256] = "";
    if (ts_query_parse(req->query, allowed, q, err, sizeof err) != 0) {
        ts_http_resp_error(resp, 400, "bad_parameter", err[0] ? err : "bad query string");
        return false;
    }
    return true;
}

/* ---- Reading -------------------------------------------------------------------------- */

static int on_list(const ts_scan_rec_t *r, void *ctx)
{
    ts_jsonw_t *w = ctx;
    ts_jsonw_object_begin(w);
    ts_scan_rec_json(w, r);
    ts_jsonw_object_end(w);
    return 0;
}

static void list(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    ts_query_t q;
    if (!query(req, params_list, &q, resp))
        return;
    size_t limit = LIST_DEFAULT;
    const char *v = ts_query_get(&q, "limit");
    int64_t root = 0;
    bool ok = true;
    if (v && ts_query_limit(v, &limit) != 0) {
        ts_api_bad_value(resp, "limit", "not a number from 1 to 1000");
        ok = false;
    }
    if (ok)
        ok = ts_api_scope(st, req->who, ts_query_get(&q, "site"), resp, &root);
    ts_query_free(&q);
    if (!ok)
        return;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "scans");
    ts_jsonw_array_begin(&w);
    int r = ts_store_scans_foreach(st, root, limit, on_list, &w);
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    if (r) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, r, "scan list");
        return;
    }
    resp->status = 200;
}

static int on_site(const ts_scan_rec_t *r, void *ctx)
{
    *(int64_t *)ctx = r->site_id;
    return 0;
}

/* Whether the caller may see scan id: 0 yes; else resp holds the answer. */
static int visible(ts_store_t *st, const ts_principal_t *who, int64_t id, ts_http_resp_t *resp)
{
    int64_t site = -1;
    int r = ts_store_scan_get(st, id, on_site, &site);
    bool in = who->csirt;
    if (r == 0 && !in && site > 0)
        r = ts_store_portal_in_subtree(st, who->site_id, site, &in);
    if (r == TS_ENOENT || (r == 0 && !in)) {
        ts_api_not_found(resp);
        return TS_ENOENT;
    }
    if (r)
        ts_api_internal(st, resp, r, "scan lookup");
    return r;
}

/* A request about one scan: no query parameter, and a scan the caller sees. */
static bool one_scan(ts_store_t *st, const ts_http_req_t *req, int64_t id, ts_http_resp_t *resp)
{
    ts_query_t q;
    if (!query(req, params_none, &q, resp))
        return false;
    ts_query_free(&q);
    return visible(st, req->who, id, resp) == 0;
}

/* Answers status with the scan as JSON (with hosts when detail). */
static void answer(ts_store_t *st, int64_t id, bool detail, int status, ts_http_resp_t *resp)
{
    int r = ts_scan_report_json(st, id, detail, &resp->body);
    if (r) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, r, "scan report");
        return;
    }
    resp->status = status;
}

static void detail(ts_store_t *st, const ts_http_req_t *req, int64_t id, ts_http_resp_t *resp)
{
    if (one_scan(st, req, id, resp))
        answer(st, id, true, 200, resp);
}

static void cancel(ts_store_t *st, const ts_http_req_t *req, int64_t id, ts_http_resp_t *resp)
{
    if (!one_scan(st, req, id, resp))
        return;
    int r = ts_store_scan_cancel(st, id);
    if (r == TS_EEXIST) {
        ts_http_resp_error(resp, 409, "conflict", "the scan has ended already");
        return;
    }
    if (r) {
        ts_api_internal(st, resp, r, "scan cancel");
        return;
    }
    answer(st, id, false, 200, resp);
}

/* ---- Requesting --------------------------------------------------------------------------- */

struct body {
    const char *targets[TS_SCOPE_TARGETS_MAX];
    size_t n_targets;
    char ports[TS_PORTSPEC_MAX + 1];
    bool udp;
    int64_t every_s;
};

/* "12h", "7d", "2w": seconds, or -1. */
static int64_t duration(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *s < '1' || *s > '9' || v > 100000 || end[0] == '\0' || end[1] != '\0')
        return -1;
    return end[0] == 'h' ? v * 3600 : end[0] == 'd' ? v * 86400 : end[0] == 'w' ? v * 604800 : -1;
}

/* Reads the body; false with resp set when it is not what the API takes. */
static bool read_body(const ts_http_req_t *req, json_object **root, struct body *b,
                      ts_http_resp_t *resp)
{
    static const char shape[] = "body: expected {\"targets\": [\"CIDR\", ...], \"ports\": "
                                "\"SPEC\", \"udp\": false, \"every\": \"7d\"}";
    *root = NULL;
    if (req->body == NULL || req->body_len == 0 || req->body_len > BODY_MAX) {
        ts_http_resp_error(resp, 400, "bad_parameter", shape);
        return false;
    }
    struct json_tokener *tok = json_tokener_new_ex(4);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    *root = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
    bool complete = json_tokener_get_error(tok) == json_tokener_success &&
                    json_tokener_get_parse_end(tok) == req->body_len;
    json_tokener_free(tok);
    if (!complete || *root == NULL || !json_object_is_type(*root, json_type_object)) {
        ts_http_resp_error(resp, 400, "bad_parameter", shape);
        return false;
    }
    snprintf(b->ports, sizeof b->ports, "top100");
    json_object_object_foreach(*root, key, v)
    {
        bool ok = false;
        if (strcmp(key, "targets") == 0 && json_object_is_type(v, json_type_array)) {
            size_t n = json_object_array_length(v);
            ok = n > 0 && n <= TS_SCOPE_TARGETS_MAX;
            for (size_t i = 0; ok && i < n; i++) {
                json_object *t = json_object_array_get_idx(v, i);
                ok = json_object_is_type(t, json_type_string) &&
                     json_object_get_string_len(t) < TS_IP_STRLEN;
                if (ok)
                    b->targets[b->n_targets++] = json_object_get_string(t);
            }
        } else if (strcmp(key, "ports") == 0 && json_object_is_type(v, json_type_string)) {
            ok = json_object_get_string_len(v) < (int)sizeof b->ports;
            if (ok)
                snprintf(b->ports, sizeof b->ports, "%s", json_object_get_string(v));
        } else if (strcmp(key, "udp") == 0 && json_object_is_type(v, json_type_boolean)) {
            b->udp = json_object_get_boolean(v);
            ok = true;
        } else if (strcmp(key, "every") == 0 && json_object_is_type(v, json_type_string)) {
            b->every_s = duration(json_object_get_string(v));
            ok = b->every_s > 0;
        }
        if (!ok) {
            ts_api_bad_value(resp, key, "not a known member of the right type and size");
            return false;
        }
    }
    if (b->n_targets == 0) {
        ts_api_bad_value(resp, "targets", "at least one target is needed");
        return false;
    }
    return true;
}

static void request(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    ts_query_t q;
    if (!query(req, params_site, &q, resp))
        return;
    int64_t site = 0;
    const char *name = ts_query_get(&q, "site");
    bool ok = ts_api_scope(st, req->who, name, resp, &site);
    ts_query_free(&q);
    if (!ok)
        return;
    json_object *root;
    struct body b = {0};
    if (!read_body(req, &root, &b, resp)) {
        json_object_put(root);
        return;
    }
    ts_constituency_t *c = NULL;
    ts_scan_settings_t *settings = NULL;
    char err[TS_SCAN_ERR_MAX] = "";
    int r = ts_constituency_load(st, &c);
    if (r == 0)
        r = ts_scan_settings_load(getenv("TOCSIN_SCAN_CONFIG"), &settings, err, sizeof err);
    if (r) {
        ts_api_internal(st, resp, r, c ? "scan settings" : "constituency");
        goto out;
    }
    char by[TS_HOLDER_MAX + 1];
    snprintf(by, sizeof by, "%s", req->who->holder[0] ? req->who->holder : "portal");
    ts_scan_request_t rq = {.site_id = site,
                            .csirt = site == 0,
                            .requested_by = by,
                            .targets = b.targets,
                            .n_targets = b.n_targets,
                            .ports = b.ports,
                            .udp = b.udp,
                            .every_s = b.every_s};
    int64_t id = 0;
    r = ts_scan_submit(st, c, settings, &rq, "queued", &id, err, sizeof err);
    if (r == TS_EINVAL) {
        ts_http_resp_error(resp, 400, "bad_parameter", err);
    } else if (r == TS_EDENIED || r == TS_ETOOBIG || r == TS_EBUSY) {
        ts_http_resp_error(resp, r == TS_EBUSY ? 429 : 403, r == TS_EBUSY ? "limit" : "refused",
                           err);
    } else if (r) {
        ts_api_internal(st, resp, r, "scan request");
    } else {
        answer(st, id, false, 201, resp);
    }
out:
    json_object_put(root);
    ts_scan_settings_free(settings);
    ts_constituency_free(c);
}

/* ---- Router -----------------------------------------------------------------------------------
 */

void ts_api_scan_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    static const char base[] = "/api/v1/scans";
    const char *rest = req->path + sizeof base - 1;
    if (*rest == '\0') {
        if (is_get(req))
            list(st, req, resp);
        else if (is_post(req))
            request(st, req, resp);
        else
            method_not_allowed(resp, "GET, HEAD, POST");
        return;
    }
    int64_t id;
    size_t n = strcspn(rest + 1, "/");
    if (*rest != '/' || !ts_api_parse_id(rest + 1, n, &id)) {
        ts_api_not_found(resp);
        return;
    }
    const char *tail = rest + 1 + n;
    if (*tail == '\0') {
        if (is_get(req))
            detail(st, req, id, resp);
        else
            method_not_allowed(resp, "GET, HEAD");
    } else if (strcmp(tail, "/cancel") == 0) {
        if (is_post(req))
            cancel(st, req, id, resp);
        else
            method_not_allowed(resp, "POST");
    } else {
        ts_api_not_found(resp);
    }
}
