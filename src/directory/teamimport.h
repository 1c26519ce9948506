/* SPDX-License-Identifier: Apache-2.0 */
/* Importing directory teams from JSON: an array of team records in the shape
 * `tocsin team export` writes (FIRST's team record with the constituency and
 * representatives), or {"teams": [...]} as /api/v1/teams answers.
 *
 * Only data is imported: a new team becomes a candidate, a known one gets
 * its data replaced; the process (state, sponsors, audit, dates) is never
 * taken from a file, so an import cannot list or accredit anyone. Those
 * members are accepted and ignored; any other member is refused. Every
 * record is checked before anything is written, and the whole file is one
 * transaction: one bad record changes nothing. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/teamstore.h"

#define TS_TEAM_IMPORT_MAX (16u << 20) /* bytes of a file */
#define TS_TEAM_IMPORT_TEAMS 100000

typedef struct ts_team_import ts_team_import_t;

/* \retval 0, *out set (ts_team_import_free()).  \retval TS_EINVAL and the
 * JSON errors, err naming the record and member ("teams[3].country: ..."). */
TS_MUSTCHECK int ts_team_import_parse(const char *json, size_t len,
                                      ts_team_import_t **out /* OUT */, char *err, size_t errsize);
void ts_team_import_free(ts_team_import_t *imp);
size_t ts_team_import_count(const ts_team_import_t *imp);
/* Record i (i < count), valid until ts_team_import_free(). */
const ts_team_rec_t *ts_team_import_get(const ts_team_import_t *imp, size_t i);

/* Writes every record in one transaction (the caller has none open).
 * \retval 0 with *added and *changed.  \retval a store refusal (nothing
 * written), err naming the record and the rule. */
TS_MUSTCHECK int ts_team_import_apply(ts_store_t *st, const ts_team_import_t *imp, int64_t now,
                                      const char *who, size_t *added /* OUT */,
                                      size_t *changed /* OUT */, char *err, size_t errsize);
