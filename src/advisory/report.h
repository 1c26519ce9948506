/* SPDX-License-Identifier: Apache-2.0 */
/* What the command line and the API show of matches: the rows of a query,
 * grouped one per (site, advisory) in listing order, as JSON objects (the
 * API contract's ADV shape) and as an Atom feed (RFC 4287). Shared so that
 * `tocsin advisories` and GET /api/v1/advisories say the same thing. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "store/advstore.h"

typedef struct ts_adv_list ts_adv_list_t;

/* Runs the query and keeps its rows (copied).
 * \retval 0 ok, *out set (free with ts_adv_list_free()).  \retval a store error. */
TS_MUSTCHECK int ts_adv_list_load(ts_store_t *st, const ts_adv_query_t *q,
                                  ts_adv_list_t **out /* OUT */);
void ts_adv_list_free(ts_adv_list_t *l);
/* Groups: one per (site, advisory); its first row is the match that speaks
 * for it (decided, most urgent). */
size_t ts_adv_list_groups(const ts_adv_list_t *l);
/* The rows of group g (n_rows set), valid until ts_adv_list_free(). */
const ts_adv_row_t *ts_adv_list_group(const ts_adv_list_t *l, size_t g, size_t *n_rows /* OUT */);

/* Writes group g as one JSON object: id, title, publisher, source, revision,
 * published, updated, cvss (null when none), severity, cves, site (when
 * with_site), platform, status, undecided, verdict, reason (the rule),
 * product, remediations, alerted (null when never); with matches, also
 * "matches":[{platform, product, product_ref, status, undecided, verdict,
 * family, rule, remediations}] for every row of the group. */
void ts_adv_json_group(ts_jsonw_t *w, const ts_adv_list_t *l, size_t g, bool with_site,
                       bool with_matches);
/* An advisory without matches (the CSIRT's view of an unmatched one). */
void ts_adv_json_advisory(ts_jsonw_t *w, const ts_adv_rec_t *a);
/* The advisory's keys only (id ... cves), inside an object the caller opened. */
void ts_adv_json_fields(ts_jsonw_t *w, const ts_adv_rec_t *a);

/* Appends an Atom feed of the list's groups: feed id urn:tocsin:advisories:<who>,
 * one entry per group, updated = when it last alerted (else when it changed).
 * Every text is XML-escaped; characters XML cannot carry are dropped. */
/* CSV (RFC 4180, fields as output/format.h writes them): the header line and
 * one row of a matched advisory, both ending in CRLF; the same for
 * `tocsin advisories --format csv` and GET /api/v1/advisories?format=csv. */
void ts_adv_csv_header(ts_buf_t *out);
void ts_adv_csv_row(ts_buf_t *out, const ts_adv_row_t *r);

void ts_adv_atom(ts_buf_t *out, const ts_adv_list_t *l, const char *who, int64_t now_us);

/* "2026-11-27T08:00:00Z"; "" for 0. size >= 21. */
void ts_adv_time(int64_t us, char *buf, size_t size);
/* Status name for a stored status number ("known_affected", ...). */
const char *ts_adv_status_name(int status);
/* What a match tells the site: "needs_a_look" when undecided (whatever the
 * entry's status, it is not a verdict), else the status name. */
const char *ts_adv_verdict_name(int status, bool undecided);
/* Parses a status name (also "affected", "not_affected") to its number; 0 if unknown. */
int ts_adv_status_parse(const char *s);
