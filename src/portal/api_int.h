/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the API: endpoint groups that live in files of their own. api.c
 * routes every path under a group's prefix to its function, after the
 * authentication check (req->who is never NULL here). */
#pragma once
#include "portal/http.h"
#include "portal/query.h"
#include "store/store.h"

/* /api/v1/advisories[/...] and /api/v1/platforms[/...] (api_advisory.c). */
void ts_api_advisory_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp);

/* /api/v1/scans[/...] (api_scan.c). */
void ts_api_scan_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp);
/* /api/v1/contacts[/ID] and /api/v1/outbox (api_contact.c): a site's
 * contacts and its notification mails. */
void ts_api_contact_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp);
/* /api/v1/incidents[/{id}], /api/v1/suppressions[/{id}] and /api/v1/feedback
 * (api_incident.c): writes are PATCH of an incident, POST and DELETE of a
 * suppression rule. */
void ts_api_incident_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp);
/* The team directory and contact lookup (api_team.c): /api/v1/teams,
 * /api/v1/contact-lookup, /public/teams and /public/teams.json. */
void ts_api_team_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp);
/* /api/v1/domain-cases[/{id}[/decisions]] (the CSIRT's only) and the public
 * /public/domains[.json|.atom] (req->who may be NULL there) (api_domain.c). */
void ts_api_domain_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp);

/* An event as GET /api/v1/events lists it (its visible links). */
void ts_api_put_event(struct ts_jsonw *w, const ts_stored_event_t *ev);

/* /api/v1/quarantine and /api/v1/inputs (api_ops.c): the CSIRT's view of its
 * inputs; a site certificate is answered 404, as for any path it may not
 * know of. */
void ts_api_quarantine(ts_store_t *st, const ts_principal_t *who, const ts_query_t *q,
                       ts_http_resp_t *resp);
void ts_api_inputs(ts_store_t *st, const ts_principal_t *who, ts_http_resp_t *resp);

/* Answers shared by the endpoint groups, so that every group refuses the same
 * way: a bad parameter (400, naming it), unknown or not yours (404, the same
 * bytes for both), and a store failure (500; the store's message is logged,
 * never sent). */
void ts_api_bad_value(ts_http_resp_t *resp, const char *name, const char *why);
void ts_api_not_found(ts_http_resp_t *resp);
void ts_api_internal(ts_store_t *st, ts_http_resp_t *resp, int err, const char *what);
/* The tenant bound of a request: the principal's site, a descendant named by
 * ?site= (site_name, may be NULL), or for the CSIRT 0 (everything) or any
 * named site. Anything else is answered 404 like an unknown site, and false
 * returned when resp already holds the answer. */
TS_MUSTCHECK bool ts_api_scope(ts_store_t *st, const ts_principal_t *who, const char *site_name,
                               ts_http_resp_t *resp, int64_t *root /* OUT */);
/* A resource id in a path: the n bytes at s in canonical decimal, 1 ..
 * 2^63-1, nothing else (no sign, no leading zero); false for anything that
 * cannot name a resource, which the routes answer like an unknown path. */
bool ts_api_parse_id(const char *s, size_t n, int64_t *id /* OUT */);
/* False, with resp set to 403 read_only, when the request would change
 * something (any method but GET and HEAD) and its certificate has the role
 * reader. handle() asks it once for every route, so that no write route
 * (platforms, contacts, later incidents and scans) can forget it. */
TS_MUSTCHECK bool ts_api_may_write(const ts_http_req_t *req, ts_http_resp_t *resp);
