/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal JSON writer: appends to a ts_buf_t, escapes every string (control
 * characters, quotes, backslash, and U+2028/U+2029 for embedding in scripts),
 * replaces invalid UTF-8 with U+FFFD so that output is always valid JSON. The
 * caller writes structure; the writer tracks commas. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/str.h"

#define TS_JSONW_DEPTH 32

typedef struct ts_jsonw {
    ts_buf_t *out;
    int depth;
    bool need_comma[TS_JSONW_DEPTH];
} ts_jsonw_t;

void ts_jsonw_init(ts_jsonw_t *w, ts_buf_t *out);
void ts_jsonw_object_begin(ts_jsonw_t *w);
void ts_jsonw_object_end(ts_jsonw_t *w);
void ts_jsonw_array_begin(ts_jsonw_t *w);
void ts_jsonw_array_end(ts_jsonw_t *w);
/* Object key; must be followed by exactly one value. */
void ts_jsonw_key(ts_jsonw_t *w, const char *key);
void ts_jsonw_str(ts_jsonw_t *w, ts_str_t s);
void ts_jsonw_cstr(ts_jsonw_t *w, const char *s);
void ts_jsonw_int(ts_jsonw_t *w, int64_t v);
void ts_jsonw_uint(ts_jsonw_t *w, uint64_t v);
void ts_jsonw_bool(ts_jsonw_t *w, bool v);
void ts_jsonw_null(ts_jsonw_t *w);
/* Inserts already valid JSON text as one value (e.g. an extra value). */
void ts_jsonw_raw(ts_jsonw_t *w, ts_str_t json);
/* Appends s JSON-escaped without quotes to b (for embedding). */
void ts_json_escape(ts_buf_t *b, ts_str_t s);
