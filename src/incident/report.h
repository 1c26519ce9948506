/* SPDX-License-Identifier: Apache-2.0 */
/* What the command line and the API show of an incident: its fields and
 * its priority explained, one entry per factor with the points it gave and
 * why. Shared so that `tocsin incident show` and GET /api/v1/incidents/{id}
 * say the same thing. Scores and points are shown with one decimal ("26.0"):
 * the score is exactly the sum of the points shown. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "incident/priority.h"
#include "store/incstore.h"

/* What the incident's priority was computed from (for ts_priority_why). */
void ts_incident_prio_in(const ts_incident_t *inc, ts_prio_in_t *in /* OUT */);

/* Tenths of a point as text: 260 -> "26.0", -5 -> "-0.5". buf >= 16 bytes. */
void ts_points_text(int32_t tenths, char *buf, size_t size);

/* The incident's keys, inside an object the caller opened: id, site,
 * previous_id (null: none), type, taxonomy, identifier, object, role, state,
 * suppressed, first_seen, last_seen, created, updated, event_count, count,
 * own_hosts, peers, tlp (null: none), feed, cve, advisory, critical, note,
 * score, and with factors, "factors": [{factor, points, weight, why}] in
 * the order of ts_factor_t. Empty texts are written as "". */
void ts_incident_json_fields(ts_jsonw_t *w, const ts_incident_t *inc, const ts_incconf_t *c,
                             bool factors);

/* One feed's feedback (ts_store_feedback()) as a JSON object: feed,
 * incidents, false_positive, expected, resolved, suppressed_incidents,
 * suppressed_events. */
void ts_feedback_json(ts_jsonw_t *w, const ts_feedback_t *f);

/* A suppression rule as a JSON object: id, site, type, identifier, net,
 * peer ("": any), who, note, created, expires (null: never), expired (as of
 * now, us since the epoch). */
void ts_suppress_json(ts_jsonw_t *w, const ts_suppress_t *r, const char *site_name, int64_t now);

/* CSV (the protections of output/format.h): the header line, then one line
 * per incident: id, site, score, state, suppressed, type, identifier,
 * object, role, first_seen, last_seen, events, count, own_hosts, peers,
 * tlp, feed, previous_id. Lines end in CRLF. */
void ts_incident_csv_header(ts_buf_t *out);
void ts_incident_csv_row(ts_buf_t *out, const ts_incident_t *inc);
