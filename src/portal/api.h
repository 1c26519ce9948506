/* SPDX-License-Identifier: Apache-2.0 */
/* The REST API v1 (/api/v1/...): routes a request to its handler and answers
 * in JSON, or CSV / NDJSON for lists (chosen by ?format= or Accept).
 *
 * Tenant isolation is this module's job: every query is bounded by the
 * principal's site subtree (the whole constituency for a CSIRT certificate),
 * and an object outside it is answered exactly like one that does not exist
 * (404, same body). Unauthenticated requests reach only /api/v1/health and
 * /api/v1/openapi.json.
 *
 * Threading: reentrant; each thread passes its own store. */
#pragma once
#include "portal/http.h"
#include "store/store.h"

/* The published pages anyone may read without a certificate (the team
 * directory's public list, the deactivated domains): GET and HEAD only. */
#define TS_API_PUBLIC_PREFIX "/public/"

/* The one request anyone may send without a certificate that writes: a
 * contact confirming its address with the single-use token of its
 * verification mail, posted as an HTML form by the /public/verify page (its
 * strict CSP runs no script that could send JSON). */
bool ts_api_public_form(const char *method, const char *path);

/* True when path (without query) belongs to the API (starts with /api/ or
 * TS_API_PUBLIC_PREFIX). */
bool ts_api_owns(const char *path);

/* The endpoint a path goes to, for metrics: a number below
 * TS_API_ROUTE_MAX, named by ts_api_route_label() ("events", "event",
 * "advisories", ...; "unknown" for a path the API does not know). */
#define TS_API_ROUTE_MAX 24
unsigned ts_api_route_of(const char *path);
const char *ts_api_route_label(unsigned route);

/* Answers one request. Never fails: errors become JSON error responses
 * (400 bad parameter, 401 unauthenticated, 404 unknown or foreign object,
 * 405 method, 406 format, 500 store failure; the store's message is logged,
 * never sent). resp must be initialised; the caller frees it. */
void ts_api_handle(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp);

/* Turns the per-thread answer cache (portal/apicache.h) on or off for the
 * whole process (default on); `tocsin serve --no-cache` and benchmarks of the
 * uncached path use it. */
void ts_api_set_cache(bool on);

/* Extra members of the /api/v1/health answer, written after "store" by fn
 * (the serve daemon's: the bus and its nodes, bus/bus.h); fn NULL: none.
 * Set before serving; fn runs on the server's threads. */
struct ts_jsonw;
typedef void (*ts_api_health_fn)(struct ts_jsonw *w, void *ctx);
void ts_api_set_health(ts_api_health_fn fn, void *ctx);
