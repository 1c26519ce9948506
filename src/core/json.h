/* SPDX-License-Identifier: Apache-2.0 */
/* Strict JSON documents (configuration, the constituency file, API bodies)
 * over json-c, with errors a person can act on.
 *
 * ts_json_parse() is stricter than json-c alone: besides JSON_TOKENER_STRICT
 * and JSON_TOKENER_VALIDATE_UTF8 it refuses what json-c 0.16 lets through
 * even in strict mode (single-quoted strings, NaN/Infinity, NUL bytes), and
 * optionally duplicate object keys, which json-c silently resolves to the
 * last one: in a file kept by people a repeated key is a mistake, not an
 * override. Errors carry a 1-based line and byte column.
 *
 * Values are json-c objects (ts_json_t is struct json_object). A JSON null is
 * the NULL pointer, as in json-c. The typed accessors write messages of the
 * form "<what>: expected string, got number" into err (if non-NULL), which
 * callers prefix with their own context ("site uni-a: networks[2]: ..."). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/str.h"

struct json_object;
typedef struct json_object ts_json_t;

#define TS_JSON_DEPTH_DEFAULT 32 /* nested arrays/objects */
#define TS_JSON_ERRMAX 256       /* a good size for err buffers */

/* ts_json_parse() flags. */
enum {
    TS_JSON_NO_DUPKEYS = 1, /* refuse an object naming the same key twice */
};

/* Parses exactly one JSON value from (buf, len); whitespace may surround it.
 * \retval 0 ok, *out set (NULL for a JSON null); free with ts_json_free().
 * \retval TS_ETOOBIG len > max_len, or nesting deeper than max_depth.
 * \retval TS_ESYNTAX not JSON, trailing data, or a duplicate key.
 * \retval TS_ETRUNC input ended inside the value (or is empty).
 * \retval TS_EUTF8 invalid UTF-8.
 * On error *out is NULL and err (if non-NULL, errsize bytes) gets a message
 * with the position: "line 3, column 7: unexpected character". */
TS_MUSTCHECK int ts_json_parse(const char *buf, size_t len, size_t max_len, int max_depth,
                               unsigned flags, ts_json_t **out /* OUT */, char *err,
                               size_t errsize);
void ts_json_free(ts_json_t *v);

/* "null", "boolean", "number", "string", "array" or "object". */
const char *ts_json_type_name(const ts_json_t *v);

/* Typed views of a value; `what` names it in messages.
 * \retval TS_ETYPE wrong type. as_str: \retval TS_EINVAL the string contains
 * NUL (callers use C strings), TS_EUTF8 it decodes to invalid UTF-8 (lone
 * surrogate escapes). The slice is owned by v. */
TS_MUSTCHECK int ts_json_as_str(const ts_json_t *v, const char *what, ts_str_t *out /* OUT */,
                                char *err, size_t errsize);
/* An integer (no fraction or exponent) within [min, max].
 * \retval TS_ERANGE outside; values beyond int64 (which json-c saturates) are
 * always out of range. */
TS_MUSTCHECK int ts_json_as_int(const ts_json_t *v, const char *what, int64_t min, int64_t max,
                                int64_t *out /* OUT */, char *err, size_t errsize);
TS_MUSTCHECK int ts_json_as_bool(const ts_json_t *v, const char *what, bool *out /* OUT */,
                                 char *err, size_t errsize);
/* An array; *n gets its length. */
TS_MUSTCHECK int ts_json_as_array(const ts_json_t *v, const char *what, size_t *n /* OUT */,
                                  char *err, size_t errsize);
TS_MUSTCHECK int ts_json_as_object(const ts_json_t *v, const char *what, char *err, size_t errsize);

/* Element i of an array (i < length), NULL for a JSON null. */
ts_json_t *ts_json_index(const ts_json_t *arr, size_t i);
/* Member `key` of an object: true if present (*val set, NULL for null). */
bool ts_json_member(const ts_json_t *obj, const char *key, ts_json_t **val /* OUT */);

/* Typed members. A required member that is absent gives TS_EMISSING ("field
 * \"key\" is missing"); an optional absent member gives 0 and leaves *out as
 * the caller initialised it. The message names the key. */
TS_MUSTCHECK int ts_json_get_str(const ts_json_t *obj, const char *key, bool required,
                                 ts_str_t *out /* OUT */, char *err, size_t errsize);
TS_MUSTCHECK int ts_json_get_int(const ts_json_t *obj, const char *key, bool required, int64_t min,
                                 int64_t max, int64_t *out /* OUT */, char *err, size_t errsize);
/* *arr (NULL if absent and optional) and *n (0 then). */
TS_MUSTCHECK int ts_json_get_array(const ts_json_t *obj, const char *key, bool required,
                                   ts_json_t **arr /* OUT */, size_t *n /* OUT */, char *err,
                                   size_t errsize);

/* Refuses keys of obj not in allowed[0..n-1] so that typos are not ignored.
 * \retval TS_EINVAL "unknown field \"netwroks\"". */
TS_MUSTCHECK int ts_json_check_keys(const ts_json_t *obj, const char *const *allowed, size_t n,
                                    char *err, size_t errsize);
