/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the record parsers (eve.c, intelmq.c); not a public API.
 * All of them fill err->detail and return the error code they were given, so
 * a parser can write `return ts_perr(err, TS_ETYPE, "...")`. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/jsonscan.h"
#include "ingest/parser.h"

/* Formats err->detail and returns code. */
int ts_perr(ts_parse_error_t *err, int code, const char *fmt, ...) TS_PRINTF(3, 4);
/* Error from a failed JSON walk: "JSON: <msg> at byte N". */
int ts_perr_json(ts_parse_error_t *err, const ts_jscan_iter_t *it);

/* Copies a JSON string value, unescaped, into the arena (NUL-terminated).
 * lower: ASCII lower-case it. field names the field in error details.
 * \retval 0 ok.  \retval TS_ETYPE not a string.  \retval TS_ETOOBIG longer
 * than TS_EVENT_STR_MAX.  \retval TS_EINVAL contains U+0000. */
TS_MUSTCHECK int ts_pstr(ts_arena_t *a, const ts_jscan_val_t *v, const char *field, bool lower,
                         ts_str_t *out /* OUT */, ts_parse_error_t *err);

/* A member key as text for matching: the raw key when it has no escapes,
 * else unescaped into buf (cap bytes); an empty slice when it does not fit,
 * as no key a parser looks for is that long. */
ts_str_t ts_pkey(const ts_jscan_key_t *k, char *buf, size_t cap);

/* A string value as a slice: the raw content when it has no escapes, else
 * unescaped into buf (cap bytes).
 * \retval 0 ok.  \retval TS_ETYPE not a string.  \retval TS_ETOOBIG does not
 * fit buf.  \retval TS_EINVAL contains U+0000. */
TS_MUSTCHECK int ts_pstr_small(const ts_jscan_val_t *v, char *buf, size_t cap,
                               ts_str_t *out /* OUT */);

/* Adds or replaces extra[key] = the value's JSON text (copied into the arena).
 * key must outlive the event (static or arena).
 * \retval 0 ok.  \retval TS_ETOOBIG value longer than TS_EVENT_STR_MAX, or
 * TS_EVENT_EXTRA_MAX keys already. */
TS_MUSTCHECK int ts_pextra(ts_arena_t *a, ts_event_t *e, ts_str_t key, const ts_jscan_val_t *v,
                           ts_parse_error_t *err);

/* Port: a JSON integer 0..65535.  \retval TS_ETYPE / TS_ERANGE with detail. */
TS_MUSTCHECK int ts_pport(const ts_jscan_val_t *v, const char *field, int32_t *out /* OUT */,
                          ts_parse_error_t *err);

/* True if s is a plausible DNS host name (LDH and '_' labels of 1..63 bytes,
 * at most 253 bytes, optional trailing dot, last label not all digits so that
 * IPv4 literals are not names). */
bool ts_pdns_name(ts_str_t s);

/* Arena copy of a DNS name, ASCII lower-cased, trailing dot removed. */
ts_str_t ts_pdns_copy(ts_arena_t *a, ts_str_t s);

/* sshd.c: the time against which the year of a year-less syslog timestamp is
 * inferred (microseconds since the epoch); TS_TIME_NONE (the default) means
 * "now". A test hook: tests set it to stay deterministic. Process-wide. */
void ts_sshd_set_reference_time(int64_t us);
