/* SPDX-License-Identifier: Apache-2.0 */
/* Growable byte buffer for building output. Appends abort on OOM (internal
 * sizes), so they return nothing to check. */
#pragma once
#include <stddef.h>

#include "core/error.h"
#include "core/str.h"

typedef struct ts_buf {
    char *data; /* NUL-terminated after every append; NULL until first append */
    size_t len;
    size_t cap;
} ts_buf_t;

#define TS_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void ts_buf_free(ts_buf_t *b);
void ts_buf_reset(ts_buf_t *b); /* len = 0, keeps memory */
void ts_buf_append(ts_buf_t *b, const void *p, size_t n);
void ts_buf_puts(ts_buf_t *b, const char *s);
void ts_buf_putc(ts_buf_t *b, char c);
void ts_buf_printf(ts_buf_t *b, const char *fmt, ...) TS_PRINTF(2, 3);
