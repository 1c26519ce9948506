/* SPDX-License-Identifier: Apache-2.0 */
/* The team directory in the portal (issue 15):
 *   GET /api/v1/teams[?state=S]: a CSIRT certificate
 *       sees every team with every field, sponsors and audit trail; a site
 *       certificate sees what the public page shows (listed, accreditation
 *       candidate and accredited teams, public fields): sites forward to
 *       those teams too, and nothing there is secret. Any other team is the
 *       left out.
 *   GET /api/v1/contact-lookup?q=: the contact chain (directory/finder.h),
 *       CSIRT only (the answer can name a site's contact, which another site
 *       must not see: sites get the 404 of an unknown path). The portal
 *       answers from the sites, the directory and answers cached by `tocsin
 *       contact find`; it makes no RDAP or whois query itself, so a request
 *       never waits on a registry.
 *   GET /public/teams (HTML) and /public/teams.json, without a certificate:
 *       the public view of the public teams.
 *   GET /public/verify?token=T shows a page with a button; POST
 *       /public/verify (form field token) confirms the contact's address
 *       (directory/verify.h). GET never confirms: mail scanners follow links. */
#include <string.h>

#include "core/event.h"
#include "core/jsonw.h"
#include "core/markup.h"
#include "directory/finder.h"
#include "directory/teamfmt.h"
#include "directory/verify.h"
#include "portal/api.h"
#include "portal/api_int.h"
#include "portal/query.h"
#include "store/teamstore.h"

static const char ct_html[] = "text/html; charset=utf-8";
static const char *const params_teams[] = {"state", NULL};
static const char *const params_lookup[] = {"q", NULL};
static const char *const params_none[] = {NULL};

struct list {
    ts_store_t *st;
    ts_jsonw_t w;
    ts_team_view_t view;
    bool public_only;
    int r;
};

static int on_team(const ts_team_rec_t *t, void *ctx)
{
    struct list *l = ctx;
    if (l->public_only && !ts_team_public(t->state))
        return 0;
    return l->r = ts_team_write_json(l->st, t, l->view, &l->w);
}

static void teams_json(ts_store_t *st, int state, bool csirt, ts_http_resp_t *resp)
{
    struct list l = {
        .st = st, .view = csirt ? TS_TEAM_FULL : TS_TEAM_PUBLIC, .public_only = !csirt};
    ts_jsonw_init(&l.w, &resp->body);
    ts_jsonw_object_begin(&l.w);
    ts_jsonw_key(&l.w, "teams");
    ts_jsonw_array_begin(&l.w);
    int r = ts_store_teams_foreach(st, state, on_team, &l);
    ts_jsonw_array_end(&l.w);
    ts_jsonw_object_end(&l.w);
    if (r) {
        ts_buf_reset(&resp->body);
        ts_api_internal(st, resp, r, "teams");
        return;
    }
    resp->status = 200;
}

/* ---- The public page ---------------------------------------------------------------- */

struct page {
    ts_buf_t *b;
};

static void cell(ts_buf_t *b, const char *s)
{
    ts_buf_puts(b, "<td>");
    ts_markup_text(b, s);
    ts_buf_puts(b, "</td>");
}

static int on_scope_html(int64_t team_id, const ts_team_scope_t *s, void *ctx)
{
    ts_buf_t *b = ctx;
    (void)team_id;
    if (s->kind == TS_RULE_ASN)
        ts_buf_puts(b, "AS");
    ts_markup_text(b, s->value);
    ts_buf_puts(b, " ");
    return 0;
}

static int on_team_html(const ts_team_rec_t *t, void *ctx)
{
    ts_store_t *st = ((void **)ctx)[0];
    ts_buf_t *b = ((void **)ctx)[1];
    if (!ts_team_public(t->state))
        return 0;
    ts_buf_puts(b, "<tr>");
    cell(b, t->name);
    cell(b, t->official_name);
    cell(b, t->country);
    cell(b, ts_team_state_name(t->state));
    ts_buf_puts(b, "<td><a href=\"mailto:");
    ts_markup_text(b, t->email);
    ts_buf_puts(b, "\">");
    ts_markup_text(b, t->email);
    ts_buf_puts(b, "</a></td>");
    /* Only http(s) links: a javascript: URL would run on a click. */
    bool web = strncmp(t->website, "https://", 8) == 0 || strncmp(t->website, "http://", 7) == 0;
    if (web) {
        ts_buf_puts(b, "<td><a rel=\"noopener noreferrer\" href=\"");
        ts_markup_text(b, t->website);
        ts_buf_puts(b, "\">");
        ts_markup_text(b, t->website);
        ts_buf_puts(b, "</a></td>");
    } else {
        cell(b, t->website);
    }
    ts_buf_puts(b, "<td>");
    int r = ts_store_team_scopes_foreach(st, t->id, on_scope_html, b);
    ts_buf_puts(b, "</td></tr>\n");
    return r;
}

static void teams_html(ts_store_t *st, ts_http_resp_t *resp)
{
    ts_buf_t *b = &resp->body;
    ts_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<title>Team directory</title></head><body>\n<h1>Team directory</h1>\n"
                   "<p>Listed and accredited teams. Also as <a href=\"teams.json\">JSON</a>."
                   "</p>\n<table><thead><tr><th>Team</th><th>Official name</th><th>Country"
                   "</th><th>Status</th><th>E-mail</th><th>Website</th><th>Constituency</th>"
                   "</tr></thead><tbody>\n");
    void *ctx[2] = {st, b};
    int r = ts_store_teams_foreach(st, 0, on_team_html, ctx);
    if (r) {
        ts_buf_reset(b);
        ts_api_internal(st, resp, r, "public teams");
        return;
    }
    ts_buf_puts(b, "</tbody></table>\n</body></html>\n");
    resp->status = 200;
    resp->content_type = ct_html;
}

/* ---- Contact lookup ------------------------------------------------------------------ */

static void lookup(ts_store_t *st, const char *q, ts_http_resp_t *resp)
{
    ts_finder_opts_t o = {.no_network = true};
    ts_finder_t *f = NULL;
    ts_contact_answer_t a;
    int64_t now = ts_time_now();
    int r = ts_finder_new(st, &o, &f);
    if (r) {
        ts_api_internal(st, resp, r, "contact lookup");
        return;
    }
    r = ts_finder_find(f, q, now, &a);
    ts_finder_free(f);
    if (r) {
        ts_api_bad_value(resp, "q", "not an address, prefix, ASN or domain");
        return;
    }
    ts_jsonw_t w;
    ts_jsonw_init(&w, &resp->body);
    ts_contact_answer_json(&a, now, &w);
    resp->status = 200;
}

/* ---- Contact verification -------------------------------------------------------------- */

static void page(ts_http_resp_t *resp, int status, const char *title, const char *text,
                 const char *token)
{
    ts_buf_t *b = &resp->body;
    ts_buf_reset(b);
    ts_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    ts_markup_text(b, title);
    ts_buf_puts(b, "</title></head><body>\n<h1>");
    ts_markup_text(b, title);
    ts_buf_puts(b, "</h1>\n<p>");
    ts_markup_text(b, text);
    ts_buf_puts(b, "</p>\n");
    if (token) {
        ts_buf_puts(b, "<form method=\"post\" action=\"verify\"><input type=\"hidden\" "
                       "name=\"token\" value=\"");
        ts_markup_text(b, token);
        ts_buf_puts(b, "\"><button type=\"submit\">Confirm</button></form>\n");
    }
    ts_buf_puts(b, "</body></html>\n");
    resp->status = status;
    resp->content_type = ct_html;
}

static void verify(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    static const char *const params_token[] = {"token", NULL};
    bool post = strcmp(req->method, "POST") == 0;
    char form[512];
    const char *raw = req->query;
    if (post) {
        if (req->body_len >= sizeof form || (req->body && memchr(req->body, '\0', req->body_len))) {
            page(resp, 400, "Not confirmed", "That is not a confirmation.", NULL);
            return;
        }
        memcpy(form, req->body ? req->body : "", req->body_len);
        form[req->body_len] = '\0';
        raw = form;
    }
    ts_query_t q;
    char err[256];
    if (ts_query_parse(raw, params_token, &q, err, sizeof err) != 0) {
        page(resp, 400, "Not confirmed", "That is not a confirmation link.", NULL);
        return;
    }
    const char *token = ts_query_get(&q, "token");
    if (token == NULL || strlen(token) != TS_VERIFY_TOKEN_LEN) {
        page(resp, 400, "Not confirmed", "That is not a confirmation link.", NULL);
    } else if (!post) {
        page(resp, 200, "Confirm your contact address",
             "Press the button to confirm that the address this link was sent to still reaches "
             "you.",
             token);
    } else {
        int r = ts_verify_confirm(st, token, ts_time_now(), NULL);
        if (r == 0)
            page(resp, 200, "Confirmed", "Thank you: the address is confirmed.", NULL);
        else if (r == TS_ERANGE)
            page(resp, 410, "Link expired",
                 "This link has expired. A new one is sent with the next check.", NULL);
        else if (r == TS_ENOENT || r == TS_EINVAL)
            page(resp, 404, "Not confirmed", "This link is unknown or was used already.", NULL);
        else
            ts_api_internal(st, resp, r, "verify");
    }
    ts_query_free(&q);
}

void ts_api_team_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    const char *m = req->method ? req->method : "";
    if (strcmp(req->path, TS_API_PUBLIC_PREFIX "verify") == 0 &&
        (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "POST") == 0)) {
        verify(st, req, resp);
        return;
    }
    if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
        ts_http_resp_error(resp, 405, "method_not_allowed", "only GET and HEAD are allowed here");
        ts_http_resp_header(resp, "Allow", "GET, HEAD");
        return;
    }
    const char *path = req->path;
    bool pub = strncmp(path, TS_API_PUBLIC_PREFIX, strlen(TS_API_PUBLIC_PREFIX)) == 0;
    bool csirt = !pub && req->who && req->who->csirt;
    const char *rest = pub ? path + strlen(TS_API_PUBLIC_PREFIX) : path + strlen("/api/v1/");
    bool is_lookup = !pub && strcmp(rest, "contact-lookup") == 0;
    ts_query_t q;
    char err[256] = "";
    if (ts_query_parse(req->query,
                       is_lookup ? params_lookup
                       : pub     ? params_none
                                 : params_teams,
                       &q, err, sizeof err) != 0) {
        ts_http_resp_error(resp, 400, "bad_parameter", err);
        return;
    }
    if (is_lookup) {
        const char *text = ts_query_get(&q, "q");
        if (!csirt)
            ts_api_not_found(resp);
        else if (text == NULL)
            ts_api_bad_value(resp, "q", "an address, prefix, ASN or domain is required");
        else
            lookup(st, text, resp);
    } else if (pub && strcmp(rest, "teams") == 0) {
        teams_html(st, resp);
    } else if (pub) {
        teams_json(st, 0, false, resp);
    } else {
        int state = 0;
        const char *s = ts_query_get(&q, "state");
        if (s && ts_team_state_parse(s, &state) != 0)
            ts_api_bad_value(resp, "state", "not a team state");
        else
            teams_json(st, state, csirt, resp);
    }
    ts_query_free(&q);
}
