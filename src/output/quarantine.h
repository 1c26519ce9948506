/* SPDX-License-Identifier: Apache-2.0 */
/* A quarantined record and an input's checkpoint as JSON objects, the same
 * for `tocsin quarantine list --json`, `tocsin inputs --json` and the CSIRT's
 * GET /api/v1/quarantine and /api/v1/inputs. Times as the API writes them. */
#pragma once
#include "core/jsonw.h"
#include "store/store.h"

/* {"id","time","input","format","line","offset","reason","detail",
 *  "record_length","data"}: data is the record's first bytes as a string
 * (invalid UTF-8 replaced, so the object is always valid JSON). */
void ts_format_quarantine_json(ts_jsonw_t *w, const ts_quarantine_rec_t *q);
/* {"input","format","offset","line","updated"} */
void ts_format_input_json(ts_jsonw_t *w, const ts_input_info_t *in);
