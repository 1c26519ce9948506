/* SPDX-License-Identifier: Apache-2.0 */
/* Byte slices: wire bytes travel as (pointer, length), never assumed to be
 * NUL-terminated. A slice borrows its bytes; the owner is stated where the
 * slice is produced. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct ts_str {
    const char *ptr;
    size_t len;
} ts_str_t;

#define TS_STR_NULL ((ts_str_t){NULL, 0})
#define TS_STR_LIT(s) ((ts_str_t){(s), sizeof(s) - 1})

static inline ts_str_t ts_str(const char *ptr, size_t len)
{
    return (ts_str_t){ptr, len};
}

static inline ts_str_t ts_str_c(const char *cstr)
{
    return (ts_str_t){cstr, cstr ? strlen(cstr) : 0};
}

static inline bool ts_str_is_null(ts_str_t s)
{
    return s.ptr == NULL;
}

static inline bool ts_str_eq(ts_str_t a, ts_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool ts_str_eq_c(ts_str_t a, const char *b)
{
    return ts_str_eq(a, ts_str_c(b));
}

/* The value of a hexadecimal digit of either case ('0'-'9', 'a'-'f',
 * 'A'-'F'), or -1 for anything else (a char that is negative included). */
static inline int ts_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
