/* SPDX-License-Identifier: Apache-2.0 */
#include "core/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* Makes room for n more bytes plus the terminating NUL. Capacity doubles so
 * that a long run of small appends stays linear. */
static void reserve(ts_buf_t *b, size_t n)
{
    if (n > SIZE_MAX - b->len - 1) {
        /* Callers bound input-driven sizes; reaching this is a logic error,
         * and the policy for internal sizes is to abort like on OOM. */
        fprintf(stderr, "tocsin: buffer size overflow\n");
        abort();
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->data = ts_xrealloc(b->data, cap);
    b->cap = cap;
}

void ts_buf_free(ts_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void ts_buf_reset(ts_buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void ts_buf_append(ts_buf_t *b, const void *p, size_t n)
{
    reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ts_buf_puts(ts_buf_t *b, const char *s)
{
    ts_buf_append(b, s, strlen(s));
}

void ts_buf_putc(ts_buf_t *b, char c)
{
    reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void ts_buf_printf(ts_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fprintf(stderr, "tocsin: ts_buf_printf: bad format\n");
        abort();
    }
    if ((size_t)n < sizeof small) {
        ts_buf_append(b, small, (size_t)n);
        return;
    }
    /* Too long for the stack buffer: format again straight into the buffer. */
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}
