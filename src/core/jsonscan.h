/* SPDX-License-Identifier: Apache-2.0 */
/* Non-allocating, strictly validating JSON scanner for the ingest hot path.
 *
 * Validation follows RFC 8259 exactly: the number grammar, no trailing commas,
 * no comments, no control characters in strings, escapes limited to the eight
 * single-character ones and \uXXXX, strings must be valid UTF-8 (no overlong
 * forms, no surrogates, nothing above U+10FFFF), \u escapes must form valid
 * scalar values (a high surrogate must be followed by a low one), nesting is
 * bounded by TS_JSCAN_DEPTH_MAX, and only whitespace may follow the document.
 * Duplicate keys are not an error (RFC 8259 only says SHOULD be unique); a
 * caller walking an object sees every occurrence in order, so "last wins" is
 * what a simple overwrite gives, as with json-c.
 *
 * Walking: ts_jscan_object_begin() on a document, then ts_jscan_object_next()
 * yields each member as (key, value), where the value is validated and skipped
 * as a whole and given as its raw slice. ts_jscan_enter() opens a nested
 * object or array value for the same walk. Nothing is copied: every slice
 * points into the caller's text, which must outlive the iterator. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/str.h"

/* Deepest nesting accepted; the document's outermost value is depth 1. */
#define TS_JSCAN_DEPTH_MAX 64

typedef enum ts_jscan_type {
    TS_JSCAN_NONE = 0,
    TS_JSCAN_NULL,
    TS_JSCAN_FALSE,
    TS_JSCAN_TRUE,
    TS_JSCAN_NUMBER,
    TS_JSCAN_STRING,
    TS_JSCAN_ARRAY,
    TS_JSCAN_OBJECT,
} ts_jscan_type_t;

/* A value as found in the text. */
typedef struct ts_jscan_val {
    ts_jscan_type_t type;
    ts_str_t raw;  /* exact JSON text (strings with their quotes, containers with brackets) */
    bool escaped;  /* TS_JSCAN_STRING: contains at least one backslash escape */
    bool integer;  /* TS_JSCAN_NUMBER: no fraction and no exponent */
    uint8_t depth; /* nesting depth of this value (document root = 1) */
} ts_jscan_val_t;

/* An object key: the text between the quotes, still escaped if escaped. */
typedef struct ts_jscan_key {
    ts_str_t raw;
    bool escaped;
} ts_jscan_key_t;

/* Walk state of one object or array. Plain data, lives on the caller's stack;
 * fields are private. */
typedef struct ts_jscan_iter {
    const char *_doc; /* start of the document, for error offsets */
    const char *_p;
    const char *_end;
    uint8_t _depth; /* depth of the container being walked */
    uint8_t _first; /* no member read yet */
    uint8_t _top;   /* document root: check for trailing garbage at the end */
    uint8_t _array;
    uint8_t _pending;    /* lazy walk: 1 container at _p not yet scanned, 2 opened */
    int err;             /* 0, or the ts_err of the first failure */
    size_t err_off;      /* byte offset of the failure in the document */
    const char *err_msg; /* static text describing the failure, or NULL */
} ts_jscan_iter_t;

/* Validates a whole document (any JSON value) of n bytes.
 * \retval 0 valid.
 * \retval TS_ESYNTAX grammar error, nesting too deep, or trailing garbage.
 * \retval TS_EUTF8 invalid UTF-8 or an invalid \u escape sequence.
 * err_off / err_msg (both may be NULL) receive the position and a static
 * message on failure. */
TS_MUSTCHECK int ts_jscan_validate(const char *s, size_t n, size_t *err_off /* OUT */,
                                   const char **err_msg /* OUT */);

/* Starts walking a document whose root must be an object. Leading
 * whitespace is skipped.
 * \retval 0 ok.  \retval TS_ETYPE the root is not an object (or the text is
 * empty).  The iterator's err fields are set on failure. */
TS_MUSTCHECK int ts_jscan_object_begin(ts_jscan_iter_t *it, const char *s, size_t n);

/* Next member of an object being walked.
 * \retval 1 *key and *val set (val fully validated).
 * \retval 0 end of the object; for the document root, also verified that only
 *         whitespace follows.
 * \retval TS_ESYNTAX / TS_EUTF8 the text is invalid; it->err, err_off and
 *         err_msg say where. The iterator must not be used further. */
TS_MUSTCHECK int ts_jscan_object_next(ts_jscan_iter_t *it, ts_jscan_key_t *key /* OUT */,
                                      ts_jscan_val_t *val /* OUT */);

/* Next element of an array being walked; same return values as
 * ts_jscan_object_next(). */
TS_MUSTCHECK int ts_jscan_array_next(ts_jscan_iter_t *it, ts_jscan_val_t *val /* OUT */);

/* Opens a nested object or array value (as returned by *_next) for walking.
 * parent provides the document start for error offsets (may be NULL).
 * \retval 0 ok.  \retval TS_ETYPE v is neither object nor array. */
TS_MUSTCHECK int ts_jscan_enter(const ts_jscan_iter_t *parent, const ts_jscan_val_t *v,
                                ts_jscan_iter_t *child /* OUT */);

/* Single-pass walking. ts_jscan_object_next() validates a nested value as a
 * whole before returning it, so opening it afterwards with ts_jscan_enter()
 * scans its bytes a second time. The lazy variants below do not scan a nested
 * object or array: they return it with type, depth and raw.ptr (its opening
 * bracket) set but raw.len == 0, and leave it pending in the iterator. Before
 * the next call on that iterator the caller may either
 *   - ts_jscan_open() it and walk the child (with any *_next function), then
 *     ts_jscan_close() it, which validates whatever the child did not read and
 *     continues the parent after it; or
 *   - ts_jscan_skip() it, which validates it and completes val->raw;
 * or do nothing, and the next call validates and steps over it. Every byte is
 * still validated exactly once, with the same rules and depth bound. A pending
 * value's raw must not be used (nor given to ts_jscan_enter()) before it has
 * been completed. Scalars are returned exactly as by the eager functions. */

/* Lazy ts_jscan_object_next(); same return values. */
TS_MUSTCHECK int ts_jscan_object_next_lazy(ts_jscan_iter_t *it, ts_jscan_key_t *key /* OUT */,
                                           ts_jscan_val_t *val /* OUT */);
/* Lazy ts_jscan_array_next(); same return values. */
TS_MUSTCHECK int ts_jscan_array_next_lazy(ts_jscan_iter_t *it, ts_jscan_val_t *val /* OUT */);

/* Opens the container left pending by the last lazy call on it. child shares
 * its document (error offsets are document offsets); it must not be used
 * again until ts_jscan_close().
 * \retval 0 ok.
 * \retval TS_EINVAL nothing is pending (a usage error; set in child->err).
 * \retval TS_ESYNTAX the container would exceed TS_JSCAN_DEPTH_MAX (set in
 *         it and child), or it->err if it had already failed. */
TS_MUSTCHECK int ts_jscan_open(ts_jscan_iter_t *it, ts_jscan_iter_t *child /* OUT */);

/* Finishes a container opened with ts_jscan_open(): validates the rest of
 * child and resumes it after the closing bracket. If val (may be NULL) is the
 * value that was opened, its raw.len is completed.
 * \retval 0 ok.
 * \retval TS_ESYNTAX / TS_EUTF8 the container is invalid; it->err, err_off
 *         and err_msg say where (copied from child).
 * \retval TS_EINVAL no container is open in it (usage error, set in it->err). */
TS_MUSTCHECK int ts_jscan_close(ts_jscan_iter_t *it, ts_jscan_iter_t *child,
                                ts_jscan_val_t *val /* IN/OUT, may be NULL */);

/* Validates and steps over the pending container, completing val->raw.len
 * (val may be NULL).
 * \retval 0 ok.  \retval TS_ESYNTAX / TS_EUTF8 invalid (it->err set).
 * \retval TS_EINVAL nothing pending (usage error, set in it->err). */
TS_MUSTCHECK int ts_jscan_skip(ts_jscan_iter_t *it, ts_jscan_val_t *val /* IN/OUT, may be NULL */);

/* The content of a string value, without quotes and still escaped. */
static inline ts_str_t ts_jscan_str_raw(const ts_jscan_val_t *v)
{
    return ts_str(v->raw.ptr + 1, v->raw.len - 2);
}

/* Unescapes validated string content (a key's raw or ts_jscan_str_raw()) into
 * out (cap bytes; the result is never longer than the input, so cap >= len
 * always suffices). The result is valid UTF-8 and not NUL-terminated.
 * \retval 0 ok, *out_len set.
 * \retval TS_ETOOBIG the result would exceed cap.
 * \retval TS_EINVAL the string contains U+0000 (kept out of C strings).
 * \retval TS_ESYNTAX the input is not validated string content. */
TS_MUSTCHECK int ts_jscan_unescape(const char *raw, size_t len, char *out, size_t cap,
                                   size_t *out_len /* OUT */);

/* Exact integers from a number value.
 * \retval 0 ok.  \retval TS_ETYPE not a number, or has a fraction/exponent.
 * \retval TS_ERANGE does not fit (negative for the unsigned variant). */
TS_MUSTCHECK int ts_jscan_int64(const ts_jscan_val_t *v, int64_t *out /* OUT */);
TS_MUSTCHECK int ts_jscan_uint64(const ts_jscan_val_t *v, uint64_t *out /* OUT */);

/* Short name of a value type ("string", "object", ...), static storage. */
const char *ts_jscan_type_name(ts_jscan_type_t t);
