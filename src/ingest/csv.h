/* SPDX-License-Identifier: Apache-2.0 */
/* CSV records (RFC 4180, read as leniently as Python's csv module with its
 * defaults, which is what feeds are written and checked with): fields
 * separated by one delimiter byte, optionally quoted with '"', a quote inside
 * a quoted field doubled. A quote that closes a field early is taken as
 * Python takes it: the rest up to the delimiter is kept as text. A quoted
 * field may hold delimiters and newlines, so one record may span lines.
 *
 * Fields are slices of the record unless they held a doubled quote, then
 * unescaped copies in the arena. Nothing else is allocated. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/str.h"

#define TS_CSV_FIELDS_MAX 256 /* fields of one record */

/* True when (s, n) ends inside a quoted field: the record goes on with the
 * next line (the caller joins them with "\n"). */
bool ts_csv_open_quote(const char *s, size_t n, char delim);

/* Splits one record into fields[0..*nf).
 * \retval 0 ok.  \retval TS_ETOOBIG more than max fields (*nf = max).
 * \retval TS_ETRUNC the record ends inside a quoted field. */
TS_MUSTCHECK int ts_csv_split(const char *s, size_t n, char delim, ts_arena_t *a, ts_str_t *fields,
                              size_t max, size_t *nf /* OUT */);

/* Length of a UTF-8 byte order mark at the start of (s, n): 3 or 0. */
size_t ts_csv_bom(const char *s, size_t n);
