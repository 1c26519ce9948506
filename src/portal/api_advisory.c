/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/advisories and /api/v1/platforms (issue 4).
 *
 * Visibility: a site certificate sees the matches of its own site, or of a
 * site in its subtree named with ?site=; a CSIRT certificate sees every site
 * (or one, with ?site=). An advisory that matches none of the caller's
 * platforms, a foreign platform and an unknown one all answer 404 with the
 * same body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "advisory/import.h"
#include "advisory/platform.h"
#include "advisory/report.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "core/mem.h"
#include "portal/api_int.h"
#include "portal/query.h"
#include "store/advstore.h"
#include "store/eventq.h"

#define BODY_MAX 8192 /* bytes of a POST body */
#define ID_MAX 256    /* bytes of a decoded advisory id */

static bool is_get(const ts_http_req_t *req)
{
    return req->method && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0);
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

/* Decodes one percent-encoded path segment; refuses NUL, controls, '/'. */
static bool decode_segment(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '%') {
            int v = 0;
            for (int k = 1; k <= 2; k++) {
                char h = s[k];
                int d = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
                if (d < 0)
                    return false;
                v = v * 16 + d;
            }
            c = (unsigned char)v;
            s += 2;
        }
        if (c < 0x20 || c == 0x7f || c == '/')
            return false;
        if (n + 1 >= size)
            return false;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return n > 0;
}

/* ---- GET /api/v1/advisories --------------------------------------------------------- */

static const char *const params_list[] = {"limit",  "cursor", "format", "site",
                                          "status", "all",    NULL};

static void list_advisories(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    ts_query_t q;
    if (!parse_query(req, params_list, &q, resp))
        return;
    ts_adv_query_t aq = {0};
    size_t limit = 50;
    int64_t start = 1;
    ts_api_format_t fmt = TS_API_JSON;
    const char *v;
    bool ok = true;
    if ((v = ts_query_get(&q, "limit")) && ts_query_limit(v, &limit) != 0) {
        ts_api_bad_value(resp, "limit", "an integer from 1 to 1000");
        ok = false;
    } else if ((v = ts_query_get(&q, "cursor")) && ts_query_cursor_decode(v, &start) != 0) {
        ts_api_bad_value(resp, "cursor", "not a cursor");
        ok = false;
    } else if ((v = ts_query_get(&q, "format")) && ts_query_format(v, &fmt) != 0) {
        ts_api_bad_value(resp, "format", "json, ndjson or csv");
        ok = false;
    } else if ((v = ts_query_get(&q, "status")) && (aq.status = ts_adv_status_parse(v)) == 0) {
        ts_api_bad_value(resp, "status",
                         "known_affected, under_investigation, fixed or known_not_affected");
        ok = false;
    } else if ((v = ts_query_get(&q, "all")) && strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
        ts_api_bad_value(resp, "all", "true or false");
        ok = false;
    }
    if (ok && ts_query_get(&q, "format") == NULL && req->accept) {
        if (strstr(req->accept, "text/csv"))
            fmt = TS_API_CSV;
        else if (strstr(req->accept, "application/x-ndjson"))
            fmt = TS_API_NDJSON;
    }
    aq.all = (v = ts_query_get(&q, "all")) && strcmp(v, "true") == 0;
    if (aq.status)
        aq.all = true;
    if (ok)
        ok = ts_api_scope(st, req->who, ts_query_get(&q, "site"), resp, &aq.site_id);
    bool with_site = aq.site_id == 0;
    ts_query_free(&q);
    if (!ok)
        return;
    ts_adv_list_t *l;
    if (ts_adv_list_load(st, &aq, &l) != 0) {
        ts_api_internal(st, resp, TS_EDB, "list");
        return;
    }
    size_t ng = ts_adv_list_groups(l), first = (size_t)(start - 1);
    size_t end = first + limit < ng ? first + limit : ng;
    ts_buf_t *b = &resp->body;
    ts_jsonw_t w;
    if (fmt == TS_API_JSON) {
        ts_jsonw_init(&w, b);
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "advisories");
        ts_jsonw_array_begin(&w);
    } else if (fmt == TS_API_CSV) {
        ts_adv_csv_header(b);
    }
    for (size_t g = first; g < end; g++) {
        if (fmt == TS_API_CSV) {
            size_t n;
            ts_adv_csv_row(b, ts_adv_list_group(l, g, &n));
        } else if (fmt == TS_API_NDJSON) {
            ts_jsonw_t lw;
            ts_jsonw_init(&lw, b);
            ts_adv_json_group(&lw, l, g, with_site, false);
            ts_buf_putc(b, '\n');
        } else {
            ts_adv_json_group(&w, l, g, with_site, false);
        }
    }
    if (fmt == TS_API_JSON) {
        ts_jsonw_array_end(&w);
        ts_jsonw_key(&w, "next_cursor");
        if (end < ng) {
            char cur[TS_QUERY_CURSOR_LEN + 1];
            ts_query_cursor_encode((int64_t)end + 1, cur);
            ts_jsonw_cstr(&w, cur);
        } else {
            ts_jsonw_null(&w);
        }
        ts_jsonw_object_end(&w);
    }
    resp->status = 200;
    resp->content_type = fmt == TS_API_CSV      ? "text/csv; charset=utf-8"
                         : fmt == TS_API_NDJSON ? "application/x-ndjson"
                                                : NULL;
    ts_adv_list_free(l);
}

/* ---- GET /api/v1/advisories/feed.atom ------------------------------------------------ */

static const char *const params_site[] = {"site", NULL};

/* The site a request with only ?site= may see (ts_api_scope); false when
 * the answer (400, 404) is already set. */
static bool site_scope(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp,
                       int64_t *site_id)
{
    ts_query_t q;
    if (!parse_query(req, params_site, &q, resp))
        return false;
    bool ok = ts_api_scope(st, req->who, ts_query_get(&q, "site"), resp, site_id);
    ts_query_free(&q);
    return ok;
}

static void feed(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    ts_query_t q;
    if (!parse_query(req, params_site, &q, resp))
        return;
    ts_adv_query_t aq = {0};
    const char *site = ts_query_get(&q, "site");
    char who[80];
    snprintf(who, sizeof who, "%s", site ? site : req->who->csirt ? "" : req->who->site);
    bool ok = ts_api_scope(st, req->who, site, resp, &aq.site_id);
    ts_query_free(&q);
    if (!ok)
        return;
    ts_adv_list_t *l;
    if (ts_adv_list_load(st, &aq, &l) != 0) {
        ts_api_internal(st, resp, TS_EDB, "feed");
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts_adv_atom(&resp->body, l, who, (int64_t)ts.tv_sec * 1000000);
    ts_adv_list_free(l);
    resp->status = 200;
    resp->content_type = "application/atom+xml; charset=utf-8";
}

/* ---- GET /api/v1/advisories/{id} ------------------------------------------------------- */

struct adv_hit {
    bool found;
    ts_buf_t json; /* the advisory's fields, for a CSIRT view without matches */
};

static int got_adv(const ts_adv_rec_t *a, void *ctx)
{
    struct adv_hit *h = ctx;
    h->found = true;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &h->json);
    ts_jsonw_object_begin(&w);
    ts_adv_json_fields(&w, a);
    ts_jsonw_object_end(&w);
    return 0;
}

static void detail(ts_store_t *st, const ts_http_req_t *req, const char *seg, ts_http_resp_t *resp)
{
    char id[ID_MAX];
    ts_adv_query_t aq = {.all = true};
    if (!site_scope(st, req, resp, &aq.site_id))
        return;
    if (!decode_segment(seg, id, sizeof id)) {
        ts_api_not_found(resp);
        return;
    }
    aq.adv_id = id;
    struct adv_hit h = {false, TS_BUF_INIT};
    int r = ts_store_adv_get(st, id, got_adv, &h);
    if (r && r != TS_ENOENT) {
        ts_buf_free(&h.json);
        ts_api_internal(st, resp, r, "advisory lookup");
        return;
    }
    ts_adv_list_t *l = NULL;
    if (h.found && ts_adv_list_load(st, &aq, &l) != 0) {
        ts_buf_free(&h.json);
        ts_api_internal(st, resp, TS_EDB, "matches");
        return;
    }
    size_t ng = l ? ts_adv_list_groups(l) : 0;
    /* A site learns nothing of an advisory that does not concern it. */
    if (!h.found || (ng == 0 && aq.site_id != 0)) {
        ts_buf_free(&h.json);
        ts_adv_list_free(l);
        ts_api_not_found(resp);
        return;
    }
    ts_buf_t *b = &resp->body;
    if (ng == 0) {
        /* CSIRT: a stored advisory matching no platform. */
        ts_buf_append(b, h.json.data, h.json.len - 1);
        ts_buf_puts(b, ",\"matches\":[]}");
    } else {
        size_t n;
        const ts_adv_row_t *best = ts_adv_list_group(l, 0, &n);
        ts_jsonw_t w;
        ts_jsonw_init(&w, b);
        ts_jsonw_object_begin(&w);
        ts_adv_json_fields(&w, &best->adv);
        ts_jsonw_key(&w, "status");
        ts_jsonw_cstr(&w, ts_adv_status_name(best->m.status));
        ts_jsonw_key(&w, "verdict");
        ts_jsonw_cstr(&w, ts_adv_verdict_name(best->m.status, best->m.undecided));
        ts_jsonw_key(&w, "platform");
        ts_jsonw_cstr(&w, best->platform);
        ts_jsonw_key(&w, "matches");
        ts_jsonw_array_begin(&w);
        for (size_t g = 0; g < ng; g++) {
            const ts_adv_row_t *rows = ts_adv_list_group(l, g, &n);
            for (size_t i = 0; i < n; i++) {
                const ts_adv_row_t *m = &rows[i];
                ts_jsonw_object_begin(&w);
                if (aq.site_id == 0) {
                    ts_jsonw_key(&w, "site");
                    ts_jsonw_cstr(&w, m->site_name);
                }
                ts_jsonw_key(&w, "platform");
                ts_jsonw_cstr(&w, m->platform);
                ts_jsonw_key(&w, "product");
                ts_jsonw_cstr(&w, m->m.product_name);
                ts_jsonw_key(&w, "product_ref");
                ts_jsonw_cstr(&w, m->m.product_ref);
                ts_jsonw_key(&w, "status");
                ts_jsonw_cstr(&w, ts_adv_status_name(m->m.status));
                ts_jsonw_key(&w, "undecided");
                ts_jsonw_bool(&w, m->m.undecided);
                ts_jsonw_key(&w, "verdict");
                ts_jsonw_cstr(&w, ts_adv_verdict_name(m->m.status, m->m.undecided));
                ts_jsonw_key(&w, "rule");
                ts_jsonw_cstr(&w, m->m.rule);
                ts_jsonw_key(&w, "remediations");
                ts_jsonw_raw(&w,
                             ts_str_c(m->m.remediations_json[0] ? m->m.remediations_json : "[]"));
                ts_jsonw_object_end(&w);
            }
        }
        ts_jsonw_array_end(&w);
        ts_jsonw_object_end(&w);
    }
    resp->status = 200;
    ts_buf_free(&h.json);
    ts_adv_list_free(l);
}

/* ---- /api/v1/platforms ------------------------------------------------------------------- */

struct plat_json {
    ts_jsonw_t *w;
    int64_t find;  /* DELETE: the id looked for */
    int64_t found; /* its site */
};

static int plat_row(const ts_plat_rec_t *p, void *ctx)
{
    struct plat_json *pj = ctx;
    if (pj->w == NULL) {
        if (p->id == pj->find)
            pj->found = p->site_id;
        return 0;
    }
    ts_jsonw_object_begin(pj->w);
    ts_jsonw_key(pj->w, "id");
    ts_jsonw_int(pj->w, p->id);
    ts_jsonw_key(pj->w, "site");
    ts_jsonw_cstr(pj->w, p->site_name);
    ts_jsonw_key(pj->w, "spec");
    ts_jsonw_cstr(pj->w, p->spec);
    ts_jsonw_key(pj->w, "kind");
    ts_jsonw_cstr(pj->w, p->kind);
    ts_jsonw_object_end(pj->w);
    return 0;
}

static void platforms_get(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    int64_t site_id;
    if (!site_scope(st, req, resp, &site_id))
        return;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "platforms");
    ts_jsonw_array_begin(&w);
    struct plat_json pj = {.w = &w};
    if (ts_store_platforms_foreach(st, site_id, plat_row, &pj) != 0) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, TS_EDB, "platforms");
        return;
    }
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    resp->status = 200;
}

static void platforms_post(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    int64_t site_id;
    if (!site_scope(st, req, resp, &site_id))
        return;
    if (site_id == 0) {
        ts_api_bad_value(resp, "site", "a CSIRT certificate names the site with ?site=");
        return;
    }
    if (req->body_len == 0 || req->body_len > BODY_MAX || req->body == NULL) {
        ts_http_resp_error(resp, 400, "bad_parameter", "body: expected {\"spec\": \"...\"}");
        return;
    }
    struct json_tokener *tok = json_tokener_new_ex(4);
    json_object *root = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
    bool complete = json_tokener_get_error(tok) == json_tokener_success &&
                    json_tokener_get_parse_end(tok) == req->body_len;
    json_tokener_free(tok);
    json_object *js = NULL;
    if (!complete || root == NULL || !json_object_is_type(root, json_type_object) ||
        json_object_object_length(root) != 1 || !json_object_object_get_ex(root, "spec", &js) ||
        !json_object_is_type(js, json_type_string)) {
        json_object_put(root);
        ts_http_resp_error(resp, 400, "bad_parameter", "body: expected {\"spec\": \"...\"}");
        return;
    }
    char spec[TS_PLATFORM_SPEC_MAX + 1];
    int slen = json_object_get_string_len(js);
    if (slen <= 0 || slen > TS_PLATFORM_SPEC_MAX ||
        memchr(json_object_get_string(js), '\0', (size_t)slen) != NULL) {
        json_object_put(root);
        ts_api_bad_value(resp, "spec", "empty, too long or holding NUL");
        return;
    }
    memcpy(spec, json_object_get_string(js), (size_t)slen);
    spec[slen] = '\0';
    json_object_put(root);
    int64_t id = 0;
    char err[512] = "";
    int r = ts_adv_platform_add(st, site_id, spec, &id, NULL, err, sizeof err);
    if (r == TS_EINVAL || r == TS_ESYNTAX || r == TS_ETOOBIG || r == TS_EEXIST) {
        ts_api_bad_value(resp, "spec", err);
        return;
    }
    if (r == TS_ENOENT) {
        ts_api_not_found(resp);
        return;
    }
    if (r) {
        ts_api_internal(st, resp, r, "platform add");
        return;
    }
    ts_platform_t *p = ts_xmalloc(sizeof *p);
    if (ts_platform_parse(spec, p, err, sizeof err) != 0)
        p->spec[0] = '\0';
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "id");
    ts_jsonw_int(&w, id);
    ts_jsonw_key(&w, "spec");
    ts_jsonw_cstr(&w, p->spec);
    ts_jsonw_key(&w, "kind");
    ts_jsonw_cstr(&w, ts_platform_kind_name(p));
    ts_jsonw_object_end(&w);
    free(p);
    resp->status = 201;
}

static void platforms_delete(ts_store_t *st, const ts_http_req_t *req, const char *seg,
                             ts_http_resp_t *resp)
{
    ts_query_t q;
    if (!parse_query(req, NULL, &q, resp))
        return;
    ts_query_free(&q);
    int64_t id = 0;
    for (const char *p = seg; *p; p++) {
        if (*p < '0' || *p > '9' || id > 100000000000000LL) {
            ts_api_not_found(resp);
            return;
        }
        id = id * 10 + (*p - '0');
    }
    if (id <= 0) {
        ts_api_not_found(resp);
        return;
    }
    int64_t site_id = req->who->site_id;
    if (req->who->csirt) {
        struct plat_json pj = {.find = id};
        if (ts_store_platforms_foreach(st, 0, plat_row, &pj) != 0) {
            ts_api_internal(st, resp, TS_EDB, "platform lookup");
            return;
        }
        site_id = pj.found;
    }
    int r = site_id > 0 ? ts_store_platform_remove(st, site_id, id) : TS_ENOENT;
    if (r == TS_ENOENT) {
        ts_api_not_found(resp);
        return;
    }
    if (r) {
        ts_api_internal(st, resp, r, "platform remove");
        return;
    }
    resp->status = 204;
}

/* ---- Router ---------------------------------------------------------------------------- */

void ts_api_advisory_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    static const char adv[] = "/api/v1/advisories", plat[] = "/api/v1/platforms";
    const char *path = req->path ? req->path : "";
    if (req->who == NULL || (!req->who->csirt && req->who->site_id <= 0)) {
        ts_http_resp_error(resp, 401, "unauthenticated", "a valid client certificate is required");
        return;
    }
    if (strncmp(path, adv, sizeof adv - 1) == 0) {
        const char *rest = path + sizeof adv - 1;
        if (*rest != '\0' && *rest != '/') {
            ts_api_not_found(resp);
            return;
        }
        if (!is_get(req)) {
            method_not_allowed(resp, "GET, HEAD");
            return;
        }
        if (*rest == '\0' || strcmp(rest, "/") == 0)
            list_advisories(st, req, resp);
        else if (strcmp(rest, "/feed.atom") == 0)
            feed(st, req, resp);
        else if (strchr(rest + 1, '/') == NULL)
            detail(st, req, rest + 1, resp);
        else
            ts_api_not_found(resp);
        return;
    }
    if (strncmp(path, plat, sizeof plat - 1) == 0) {
        const char *rest = path + sizeof plat - 1;
        const char *m = req->method ? req->method : "";
        if (*rest == '\0' || strcmp(rest, "/") == 0) {
            if (is_get(req))
                platforms_get(st, req, resp);
            else if (strcmp(m, "POST") == 0)
                platforms_post(st, req, resp);
            else
                method_not_allowed(resp, "GET, HEAD, POST");
            return;
        }
        if (*rest == '/' && rest[1] != '\0' && strchr(rest + 1, '/') == NULL) {
            if (strcmp(m, "DELETE") == 0)
                platforms_delete(st, req, rest + 1, resp);
            else
                method_not_allowed(resp, "DELETE");
            return;
        }
    }
    ts_api_not_found(resp);
}
