/* SPDX-License-Identifier: Apache-2.0 */
/* Shadowserver reports, read by the schema Shadowserver publishes for them
 * (the format IntelMQ loads: per report type, constant_fields, then
 * required_fields and optional_fields as [event field, CSV column,
 * conversion, (takes the row)]).
 *
 * A row becomes one event: constants first, then each mapped column through
 * its conversion, then every column the report's schema does not map as
 * extra.<column>, so that nothing a report says is lost. A required column
 * absent from the header, or empty in a row, refuses the row; an optional
 * value its conversion refuses is kept as extra.<column>, as IntelMQ keeps
 * it. Field names the event does not model go to extra under their full
 * name (field.h). */
#pragma once
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "ingest/parser.h"

struct ts_fvalue;

#define TS_SS_SCHEMA_MAX (32u << 20) /* bytes of a schema file */

typedef struct ts_ss_schema ts_ss_schema_t;

/* Parses and checks a schema: an object of reports (keys starting with '_'
 * are metadata), each with string feed_name and file_name, an object of
 * string constant_fields, and arrays of [field, column(, conversion(,
 * true))] whose conversions are all known and whose fields are event
 * fields or "extra." names.
 * \retval 0 ok, *out set (free with ts_ss_schema_free).
 * \retval TS_ESYNTAX, TS_ETRUNC, TS_EUTF8, TS_ETOOBIG not JSON, or too big.
 * \retval TS_EINVAL, TS_ETYPE, TS_EMISSING not the schema format: err says
 *         where ("report scan_ntp: optional_fields[3]: unknown conversion"). */
TS_MUSTCHECK int ts_ss_schema_parse(const char *json, size_t len, ts_ss_schema_t **out /* OUT */,
                                    char *err, size_t errsize);
/* Reads a schema file (bounded by TS_SS_SCHEMA_MAX). As above, plus
 * TS_ENOENT / TS_EIO. */
TS_MUSTCHECK int ts_ss_schema_load(const char *path, ts_ss_schema_t **out /* OUT */, char *err,
                                   size_t errsize);
void ts_ss_schema_free(ts_ss_schema_t *s);
/* _meta.date_created, or NULL. Owned by the schema. */
const char *ts_ss_schema_date(const ts_ss_schema_t *s);
size_t ts_ss_schema_reports(const ts_ss_schema_t *s);
/* The report whose key or file_name is name: its index, or -1. */
int ts_ss_report_find(const ts_ss_schema_t *s, const char *name);
/* The report type named by a report file's name: the part after the date in
 * "2024-07-04-dns_openresolver-123-sample-asn.csv" (Shadowserver's
 * documented form); for other names, the longest file_name of the schema
 * found in the base name. Its index, or -1. */
int ts_ss_report_from_path(const ts_ss_schema_t *s, const char *path);
/* The report's key (its type name). */
const char *ts_ss_report_name(const ts_ss_schema_t *s, int report);
/* A report in words (name, feed, file name, constants, fields with columns
 * and conversions), one item per line; all reports when report < 0 (their
 * names, feeds and field counts). */
void ts_ss_report_describe(const ts_ss_schema_t *s, int report, ts_buf_t *out);

/* Reading one report's rows. */
typedef struct ts_ss_reader ts_ss_reader_t;
/* The schema must outlive the reader. Never NULL. */
ts_ss_reader_t *ts_ss_reader_new(const ts_ss_schema_t *s, int report);
void ts_ss_reader_free(ts_ss_reader_t *r);
/* The header row (a BOM is skipped). A repeated column name keeps its
 * first column for the schema and gives the others as extra "<name>_<k>".
 * \retval 0.  \retval TS_ESYNTAX not CSV.  \retval TS_ETOOBIG too many columns.
 * A header that lacks a required column is accepted: each row then says so. */
TS_MUSTCHECK int ts_ss_reader_header(ts_ss_reader_t *r, const char *rec, size_t len,
                                     ts_parse_error_t *err);
/* One row. \retval TS_PARSE_EVENT, or a negative ts_err with err->detail
 * (TS_EMISSING: a required field; TS_ESYNTAX: a field count other than the
 * header's, a quote left open). */
TS_MUSTCHECK int ts_ss_reader_row(ts_ss_reader_t *r, const char *rec, size_t len, ts_arena_t *a,
                                  ts_event_t *out /* OUT */, ts_parse_error_t *err);

/* One conversion of the schema by name, applied to one value (for tests and
 * `feeds schema show`): the result as text (numbers and booleans as JSON),
 * or "" when the conversion gives nothing. Conversions that read the row see
 * only the given value. \retval 0.  \retval TS_ENOENT unknown conversion.
 * \retval TS_EINVAL the value is refused. */
TS_MUSTCHECK int ts_ss_convert(const char *conversion, const char *value, ts_arena_t *a,
                               ts_buf_t *out);

/* The same conversions for mapping files (mapping.c): a conversion's id by
 * name ("" is none; -1 unknown), and its result for one value (conversions
 * that read the row see only this value): 1 *out set, 0 nothing, < 0 the
 * value is refused. */
int ts_ss_conversion(const char *name);
int ts_ss_convert_value(int conv, ts_str_t value, ts_arena_t *a, struct ts_fvalue *out /* OUT */);

extern const ts_parser_ops_t ts_ss_parser_ops;
