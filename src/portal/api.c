/* SPDX-License-Identifier: Apache-2.0 */
/* The REST API v1: routing, authentication and method checks, content
 * negotiation, and the read endpoints (health, openapi, me, events, stats,
 * site). Tenant isolation is decided in one place, ts_api_scope(): every store call
 * gets the principal's subtree root (0 only for a CSIRT principal), and every
 * object outside it is answered by ts_api_not_found(), whose body is the same for a
 * foreign object as for one that does not exist. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/event.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "core/mem.h"
#include "output/exporter.h"
#include "output/export.h"
#include "output/format.h"
#include "portal/api.h"
#include "portal/api_int.h"
#include "portal/apicache.h"
#include "portal/openapi.h"
#include "portal/query.h"
#include "store/eventq.h"
#include "ts_version.h"

#define API_PREFIX "/api/v1/"
#define DEFAULT_LIMIT 50
#define STATS_DEFAULT_WINDOW (30LL * 86400 * 1000000) /* us */

static const char ct_csv[] = "text/csv; charset=utf-8";
static const char ct_ndjson[] = "application/x-ndjson";

typedef enum route {
    R_NONE,
    R_HEALTH,
    R_OPENAPI,
    R_ME,
    R_EVENTS,
    R_EVENT,
    R_STATS,
    R_SITE,
    R_EXPORTERS,
    R_ADVISORY,
    R_PLATFORMS,
    R_SITES,
    R_TAXONOMY,
    R_QUARANTINE,
    R_INPUTS,
    R_SCANS,
    R_CONTACTS,
    R_INCIDENTS, /* incidents, suppressions, feedback (api_incident.c) */
    R_TEAMS,     /* the team directory, contact lookup, /public/teams (api_team.c) */
    R_DOMAINS,   /* domain cases; /public/domains (api_domain.c) */
    R_COUNT_
} route_t;

static const char *const route_labels[R_COUNT_] = {
    "unknown", "health",    "openapi",    "me",        "events", "event",    "stats",
    "site",    "exporters", "advisories", "platforms", "sites",  "taxonomy", "quarantine",
    "inputs",  "scans",     "contacts",   "incidents", "teams",  "domains",
};
_Static_assert(R_COUNT_ <= TS_API_ROUTE_MAX, "TS_API_ROUTE_MAX is too small");

bool ts_api_owns(const char *path)
{
    return path != NULL && (strncmp(path, "/api/", 5) == 0 ||
                            strncmp(path, TS_API_PUBLIC_PREFIX, strlen(TS_API_PUBLIC_PREFIX)) == 0);
}

bool ts_api_public_form(const char *method, const char *path)
{
    return method != NULL && path != NULL && strcmp(method, "POST") == 0 &&
           strcmp(path, TS_API_PUBLIC_PREFIX "verify") == 0;
}

/* ---- Errors ------------------------------------------------------------------ */

static void bad_param(ts_http_resp_t *resp, const char *msg)
{
    ts_http_resp_error(resp, 400, "bad_parameter", msg);
}

void ts_api_bad_value(ts_http_resp_t *resp, const char *name, const char *why)
{
    char msg[160];
    snprintf(msg, sizeof msg, "bad value of parameter '%s': %s", name, why);
    bad_param(resp, msg);
}

/* The one answer for "unknown" and "not yours": same status, same bytes. */
void ts_api_not_found(ts_http_resp_t *resp)
{
    ts_http_resp_error(resp, 404, "not_found", "no such resource");
}

void ts_api_internal(ts_store_t *st, ts_http_resp_t *resp, int err, const char *what)
{
    ts_log_error("api: %s: %s (%s)", what, ts_strerror(err), ts_store_errmsg(st));
    ts_http_resp_error(resp, 500, "internal", "internal error");
}

/* A store result that is not a success: ENOENT is a 404, anything else 500. */
static void store_fail(ts_store_t *st, ts_http_resp_t *resp, int err, const char *what)
{
    if (err == TS_ENOENT)
        ts_api_not_found(resp);
    else
        ts_api_internal(st, resp, err, what);
}

/* ---- Routing ----------------------------------------------------------------- */

static bool has_prefix_seg(const char *rest, const char *seg)
{
    size_t n = strlen(seg);
    return strncmp(rest, seg, n) == 0 && (rest[n] == '\0' || rest[n] == '/');
}

bool ts_api_parse_id(const char *s, size_t n, int64_t *id)
{
    if (n == 0 || n > 19 || s[0] == '0')
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return false;
    *id = (int64_t)v;
    return true;
}

/* The published pages (no certificate; the handler gets no principal). */
static route_t public_route_of(const char *rest)
{
    if (strcmp(rest, "teams") == 0 || strcmp(rest, "teams.json") == 0 ||
        strcmp(rest, "verify") == 0)
        return R_TEAMS;
    if (strncmp(rest, "domains", 7) == 0)
        return R_DOMAINS;
    return R_NONE;
}

static route_t route_of(const char *path, int64_t *id)
{
    if (path != NULL && strncmp(path, TS_API_PUBLIC_PREFIX, strlen(TS_API_PUBLIC_PREFIX)) == 0)
        return public_route_of(path + strlen(TS_API_PUBLIC_PREFIX));
    if (path == NULL || strncmp(path, API_PREFIX, strlen(API_PREFIX)) != 0)
        return R_NONE;
    const char *rest = path + strlen(API_PREFIX);
    if (strcmp(rest, "health") == 0)
        return R_HEALTH;
    if (strcmp(rest, "openapi.json") == 0)
        return R_OPENAPI;
    if (strcmp(rest, "me") == 0)
        return R_ME;
    if (strcmp(rest, "events") == 0)
        return R_EVENTS;
    if (strncmp(rest, "events/", 7) == 0)
        return ts_api_parse_id(rest + 7, strlen(rest + 7), id) ? R_EVENT : R_NONE;
    if (strcmp(rest, "stats") == 0)
        return R_STATS;
    if (strcmp(rest, "site") == 0)
        return R_SITE;
    if (strcmp(rest, "exporters") == 0)
        return R_EXPORTERS;
    if (has_prefix_seg(rest, "advisories"))
        return R_ADVISORY;
    if (has_prefix_seg(rest, "platforms"))
        return R_PLATFORMS;
    if (strcmp(rest, "sites") == 0)
        return R_SITES;
    if (strcmp(rest, "taxonomy") == 0)
        return R_TAXONOMY;
    if (strcmp(rest, "quarantine") == 0)
        return R_QUARANTINE;
    if (strcmp(rest, "inputs") == 0)
        return R_INPUTS;
    if (has_prefix_seg(rest, "scans"))
        return R_SCANS;
    if (has_prefix_seg(rest, "contacts") || strcmp(rest, "outbox") == 0)
        return R_CONTACTS;
    if (has_prefix_seg(rest, "incidents") || has_prefix_seg(rest, "suppressions") ||
        strcmp(rest, "feedback") == 0)
        return R_INCIDENTS;
    if (strcmp(rest, "teams") == 0 || strcmp(rest, "contact-lookup") == 0)
        return R_TEAMS;
    if (has_prefix_seg(rest, "domain-cases"))
        return R_DOMAINS;
    return R_NONE;
}

unsigned ts_api_route_of(const char *path)
{
    int64_t id;
    return (unsigned)route_of(path, &id);
}

const char *ts_api_route_label(unsigned route)
{
    return route < R_COUNT_ ? route_labels[route] : route_labels[R_NONE];
}

static const char *const params_none[] = {NULL};
static const char *const params_events[] = {"since", "until", "taxonomy", "type",   "role", "ip",
                                            "site",  "limit", "cursor",   "format", NULL};
static const char *const params_stats[] = {"since", "until", "site", NULL};
static const char *const params_site[] = {"site", NULL};
static const char *const params_quarantine[] = {"reason", "limit", NULL};

static const char *const *params_of(route_t r)
{
    switch (r) {
    case R_EVENTS:
        return params_events;
    case R_STATS:
        return params_stats;
    case R_SITE:
        return params_site;
    case R_QUARANTINE:
        return params_quarantine;
    default:
        return params_none;
    }
}

/* ---- Content negotiation ----------------------------------------------------- */

/* The first media range of Accept that we can serve (q=0 ranges skipped);
 * false when none is. No Accept: JSON. */
static bool negotiate(const char *accept, bool list, ts_api_format_t *fmt, int *xfmt)
{
    *fmt = TS_API_JSON;
    *xfmt = -1;
    if (accept == NULL || accept[0] == '\0')
        return true;
    const char *p = accept;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char item[128];
        if (n < sizeof item) {
            memcpy(item, p, n);
            item[n] = '\0';
            char *params = strchr(item, ';');
            bool q0 = false;
            if (params) {
                *params++ = '\0';
                for (char *s = params; *s; s++)
                    if (*s != ' ' && *s != '\t') {
                        q0 = strncasecmp(s, "q=0", 3) == 0 &&
                             strspn(s + 3, ".0") == strlen(s + 3) &&
                             strcspn(s + 3, ";") == strlen(s + 3);
                        break;
                    }
            }
            char *t = item;
            while (*t == ' ' || *t == '\t')
                t++;
            size_t tl = strlen(t);
            while (tl > 0 && (t[tl - 1] == ' ' || t[tl - 1] == '\t'))
                t[--tl] = '\0';
            if (!q0) {
                if (strcasecmp(t, "application/json") == 0 || strcasecmp(t, "*/*") == 0 ||
                    strcasecmp(t, "application/*") == 0) {
                    *fmt = TS_API_JSON;
                    return true;
                }
                if (list && (strcasecmp(t, "text/csv") == 0 || strcasecmp(t, "text/*") == 0)) {
                    *fmt = TS_API_CSV;
                    return true;
                }
                if (list && strcasecmp(t, "application/x-ndjson") == 0) {
                    *fmt = TS_API_NDJSON;
                    return true;
                }
                /* The exchange formats (output/export.h), by their media types. */
                for (int x = TS_EXPORT_IDEA; list && x <= TS_EXPORT_MISP; x++) {
                    if (strcasecmp(t, ts_export_media_type((ts_export_fmt_t)x)) == 0) {
                        *xfmt = x;
                        return true;
                    }
                }
            }
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return false;
}

/* ---- Scope (tenant isolation) ------------------------------------------------ */

/* The subtree root the request may see: the principal's site, a descendant
 * named by ?site=, or (CSIRT) 0 = all / any named site. Answers the request
 * itself (400/404/500) and returns false when it cannot go on. */
bool ts_api_scope(ts_store_t *st, const ts_principal_t *who, const char *site_name,
                  ts_http_resp_t *resp, int64_t *root)
{
    *root = who->csirt ? 0 : who->site_id;
    if (site_name == NULL)
        return true;
    if (!ts_query_site_valid(site_name)) {
        ts_api_bad_value(resp, "site", "not a site name");
        return false;
    }
    int64_t id = 0;
    int r = ts_store_site_find(st, site_name, &id);
    if (r) {
        store_fail(st, resp, r, "site lookup");
        return false;
    }
    if (!who->csirt) {
        bool in = false;
        r = ts_store_portal_in_subtree(st, who->site_id, id, &in);
        if (r) {
            ts_api_internal(st, resp, r, "subtree check");
            return false;
        }
        if (!in) {
            ts_api_not_found(resp);
            return false;
        }
    }
    *root = id;
    return true;
}

/* ---- JSON pieces ------------------------------------------------------------- */

static void put_time(ts_jsonw_t *w, int64_t us)
{
    char buf[64];
    ts_time_format_utc(us, buf, sizeof buf);
    ts_jsonw_cstr(w, buf);
}

static void put_str(ts_jsonw_t *w, const char *key, ts_str_t s)
{
    if (s.ptr == NULL)
        return;
    ts_jsonw_key(w, key);
    ts_jsonw_str(w, s);
}

static bool endpoint_empty(const ts_endpoint_t *ep)
{
    return ep->ip.family == TS_AF_NONE && ep->port < 0 && ep->asn < 0 && ep->fqdn.ptr == NULL &&
           ep->url.ptr == NULL && ep->network.addr.family == TS_AF_NONE && ep->targets == NULL;
}

/* Entries of a target list in an event of a list page; the event's own page
 * shows them all (at most TS_TARGETS_MAX). */
#define PAGE_TARGETS 32

static void put_endpoint(ts_jsonw_t *w, const char *key, const ts_endpoint_t *ep,
                         uint32_t max_targets)
{
    if (endpoint_empty(ep))
        return;
    ts_jsonw_key(w, key);
    ts_jsonw_object_begin(w);
    if (ep->ip.family != TS_AF_NONE) {
        char buf[TS_IP_STRLEN];
        ts_ip_format(&ep->ip, buf, sizeof buf);
        ts_jsonw_key(w, "ip");
        ts_jsonw_cstr(w, buf);
    }
    if (ep->port >= 0) {
        ts_jsonw_key(w, "port");
        ts_jsonw_int(w, ep->port);
    }
    if (ep->asn >= 0) {
        ts_jsonw_key(w, "asn");
        ts_jsonw_int(w, ep->asn);
    }
    put_str(w, "fqdn", ep->fqdn);
    put_str(w, "url", ep->url);
    if (ep->network.addr.family != TS_AF_NONE) {
        char buf[TS_IP_STRLEN];
        ts_prefix_format(&ep->network, buf, sizeof buf);
        ts_jsonw_key(w, "network");
        ts_jsonw_cstr(w, buf);
    }
    if (ep->targets != NULL && ep->targets->n > 0) {
        ts_jsonw_key(w, "targets");
        ts_format_targets_json(w, ep->targets, max_targets);
    }
    ts_jsonw_object_end(w);
}

static const char *role_name(ts_role_t r)
{
    return r == TS_ROLE_SOURCE ? "source" : "destination";
}

static const char *kind_name(ts_rule_kind_t k)
{
    switch (k) {
    case TS_RULE_NETWORK:
        return "network";
    case TS_RULE_ASN:
        return "asn";
    default:
        return "domain";
    }
}

/* EVENT of the contract; reasons adds the matched claims (/events/{id}). */
static void put_event(ts_jsonw_t *w, const ts_stored_event_t *se, bool reasons)
{
    const ts_event_t *e = &se->ev;
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "id");
    ts_jsonw_int(w, se->id);
    int64_t t = e->time_source != TS_TIME_NONE ? e->time_source : e->time_observation;
    if (t != TS_TIME_NONE) {
        ts_jsonw_key(w, "time");
        put_time(w, t);
    }
    const char *type = ts_type_name(e->type);
    if (type) {
        ts_jsonw_key(w, "taxonomy");
        ts_jsonw_cstr(w, ts_taxonomy_name(ts_type_taxonomy(e->type)));
        ts_jsonw_key(w, "type");
        ts_jsonw_cstr(w, type);
    }
    put_str(w, "identifier", e->identifier);
    put_str(w, "description", e->description);
    /* Targets as the store scoped them to the caller (its own shares). */
    uint32_t max_targets = reasons ? TS_TARGETS_MAX : PAGE_TARGETS;
    put_endpoint(w, "source", &e->src, max_targets);
    put_endpoint(w, "destination", &e->dst, max_targets);
    put_str(w, "transport", e->transport);
    put_str(w, "application", e->application);
    if (e->feed_name.ptr || e->feed_provider.ptr) {
        ts_jsonw_key(w, "feed");
        ts_jsonw_object_begin(w);
        put_str(w, "name", e->feed_name);
        put_str(w, "provider", e->feed_provider);
        ts_jsonw_object_end(w);
    }
    const char *tlp = ts_tlp_name(e->tlp);
    if (tlp) {
        ts_jsonw_key(w, "tlp");
        ts_jsonw_cstr(w, tlp);
    }
    ts_jsonw_key(w, "count");
    ts_jsonw_uint(w, e->count);
    ts_jsonw_key(w, "owners");
    ts_jsonw_array_begin(w);
    for (int i = 0; i < se->n_links; i++) {
        ts_jsonw_object_begin(w);
        ts_jsonw_key(w, "site");
        ts_jsonw_cstr(w, se->links[i].match.site_name ? se->links[i].match.site_name : "");
        ts_jsonw_key(w, "role");
        ts_jsonw_cstr(w, role_name(se->links[i].role));
        ts_jsonw_object_end(w);
    }
    ts_jsonw_array_end(w);
    if (reasons) {
        ts_jsonw_key(w, "reasons");
        ts_jsonw_array_begin(w);
        for (int i = 0; i < se->n_links; i++) {
            const ts_link_t *l = &se->links[i];
            ts_jsonw_object_begin(w);
            ts_jsonw_key(w, "site");
            ts_jsonw_cstr(w, l->match.site_name ? l->match.site_name : "");
            ts_jsonw_key(w, "role");
            ts_jsonw_cstr(w, role_name(l->role));
            ts_jsonw_key(w, "kind");
            ts_jsonw_cstr(w, kind_name(l->match.kind));
            ts_jsonw_key(w, "rule");
            ts_jsonw_cstr(w, l->match.rule ? l->match.rule : "");
            if (l->own.n > 0) {
                ts_jsonw_key(w, "targets");
                ts_format_targets_json(w, &l->own, TS_TARGETS_MAX);
            }
            ts_jsonw_object_end(w);
        }
        ts_jsonw_array_end(w);
    }
    ts_jsonw_object_end(w);
}

/* Hands a finished body to the response. */
static void answer(ts_http_resp_t *resp, ts_buf_t *body, const char *content_type)
{
    ts_buf_free(&resp->body);
    resp->body = *body;
    *body = (ts_buf_t)TS_BUF_INIT;
    resp->status = 200;
    resp->content_type = content_type;
}

/* ---- Endpoints --------------------------------------------------------------- */

static ts_api_health_fn health_fn;
static void *health_ctx;

void ts_api_set_health(ts_api_health_fn fn, void *ctx)
{
    health_fn = fn;
    health_ctx = ctx;
}

/* Liveness, the store's state (a failing store says "degraded"), and what
 * the daemon adds (health_fn). */
static void do_health(ts_store_t *st, ts_http_resp_t *resp)
{
    uint64_t v;
    bool store_ok = st != NULL && ts_store_data_version(st, &v) == 0;
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "status");
    ts_jsonw_cstr(&w, store_ok ? "ok" : "degraded");
    ts_jsonw_key(&w, "version");
    ts_jsonw_cstr(&w, TS_VERSION_STRING);
    ts_jsonw_key(&w, "store");
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "backend");
    ts_jsonw_cstr(&w, st ? ts_store_backend(st) : "none");
    ts_jsonw_key(&w, "ok");
    ts_jsonw_bool(&w, store_ok);
    ts_jsonw_object_end(&w);
    if (health_fn)
        health_fn(&w, health_ctx);
    ts_jsonw_object_end(&w);
    answer(resp, &b, NULL);
}

static void do_openapi(ts_http_resp_t *resp)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_buf_puts(&b, ts_api_openapi_json);
    answer(resp, &b, NULL);
}

static void do_me(const ts_principal_t *who, ts_http_resp_t *resp)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "site");
    ts_jsonw_cstr(&w, who->csirt ? "" : who->site);
    ts_jsonw_key(&w, "holder");
    ts_jsonw_cstr(&w, who->holder);
    ts_jsonw_key(&w, "csirt");
    ts_jsonw_bool(&w, who->csirt);
    ts_jsonw_key(&w, "fingerprint");
    ts_jsonw_cstr(&w, who->fingerprint);
    ts_jsonw_object_end(&w);
    answer(resp, &b, NULL);
}

static int exporter_cb(const ts_exporter_stats_t *s, int64_t updated, void *ctx)
{
    ts_format_exporter_json(ctx, s, updated);
    return 0;
}

/* The flow collector's per-exporter counters: infrastructure of the CSIRT,
 * so a site certificate is told the resource does not exist. */
static void do_exporters(ts_store_t *st, const ts_principal_t *who, ts_http_resp_t *resp)
{
    if (!who->csirt) {
        ts_api_not_found(resp);
        return;
    }
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "exporters");
    ts_jsonw_array_begin(&w);
    int r = ts_store_exporters_foreach(st, exporter_cb, &w);
    if (r != 0) {
        store_fail(st, resp, r, "exporters");
        ts_buf_free(&b);
        return;
    }
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    answer(resp, &b, NULL);
}

typedef struct list_ctx {
    ts_export_t *x; /* an exchange format, or NULL */
    ts_api_format_t fmt;
    ts_jsonw_t w;
    ts_buf_t *b;
} list_ctx_t;

static int list_cb(const ts_stored_event_t *ev, void *vctx)
{
    list_ctx_t *c = vctx;
    if (c->x)
        ts_export_event(c->x, ev, c->b);
    else if (c->fmt == TS_API_JSON)
        put_event(&c->w, ev, false);
    else
        ts_format_event(c->fmt == TS_API_CSV ? TS_FMT_CSV : TS_FMT_JSON, ev, c->b);
    return 0;
}

/* since/until of the query (absent: TS_TIME_NONE). */
static bool parse_window(const ts_query_t *q, ts_http_resp_t *resp, int64_t *since, int64_t *until)
{
    int64_t now = ts_time_now();
    *since = *until = TS_TIME_NONE;
    const char *v;
    if ((v = ts_query_get(q, "since")) && ts_query_time(v, now, since) != 0) {
        ts_api_bad_value(resp, "since", "not an RFC 3339 time or a relative time like 24h");
        return false;
    }
    if ((v = ts_query_get(q, "until")) && ts_query_time(v, now, until) != 0) {
        ts_api_bad_value(resp, "until", "not an RFC 3339 time or a relative time like 24h");
        return false;
    }
    if (*since != TS_TIME_NONE && *until != TS_TIME_NONE && *until <= *since) {
        ts_api_bad_value(resp, "until", "not after since");
        return false;
    }
    return true;
}

static void do_events(ts_store_t *st, const ts_principal_t *who, const ts_query_t *q,
                      ts_api_format_t fmt, int xfmt, ts_http_resp_t *resp)
{
    ts_portal_filter_t f;
    ts_portal_filter_init(&f);
    f.limit = DEFAULT_LIMIT;
    if (!parse_window(q, resp, &f.since, &f.until))
        return;
    const char *v;
    ts_buf_t types = TS_BUF_INIT;
    const char *tax_v = ts_query_get(q, "taxonomy"), *type_v = ts_query_get(q, "type");
    ts_taxonomy_t tax = 0;
    ts_type_t type = 0;
    if (tax_v && ts_query_taxonomy(tax_v, &tax) != 0) {
        ts_api_bad_value(resp, "taxonomy", "unknown taxonomy");
        return;
    }
    if (type_v && ts_query_type(type_v, &type) != 0) {
        ts_api_bad_value(resp, "type", "unknown type");
        return;
    }
    if (tax_v && type_v && ts_type_taxonomy(type) != tax) {
        ts_api_bad_value(resp, "type", "not a type of the given taxonomy");
        return;
    }
    if ((v = ts_query_get(q, "role"))) {
        ts_role_t role;
        if (ts_query_role(v, &role) != 0) {
            ts_api_bad_value(resp, "role", "not source or destination");
            return;
        }
        f.role = (int)role;
    }
    if ((v = ts_query_get(q, "ip")) && ts_query_ip(v, f.ip_lo, f.ip_hi) != 0) {
        ts_api_bad_value(resp, "ip", "not an address or a CIDR prefix with host bits zero");
        return;
    }
    f.has_ip = v != NULL;
    if ((v = ts_query_get(q, "limit")) && ts_query_limit(v, &f.limit) != 0) {
        ts_api_bad_value(resp, "limit", "not a number from 1 to 1000");
        return;
    }
    if ((v = ts_query_get(q, "cursor")) && ts_query_cursor_decode(v, &f.before_id) != 0) {
        ts_api_bad_value(resp, "cursor", "not a cursor of this API");
        return;
    }
    if (!ts_api_scope(st, who, ts_query_get(q, "site"), resp, &f.site_id))
        return;
    /* The type set as a JSON array of canonical names: constant SQL. */
    if (type_v || tax_v) {
        ts_jsonw_t tw;
        ts_jsonw_init(&tw, &types);
        ts_jsonw_array_begin(&tw);
        for (int t = 0; t < TS_RSIT_TYPES; t++) {
            if (type_v ? t == type : ts_type_taxonomy((ts_type_t)t) == tax)
                ts_jsonw_cstr(&tw, ts_type_name((ts_type_t)t));
        }
        ts_jsonw_array_end(&tw);
        f.types_json = types.data;
    }

    ts_buf_t b = TS_BUF_INIT;
    list_ctx_t c = {.fmt = fmt, .b = &b};
    ts_export_t x;
    if (xfmt >= 0) {
        /* A site's page as another party's document: TLP rules of export.h on
         * top of the site's own view. */
        c.x = &x;
        fmt = TS_API_NDJSON; /* a page of text: the cursor in X-Next-Cursor */
        ts_export_begin(&x, (ts_export_fmt_t)xfmt, ts_time_now(), &b);
    } else if (fmt == TS_API_JSON) {
        ts_jsonw_init(&c.w, &b);
        ts_jsonw_object_begin(&c.w);
        ts_jsonw_key(&c.w, "events");
        ts_jsonw_array_begin(&c.w);
    } else if (fmt == TS_API_CSV) {
        ts_format_header(TS_FMT_CSV, &b);
    }
    int64_t next = 0;
    int r = ts_store_portal_events(st, &f, list_cb, &c, &next);
    ts_buf_free(&types);
    if (r) {
        ts_buf_free(&b);
        store_fail(st, resp, r, "event listing");
        return;
    }
    char cursor[TS_QUERY_CURSOR_LEN + 1];
    if (next)
        ts_query_cursor_encode(next, cursor);
    if (c.x)
        ts_export_end(c.x, &b);
    if (fmt == TS_API_JSON) {
        ts_jsonw_array_end(&c.w);
        ts_jsonw_key(&c.w, "next_cursor");
        if (next)
            ts_jsonw_cstr(&c.w, cursor);
        else
            ts_jsonw_null(&c.w);
        ts_jsonw_object_end(&c.w);
    }
    answer(resp, &b,
           c.x                  ? ts_export_media_type((ts_export_fmt_t)xfmt)
           : fmt == TS_API_JSON ? NULL
           : fmt == TS_API_CSV  ? ct_csv
                                : ct_ndjson);
    if (next && fmt != TS_API_JSON)
        ts_http_resp_header(resp, "X-Next-Cursor", cursor);
}

void ts_api_put_event(ts_jsonw_t *w, const ts_stored_event_t *ev)
{
    put_event(w, ev, false);
}

static int one_cb(const ts_stored_event_t *ev, void *vctx)
{
    ts_jsonw_t w;
    ts_jsonw_init(&w, vctx);
    put_event(&w, ev, true);
    return 0;
}

static void do_event(ts_store_t *st, const ts_principal_t *who, int64_t id, ts_http_resp_t *resp)
{
    ts_buf_t b = TS_BUF_INIT;
    int r = ts_store_portal_event(st, who->csirt ? 0 : who->site_id, id, one_cb, &b);
    if (r) {
        ts_buf_free(&b);
        store_fail(st, resp, r, "event lookup");
        return;
    }
    answer(resp, &b, NULL);
}

typedef struct stats_ctx {
    ts_jsonw_t w;
    int section; /* 0 per_day, 1 by_type, 2 top_hosts: the array now open */
} stats_ctx_t;

static void stats_section(stats_ctx_t *c, int section)
{
    static const char *const names[] = {"per_day", "by_type", "top_hosts"};
    while (c->section < section) {
        ts_jsonw_array_end(&c->w);
        c->section++;
        ts_jsonw_key(&c->w, names[c->section]);
        ts_jsonw_array_begin(&c->w);
    }
}

static int st_day(const char *day, const char *type, uint64_t n, void *vctx)
{
    stats_ctx_t *c = vctx;
    stats_section(c, 0);
    ts_jsonw_object_begin(&c->w);
    ts_jsonw_key(&c->w, "day");
    ts_jsonw_cstr(&c->w, day);
    ts_jsonw_key(&c->w, "type");
    ts_jsonw_cstr(&c->w, type);
    ts_jsonw_key(&c->w, "count");
    ts_jsonw_uint(&c->w, n);
    ts_jsonw_object_end(&c->w);
    return 0;
}

static int st_type(const char *type, uint64_t n, void *vctx)
{
    stats_ctx_t *c = vctx;
    stats_section(c, 1);
    ts_type_t t = TS_TYPE_UNDETERMINED;
    if (ts_type_lookup(type, strlen(type), &t) != 0)
        t = TS_TYPE_UNDETERMINED;
    ts_jsonw_object_begin(&c->w);
    ts_jsonw_key(&c->w, "taxonomy");
    ts_jsonw_cstr(&c->w, ts_taxonomy_name(ts_type_taxonomy(t)));
    ts_jsonw_key(&c->w, "type");
    ts_jsonw_cstr(&c->w, type);
    ts_jsonw_key(&c->w, "count");
    ts_jsonw_uint(&c->w, n);
    ts_jsonw_object_end(&c->w);
    return 0;
}

static int st_host(const ts_ip_t *ip, uint64_t n, void *vctx)
{
    stats_ctx_t *c = vctx;
    stats_section(c, 2);
    char buf[TS_IP_STRLEN];
    ts_ip_format(ip, buf, sizeof buf);
    ts_jsonw_object_begin(&c->w);
    ts_jsonw_key(&c->w, "ip");
    ts_jsonw_cstr(&c->w, buf);
    ts_jsonw_key(&c->w, "count");
    ts_jsonw_uint(&c->w, n);
    ts_jsonw_object_end(&c->w);
    return 0;
}

static void do_stats(ts_store_t *st, const ts_principal_t *who, const ts_query_t *q,
                     ts_http_resp_t *resp)
{
    int64_t since, until;
    if (!parse_window(q, resp, &since, &until))
        return;
    int64_t root;
    if (!ts_api_scope(st, who, ts_query_get(q, "site"), resp, &root))
        return;
    if (since == TS_TIME_NONE)
        since = (until != TS_TIME_NONE ? until : ts_time_now()) - STATS_DEFAULT_WINDOW;
    if (until == TS_TIME_NONE)
        until = INT64_MAX;
    ts_buf_t b = TS_BUF_INIT;
    stats_ctx_t c = {.section = 0};
    ts_jsonw_init(&c.w, &b);
    ts_jsonw_object_begin(&c.w);
    ts_jsonw_key(&c.w, "per_day");
    ts_jsonw_array_begin(&c.w);
    static const ts_portal_stats_cbs_t cbs = {st_day, st_type, st_host};
    int r = ts_store_portal_stats(st, root, since, until, &cbs, &c);
    if (r) {
        ts_buf_free(&b);
        store_fail(st, resp, r, "statistics");
        return;
    }
    stats_section(&c, 2);
    ts_jsonw_array_end(&c.w);
    ts_jsonw_object_end(&c.w);
    answer(resp, &b, NULL);
}

typedef struct site_ctx {
    ts_jsonw_t w;
    ts_buf_t nets, asns, domains, contacts, children; /* JSON array bodies */
    ts_jsonw_t wn, wa, wd, wc, wch;
} site_ctx_t;

static int si_site(const ts_site_info_t *s, const char *parent, void *vctx)
{
    site_ctx_t *c = vctx;
    ts_jsonw_key(&c->w, "site");
    ts_jsonw_object_begin(&c->w);
    ts_jsonw_key(&c->w, "name");
    ts_jsonw_cstr(&c->w, s->name);
    ts_jsonw_key(&c->w, "description");
    ts_jsonw_cstr(&c->w, s->description);
    ts_jsonw_key(&c->w, "parent");
    if (parent)
        ts_jsonw_cstr(&c->w, parent);
    else
        ts_jsonw_null(&c->w);
    ts_jsonw_object_end(&c->w);
    return 0;
}

static int si_claim(const ts_claim_info_t *cl, void *vctx)
{
    site_ctx_t *c = vctx;
    int64_t asn;
    switch (cl->kind) {
    case TS_RULE_NETWORK:
        ts_jsonw_cstr(&c->wn, cl->value);
        break;
    case TS_RULE_ASN:
        if (ts_asn_parse(cl->value, strlen(cl->value), &asn) == 0)
            ts_jsonw_int(&c->wa, asn);
        break;
    default:
        ts_jsonw_cstr(&c->wd, cl->value);
        break;
    }
    return 0;
}

static int si_contact(const ts_contact_info_t *ct, void *vctx)
{
    site_ctx_t *c = vctx;
    ts_jsonw_object_begin(&c->wc);
    ts_jsonw_key(&c->wc, "email");
    ts_jsonw_cstr(&c->wc, ct->email);
    ts_jsonw_key(&c->wc, "name");
    ts_jsonw_cstr(&c->wc, ct->name);
    ts_jsonw_object_end(&c->wc);
    return 0;
}

static int si_child(const ts_site_info_t *s, void *vctx)
{
    site_ctx_t *c = vctx;
    ts_jsonw_cstr(&c->wch, s->name);
    return 0;
}

static void put_array(ts_jsonw_t *w, const char *key, ts_jsonw_t *aw)
{
    ts_jsonw_array_end(aw);
    ts_jsonw_key(w, key);
    ts_jsonw_raw(w, ts_str(aw->out->data, aw->out->len));
}

static void do_site(ts_store_t *st, const ts_principal_t *who, const ts_query_t *q,
                    ts_http_resp_t *resp)
{
    int64_t root;
    if (!ts_api_scope(st, who, ts_query_get(q, "site"), resp, &root))
        return;
    if (root == 0) {
        bad_param(resp, "parameter 'site' is required with a CSIRT certificate");
        return;
    }
    ts_buf_t b = TS_BUF_INIT;
    site_ctx_t c;
    memset(&c, 0, sizeof c);
    ts_jsonw_init(&c.w, &b);
    ts_jsonw_init(&c.wn, &c.nets);
    ts_jsonw_init(&c.wa, &c.asns);
    ts_jsonw_init(&c.wd, &c.domains);
    ts_jsonw_init(&c.wc, &c.contacts);
    ts_jsonw_init(&c.wch, &c.children);
    ts_jsonw_array_begin(&c.wn);
    ts_jsonw_array_begin(&c.wa);
    ts_jsonw_array_begin(&c.wd);
    ts_jsonw_array_begin(&c.wc);
    ts_jsonw_array_begin(&c.wch);
    ts_jsonw_object_begin(&c.w);
    static const ts_portal_site_cbs_t cbs = {si_site, si_claim, si_contact, si_child};
    int r = ts_store_portal_site(st, root, &cbs, &c);
    if (r == 0) {
        put_array(&c.w, "networks", &c.wn);
        put_array(&c.w, "asns", &c.wa);
        put_array(&c.w, "domains", &c.wd);
        put_array(&c.w, "contacts", &c.wc);
        put_array(&c.w, "children", &c.wch);
        ts_jsonw_object_end(&c.w);
        answer(resp, &b, NULL);
    } else {
        store_fail(st, resp, r, "site profile");
    }
    ts_buf_free(&b);
    ts_buf_free(&c.nets);
    ts_buf_free(&c.asns);
    ts_buf_free(&c.domains);
    ts_buf_free(&c.contacts);
    ts_buf_free(&c.children);
}

/* Every site the caller may see (its own and its sub-sites; all for the
 * CSIRT) in tree order (each site followed by its sub-sites, by name), for
 * the portal's site picker. */
typedef struct site_row {
    int64_t id, parent;
    char *name, *description;
    char *key; /* names from the root down, joined by \x01: sorts in tree order */
} site_row_t;

typedef struct sites_ctx {
    site_row_t *v;
    size_t n, cap;
} sites_ctx_t;

static int keep_site(const ts_site_info_t *s, void *vctx)
{
    sites_ctx_t *c = vctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->v = ts_xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = (site_row_t){s->id, s->parent_id, ts_xstrdup(s->name),
                                ts_xstrdup(s->description ? s->description : ""), NULL};
    return 0;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const site_row_t *)a)->id, y = ((const site_row_t *)b)->id;
    return x < y ? -1 : x > y;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const site_row_t *)a)->key, ((const site_row_t *)b)->key);
}

static const site_row_t *site_by_id(const sites_ctx_t *c, const site_row_t *sorted, int64_t id)
{
    site_row_t key = {.id = id};
    return bsearch(&key, sorted, c->n, sizeof *sorted, by_id);
}

static void do_sites(ts_store_t *st, const ts_principal_t *who, ts_http_resp_t *resp)
{
    sites_ctx_t c = {0};
    int r = ts_store_sites_foreach(st, keep_site, &c);
    qsort(c.v, c.n, sizeof *c.v, by_id);
    /* The visible ones, each with its path from the root as sort key. */
    site_row_t *vis = ts_xmalloc((c.n ? c.n : 1) * sizeof *vis);
    size_t n_vis = 0;
    for (size_t i = 0; r == 0 && i < c.n; i++) {
        bool in = who->csirt;
        const char *chain[64];
        int depth = 0;
        for (const site_row_t *s = &c.v[i]; s && depth < 64;
             s = s->parent ? site_by_id(&c, c.v, s->parent) : NULL) {
            in = in || s->id == who->site_id;
            chain[depth++] = s->name;
        }
        if (!in)
            continue;
        ts_buf_t k = TS_BUF_INIT;
        while (depth-- > 0)
            ts_buf_printf(&k, "%s%s", chain[depth], depth ? "\x01" : "");
        vis[n_vis] = c.v[i];
        vis[n_vis++].key = k.data ? k.data : ts_xstrdup("");
    }
    qsort(vis, n_vis, sizeof *vis, by_key);
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "sites");
    ts_jsonw_array_begin(&w);
    for (size_t i = 0; i < n_vis; i++) {
        const site_row_t *parent = vis[i].parent ? site_by_id(&c, c.v, vis[i].parent) : NULL;
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "name");
        ts_jsonw_cstr(&w, vis[i].name);
        ts_jsonw_key(&w, "parent");
        if (parent) /* named as /api/v1/site names it */
            ts_jsonw_cstr(&w, parent->name);
        else
            ts_jsonw_null(&w);
        ts_jsonw_key(&w, "description");
        ts_jsonw_cstr(&w, vis[i].description);
        ts_jsonw_object_end(&w);
        free(vis[i].key);
    }
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    for (size_t i = 0; i < c.n; i++) {
        free(c.v[i].name);
        free(c.v[i].description);
    }
    free(c.v);
    free(vis);
    if (r != 0) {
        ts_buf_free(&b);
        store_fail(st, resp, r, "site list");
        return;
    }
    answer(resp, &b, NULL);
}

/* The RSIT taxonomies and their types, for the event filters' choices. */
static void do_taxonomy(ts_http_resp_t *resp)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "taxonomies");
    ts_jsonw_array_begin(&w);
    for (int x = 0; x < TS_RSIT_TAXONOMIES; x++) {
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "name");
        ts_jsonw_cstr(&w, ts_taxonomy_name((ts_taxonomy_t)x));
        ts_jsonw_key(&w, "types");
        ts_jsonw_array_begin(&w);
        for (int t = 0; t < TS_RSIT_TYPES; t++)
            if (ts_type_taxonomy((ts_type_t)t) == (ts_taxonomy_t)x)
                ts_jsonw_cstr(&w, ts_type_name((ts_type_t)t));
        ts_jsonw_array_end(&w);
        ts_jsonw_object_end(&w);
    }
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    answer(resp, &b, NULL);
}

/* ---- Entry ------------------------------------------------------------------- */

/* The one check every write route shares, before any route sees the request:
 * a reader certificate may read and never change anything. */
bool ts_api_may_write(const ts_http_req_t *req, ts_http_resp_t *resp)
{
    const char *m = req->method ? req->method : "";
    if (req->who == NULL || !req->who->reader || strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        return true;
    ts_http_resp_error(resp, 403, "forbidden",
                       "this certificate has the role reader: it may read, not change anything "
                       "(ask the CSIRT for an admin certificate)");
    return false;
}

static bool principal_ok(const ts_principal_t *who)
{
    return who != NULL && (who->csirt || who->site_id > 0);
}

static void handle(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp);

/* Answers that depend only on the caller's scope and the request, and are
 * worth keeping: the event lists and details, stats and site profiles. Not
 * /me (it names the certificate), nor advisories and platforms (their own
 * module, with writes). */
static bool cacheable(const ts_http_req_t *req)
{
    int64_t id;
    route_t r = route_of(req->path, &id);
    return principal_ok(req->who) && (r == R_EVENTS || r == R_EVENT || r == R_STATS ||
                                      r == R_SITE || r == R_SITES || r == R_TAXONOMY);
}

/* Everything the answer depends on: the scope first, so that two callers
 * can never share an entry unless they see the same subtree. */
static void cache_key(const ts_http_req_t *req, ts_buf_t *k)
{
    if (req->who->csirt)
        ts_buf_puts(k, "csirt");
    else
        ts_buf_printf(k, "site:%" PRId64, req->who->site_id);
    ts_buf_putc(k, '\n');
    ts_buf_puts(k, req->path);
    ts_buf_putc(k, '\n');
    ts_buf_puts(k, req->query ? req->query : "");
    ts_buf_putc(k, '\n');
    ts_buf_puts(k, req->accept ? req->accept : "");
}

static _Atomic bool cache_on = true;

void ts_api_set_cache(bool on)
{
    cache_on = on;
}

void ts_api_handle(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    /* A read of many small statements runs in one snapshot, with the store's
     * read lock taken once. Writes (platforms) manage their own transaction. */
    const char *m = req->method ? req->method : "";
    bool read = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
    if (!read || st == NULL || ts_store_read_begin(st) != 0) {
        handle(st, req, resp); /* a failing store answers through the handler's errors */
        return;
    }
    uint64_t version;
    if (!cache_on || !cacheable(req) || ts_store_data_version(st, &version) != 0) {
        handle(st, req, resp);
        ts_store_read_end(st);
        return;
    }
    ts_buf_t key = TS_BUF_INIT;
    cache_key(req, &key);
    int64_t now = ts_time_now();
    if (!ts_apicache_get(key.data, key.len, version, now, resp)) {
        handle(st, req, resp);
        /* Store failures are not remembered: the next request tries again. */
        if (resp->status < 500)
            ts_apicache_put(key.data, key.len, version, now, resp);
    }
    ts_store_read_end(st);
    ts_buf_free(&key);
}

static void handle(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    int64_t id = 0;
    route_t r = route_of(req->path, &id);
    bool public_route = r == R_HEALTH || r == R_OPENAPI ||
                        strncmp(req->path, TS_API_PUBLIC_PREFIX, strlen(TS_API_PUBLIC_PREFIX)) == 0;
    /* Unauthenticated callers learn nothing, not even which paths exist. */
    if (!public_route && !principal_ok(req->who)) {
        ts_http_resp_error(resp, 401, "unauthenticated", "a valid client certificate is required");
        return;
    }
    if (!public_route && !ts_api_may_write(req, resp))
        return;
    if (r == R_ADVISORY || r == R_PLATFORMS) {
        ts_api_advisory_route(st, req, resp);
        return;
    }
    if (r == R_SCANS) {
        ts_api_scan_route(st, req, resp);
        return;
    }
    if (r == R_CONTACTS) {
        ts_api_contact_route(st, req, resp);
        return;
    }
    if (r == R_INCIDENTS) {
        ts_api_incident_route(st, req, resp);
        return;
    }
    if (r == R_TEAMS) {
        ts_api_team_route(st, req, resp);
        return;
    }
    if (r == R_DOMAINS) {
        ts_api_domain_route(st, req, resp);
        return;
    }

    if (r == R_NONE) {
        ts_api_not_found(resp);
        return;
    }
    const char *m = req->method ? req->method : "";
    if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
        ts_http_resp_error(resp, 405, "method_not_allowed", "only GET and HEAD are allowed here");
        ts_http_resp_header(resp, "Allow", "GET, HEAD");
        return;
    }
    ts_query_t q;
    char err[192];
    if (ts_query_parse(req->query, params_of(r), &q, err, sizeof err) != 0) {
        bad_param(resp, err);
        return;
    }
    bool list = r == R_EVENTS;
    ts_api_format_t fmt = TS_API_JSON;
    int xfmt = -1;
    ts_export_fmt_t xf;
    const char *fv = ts_query_get(&q, "format");
    if (fv && list && ts_export_parse(fv, &xf) == 0) {
        xfmt = (int)xf;
    } else if (fv) {
        if (ts_query_format(fv, &fmt) != 0) {
            ts_api_bad_value(resp, "format", "not json, csv or ndjson");
            ts_query_free(&q);
            return;
        }
    } else if (!negotiate(req->accept, list, &fmt, &xfmt)) {
        ts_http_resp_error(resp, 406, "not_acceptable",
                           list ? "this resource is available as application/json, text/csv "
                                  "or application/x-ndjson"
                                : "this resource is available as application/json only");
        ts_query_free(&q);
        return;
    }
    switch (r) {
    case R_HEALTH:
        do_health(st, resp);
        break;
    case R_OPENAPI:
        do_openapi(resp);
        break;
    case R_ME:
        do_me(req->who, resp);
        break;
    case R_EVENTS:
        do_events(st, req->who, &q, fmt, xfmt, resp);
        break;
    case R_EVENT:
        do_event(st, req->who, id, resp);
        break;
    case R_STATS:
        do_stats(st, req->who, &q, resp);
        break;
    case R_SITE:
        do_site(st, req->who, &q, resp);
        break;
    case R_EXPORTERS:
        do_exporters(st, req->who, resp);
        break;
    case R_SITES:
        do_sites(st, req->who, resp);
        break;
    case R_TAXONOMY:
        do_taxonomy(resp);
        break;
    case R_QUARANTINE:
        ts_api_quarantine(st, req->who, &q, resp);
        break;
    case R_INPUTS:
        ts_api_inputs(st, req->who, resp);
        break;
    default:
        ts_api_not_found(resp);
        break;
    }
    ts_query_free(&q);
}
