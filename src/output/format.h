/* SPDX-License-Identifier: Apache-2.0 */
/* Event output formats for `tocsin events` and exports. Formatting streams: a
 * caller appends the header, then each event as it is read from the store,
 * then the footer, writing and resetting the buffer whenever it likes; no
 * function needs more than the one event it is given.
 *
 * Every format treats event data as hostile (signatures, URLs, user names come
 * from attackers):
 *  - json: NDJSON, one object per line with IntelMQ-style dotted keys in a
 *    fixed order; always valid JSON in valid UTF-8 (see core/jsonw.h), never a
 *    raw newline inside a line. Absent fields are omitted, not null.
 *  - csv: RFC 4180 with CRLF line ends, a header line, UTF-8 without BOM.
 *    Fields holding a comma, double quote, CR or LF are quoted, quotes doubled.
 *    Against formula injection in spreadsheets (OWASP "CSV Injection"), a text
 *    field starting with '=', '+', '-', '@', TAB or CR gets a leading single
 *    quote; the numeric columns (id, ports, ASNs) are written by tocsin itself
 *    and never prefixed. Invalid UTF-8, NUL, DEL, the C1 controls and the C0
 *    controls other than TAB, CR and LF become U+FFFD.
 *  - table: fixed-width columns for a terminal. C0/C1 controls, DEL,
 *    U+2028/U+2029 and the bidirectional overrides and isolates become '?',
 *    invalid UTF-8 becomes U+FFFD, so data cannot move the cursor, recolour or
 *    retitle the terminal. Widths count code points (East Asian wide
 *    characters may shift a row); cells are cut on character boundaries and a
 *    cut is shown with U+2026.
 *
 * Many targets (core/targets.h): json writes "source.network",
 * "tocsin.source.targets" (and the destination's) and each link's share as
 * that link's "targets", every list whole; csv has the columns tlp,
 * source.network, source.target_count (empty when unknown), source.targets
 * (the list, space-separated) and the destination's, all written by tocsin;
 * the table's SOURCE and DESTINATION cells show the list's summary, or the
 * network, when the side has no address. Every format shows the TLP. */
#pragma once
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/jsonw.h"
#include "store/store.h"

typedef enum ts_format {
    TS_FMT_TABLE,
    TS_FMT_JSON,
    TS_FMT_CSV,
} ts_format_t;

/* Looks up a format by name: "table", "json" (alias "ndjson") or "csv",
 * case-sensitive. \retval 0 ok, *out set.  \retval TS_EINVAL unknown name. */
TS_MUSTCHECK int ts_format_parse(const char *name, ts_format_t *out /* OUT */);
/* The canonical name of a format ("table", "json", "csv"); static storage. */
const char *ts_format_name(ts_format_t fmt);

/* Appends what precedes the first event: the CSV header line, the table's
 * column titles and rule; nothing for json. */
void ts_format_header(ts_format_t fmt, ts_buf_t *out);
/* Appends one event, ending with the format's line end ("\n", CSV "\r\n"). */
void ts_format_event(ts_format_t fmt, const ts_stored_event_t *ev, ts_buf_t *out);
/* Appends what follows the last event: for the table a count line
 * ("3 events"); nothing for json and csv, so their output can be concatenated
 * or cut at any line. count is the number of events formatted. */
void ts_format_footer(ts_format_t fmt, size_t count, ts_buf_t *out);

/* A target list (t->n >= 1) as a JSON object: "count" when known, "exact",
 * "summary" (ts_targets_summary()), "list" of at most max entries, and
 * "more": the entries left out, when any were. */
void ts_format_targets_json(ts_jsonw_t *w, const ts_targets_t *t, uint32_t max);

/* One CSV text field with the protections above (quoting, the formula guard,
 * controls and invalid UTF-8 replaced), preceded by a comma unless first;
 * for other CSV outputs (advisories, platforms) to write fields the same way.
 * s NULL is an empty field. */
void ts_format_csv_text(ts_buf_t *out, const char *s, bool first);
/* One table cell with the table's protections (controls and bidirectional
 * overrides as '?', invalid UTF-8 as U+FFFD), cut to width code points
 * (marked with U+2026) and, with pad, filled with spaces to it; width 0:
 * the whole text, unpadded. s NULL is an empty cell. */
void ts_format_table_cell(ts_buf_t *out, const char *s, size_t width, bool pad);
