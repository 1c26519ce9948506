/* SPDX-License-Identifier: Apache-2.0 */
/* A stored scan as the CLI and the API show it. JSON:
 *
 *   {"id", "site", "state", "reason", "requested_by", "targets": [..], "ports",
 *    "udp", "every_s", "mode", "addresses", "created", "started", "finished",
 *    "progress" (0-100), "eta_s", "open_ports", "schedule_id",
 *    "hosts": [{"ip", "ports": [{"port", "transport", "service", "product",
 *               "version", "info", "identifier", "title", "banner", "rtt_ms",
 *               "tls": {...}|null}],
 *               "findings": [{"port", "transport", "kind", "identifier",
 *                             "type", "detail", "event_id"}]}]}
 *
 * (hosts only with detail). Every string was made clean by the probes and is
 * escaped again by the JSON writer; the text form writes them as they are
 * (they hold no control character). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "store/scanstore.h"

/* One scan's summary object (no hosts). */
void ts_scan_rec_json(ts_jsonw_t *w, const ts_scan_rec_t *r);
/* Appends scan id as a JSON object to out (hosts with detail).
 * \retval TS_ENOENT no such scan.  \retval a store error. */
TS_MUSTCHECK int ts_scan_report_json(ts_store_t *st, int64_t id, bool detail, ts_buf_t *out);
/* The same for people: a header, then a line per open port, then the findings. */
TS_MUSTCHECK int ts_scan_report_text(ts_store_t *st, int64_t id, ts_buf_t *out);
