/* SPDX-License-Identifier: Apache-2.0 */
/* A directory team as JSON (in the shape of FIRST's team record, with the
 * constituency, representatives and process added) and as CSV, for the CLI,
 * the API and the public page. */
#pragma once
#include <stdbool.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "store/teamstore.h"

typedef enum ts_team_view {
    TS_TEAM_PUBLIC = 0, /* what anyone may read: no phone, representatives, process */
    TS_TEAM_FULL = 1,   /* everything, with sponsors and the audit trail */
} ts_team_view_t;

/* Whether the public directory shows the team: listed, accreditation
 * candidate or accredited. */
bool ts_team_public(int state);

/* Writes t as one JSON object, reading its constituency, representatives,
 * sponsors and audit trail from st.
 * \retval 0.  \retval a store error (w then holds a partial object). */
TS_MUSTCHECK int ts_team_write_json(ts_store_t *st, const ts_team_rec_t *t, ts_team_view_t view,
                                    ts_jsonw_t *w);

/* The CSV header line (CRLF-terminated) and one team's row: name,
 * official_name, country, state, email, emergency_phone, website, rfc2350,
 * hours, tz, ctype, asns, networks, domains (lists space-separated). Cells
 * that a spreadsheet would run as a formula are prefixed with '. */
void ts_team_csv_header(ts_buf_t *out);
TS_MUSTCHECK int ts_team_write_csv(ts_store_t *st, const ts_team_rec_t *t, ts_buf_t *out);
