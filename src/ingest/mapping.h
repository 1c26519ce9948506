/* SPDX-License-Identifier: Apache-2.0 */
/* Mapped feeds: a declarative mapping file says how a CSV or JSON-lines feed
 * becomes events, so that a CSIRT adds a feed without writing C
 * (docs/feeds.md has the format and two worked examples). In short, a JSON
 * object:
 *   "format"      "csv" or "json" (one object per line)
 *   "delimiter"   csv: one byte (default ",")
 *   "comment"     lines starting with this text are skipped (default none)
 *   "header"      csv: the first line names the columns (default true); else
 *                 columns are named "1", "2", ...
 *   "time_format" how time fields are written: "rfc3339" (default: RFC 3339,
 *                 "YYYY-MM-DD HH:MM:SS" in UTC, HTTP dates), "unix",
 *                 "unix_ms" or "filetime" (100 ns ticks since 1601)
 *   "tlp"         the feed's TLP for records that carry none
 *   "constants"   {field: value} set on every event
 *   "fields"      [{"column"|"path": ..., "field": ..., "conversion": ...,
 *                 "map": {value: value}, "default": ..., "required": bool}]
 *   "unmapped"    "extra" (default: columns or top-level members no field
 *                 names go to extra) or "drop"
 * Fields are IntelMQ names the event models, or "extra.NAME"; any other
 * name is refused when the mapping is read, as is an unknown conversion or
 * key. Conversions are those of Shadowserver's schema (shadowserver.h). */
#pragma once
#include "ingest/parser.h"

#define TS_MAPPING_MAX (1u << 20) /* bytes of a mapping file */

typedef struct ts_mapping ts_mapping_t;

/* \retval 0 ok (free with ts_mapping_free).  \retval TS_ESYNTAX, TS_ETRUNC,
 * TS_EUTF8 not JSON.  \retval TS_EINVAL, TS_ETYPE, TS_EMISSING not a mapping:
 * err says which key ("fields[2].field: unknown field \"source.ipp\""). */
TS_MUSTCHECK int ts_mapping_parse(const char *json, size_t len, ts_mapping_t **out /* OUT */,
                                  char *err, size_t errsize);
void ts_mapping_free(ts_mapping_t *m);

/* `--format mapped --mapping FILE`, and the feeds that are built-in mappings. */
extern const ts_parser_ops_t ts_mapping_parser_ops;
extern const ts_parser_ops_t ts_certeu_parser_ops; /* CERT-EU's CSV feed */
extern const ts_parser_ops_t ts_ctip_parser_ops;   /* Microsoft CTIP (Azure JSON lines) */
