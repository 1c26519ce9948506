/* SPDX-License-Identifier: Apache-2.0 */
/* One flow exporter's counters as a JSON object, the same for `tocsin flows
 * stats --format json` and the CSIRT's GET /api/v1/exporters. */
#pragma once
#include <stdint.h>

#include "core/jsonw.h"
#include "flow/flow.h"

/* Writes {"exporter":..., "domain":..., ..., "drops":{...}, "last_export":...,
 * "updated":...}; updated is when the counters were saved (us). */
void ts_format_exporter_json(ts_jsonw_t *w, const ts_exporter_stats_t *s, int64_t updated);
