/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the record parser tests (tests/ingest/test_<format>.c).
 * Include after <cmocka.h>. */
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "ingest/parser.h"

/* Parses a heap copy of exactly n bytes, so that ASan catches any read past
 * the end of the line. */
static inline int tt_parse_n(ts_parse_fn fn, ts_arena_t *a, const char *line, size_t n,
                             ts_event_t *e, ts_parse_error_t *err)
{
    char *buf = calloc(n ? n : 1, 1);
    if (n)
        memcpy(buf, line, n);
    err->detail[0] = '\0';
    int rc = fn(buf, n, a, e, err);
    free(buf);
    return rc;
}

/* The JSON text of extra[key], or NULL. */
static inline const char *tt_extra(const ts_event_t *e, const char *key)
{
    for (uint32_t i = 0; i < e->n_extra; i++)
        if (ts_str_eq_c(e->extra[i].key, key))
            return e->extra[i].value_json.ptr;
    return NULL;
}

/* The line must be refused with code, and the detail contain detail_part
 * (unless NULL). */
static inline void tt_expect_err(ts_parse_fn fn, ts_arena_t *a, const char *line, int code,
                                 const char *detail_part)
{
    ts_event_t e;
    ts_parse_error_t err;
    int rc = tt_parse_n(fn, a, line, strlen(line), &e, &err);
    if (rc != code)
        fail_msg("rc %d (want %d) detail '%s' for: %s", rc, code, err.detail, line);
    if (detail_part && strstr(err.detail, detail_part) == NULL)
        fail_msg("detail '%s' lacks '%s' for: %s", err.detail, detail_part, line);
}
