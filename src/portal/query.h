/* SPDX-License-Identifier: Apache-2.0 */
/* The API's query strings: a strict, bounded parser for "a=b&c=d" and the
 * typed parsers of its parameter values. Everything here reads hostile input;
 * nothing is silently fixed up: an unknown, repeated or malformed parameter is
 * an error that names the parameter, so a typo never widens a query.
 *
 * Decoding (application/x-www-form-urlencoded as browsers write it): '+' is a
 * space, %XX a byte; a '%' not followed by two hex digits, a decoded NUL or
 * control character, or a result that is not valid UTF-8 is refused. Empty
 * pieces ("a=1&&b=2", a trailing '&') are skipped; "a" alone is a = "". */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/taxonomy.h"
#include "route/constituency.h"

#define TS_QUERY_MAX 4096       /* bytes of the raw query string */
#define TS_QUERY_PARAMS_MAX 32  /* parameters */
#define TS_QUERY_VALUE_MAX 512  /* bytes of a decoded name or value */
#define TS_QUERY_CURSOR_LEN 16  /* characters of a cursor */
#define TS_QUERY_LIMIT_MAX 1000 /* largest page */

typedef struct ts_query_param {
    char *name; /* decoded, NUL-terminated, owned by the query */
    char *value;
} ts_query_param_t;

typedef struct ts_query {
    size_t n;
    ts_query_param_t p[TS_QUERY_PARAMS_MAX];
} ts_query_t;

/* Parses raw (NULL or "" = no parameters) accepting only the names listed in
 * allowed (a NULL-terminated array; NULL = none). On error, err (may be NULL)
 * gets a message naming the parameter and q is left empty.
 * \retval 0 ok; free q with ts_query_free().
 * \retval TS_ETOOBIG query, a name or a value too long, or too many parameters.
 * \retval TS_ESYNTAX bad percent escape, empty name.
 * \retval TS_EUTF8 decoded bytes not UTF-8, or holding NUL / control characters.
 * \retval TS_ENOENT a name not in allowed.  \retval TS_EEXIST a name given twice. */
TS_MUSTCHECK int ts_query_parse(const char *raw, const char *const *allowed,
                                ts_query_t *q /* OUT */, char *err, size_t errsize);
void ts_query_free(ts_query_t *q);
/* The decoded value of name, or NULL when absent. Owned by q. */
const char *ts_query_get(const ts_query_t *q, const char *name);

/* A time: RFC 3339 ("2026-11-27T08:00:00Z", see ts_time_parse()) or relative
 * to now, "<n><unit>" with n of 1-8 digits and unit s, m, h, d or w ("24h" =
 * now minus 24 hours). \retval 0 ok.  \retval TS_EINVAL otherwise. */
TS_MUSTCHECK int ts_query_time(const char *v, int64_t now, int64_t *us /* OUT */);
/* A page size: decimal 1..TS_QUERY_LIMIT_MAX, digits only. \retval TS_EINVAL. */
TS_MUSTCHECK int ts_query_limit(const char *v, size_t *limit /* OUT */);
/* "source" or "destination". \retval TS_EINVAL. */
TS_MUSTCHECK int ts_query_role(const char *v, ts_role_t *role /* OUT */);
/* An address or a CIDR prefix (host bits zero), as the inclusive range of
 * 16-byte addresses it covers (IPv4 as ::ffff:a.b.c.d, as the store keeps it).
 * \retval TS_EADDR malformed. */
TS_MUSTCHECK int ts_query_ip(const char *v, uint8_t lo[16] /* OUT */, uint8_t hi[16] /* OUT */);
/* A taxonomy or type name (case-insensitive, legacy spellings accepted).
 * \retval TS_ENOENT unknown name. */
TS_MUSTCHECK int ts_query_taxonomy(const char *v, ts_taxonomy_t *tax /* OUT */);
TS_MUSTCHECK int ts_query_type(const char *v, ts_type_t *type /* OUT */);
/* A syntactically valid site name (whether it exists is the caller's question). */
bool ts_query_site_valid(const char *v);

/* Cursors: the id where the next page starts, with a check so that garbage
 * or a mistyped cursor is refused rather than read as some other position.
 * Not a secret: a cursor only ever narrows a query that is already bounded
 * by the caller's subtree. out holds TS_QUERY_CURSOR_LEN + 1 bytes. */
void ts_query_cursor_encode(int64_t id, char *out /* OUT */);
/* \retval 0 ok, *id > 0.  \retval TS_EINVAL not a cursor. */
TS_MUSTCHECK int ts_query_cursor_decode(const char *v, int64_t *id /* OUT */);

typedef enum ts_api_format {
    TS_API_JSON,
    TS_API_CSV,
    TS_API_NDJSON,
} ts_api_format_t;

/* "json", "csv" or "ndjson". \retval TS_EINVAL. */
TS_MUSTCHECK int ts_query_format(const char *v, ts_api_format_t *fmt /* OUT */);
