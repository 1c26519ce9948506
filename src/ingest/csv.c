/* SPDX-License-Identifier: Apache-2.0 */
#include "ingest/csv.h"

#include <string.h>

bool ts_csv_open_quote(const char *s, size_t n, char delim)
{
    bool in = false, field_start = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in) {
            if (c == '"') {
                if (i + 1 < n && s[i + 1] == '"')
                    i++;
                else
                    in = false;
            }
        } else if (c == delim || c == '\n') {
            field_start = true;
            continue;
        } else if (c == '"' && field_start) {
            in = true;
        }
        field_start = false;
    }
    return in;
}

/* One quoted field starting after its opening quote at s[*i]; the value is
 * a slice unless a doubled quote forces a copy. Python's lenient reading: a
 * closing quote followed by anything but the delimiter keeps that text. */
static int quoted(const char *s, size_t n, char delim, size_t *i, ts_arena_t *a, ts_str_t *out)
{
    size_t start = *i, k = start;
    /* Fast path: no doubled quote before the closing one. */
    const char *q = memchr(s + k, '"', n - k);
    if (q == NULL)
        return TS_ETRUNC;
    k = (size_t)(q - s);
    if (k + 1 >= n || s[k + 1] == delim) {
        *out = ts_str(s + start, k - start);
        *i = k + 1;
        return 0;
    }
    /* Slow path: unescape into the arena (never longer than the rest). */
    char *buf = ts_arena_alloc(a, n - start + 1);
    size_t len = 0;
    bool in = true;
    for (k = start; k < n; k++) {
        char c = s[k];
        if (in) {
            if (c == '"') {
                if (k + 1 < n && s[k + 1] == '"') {
                    buf[len++] = '"';
                    k++;
                } else {
                    in = false;
                }
            } else {
                buf[len++] = c;
            }
        } else if (c == delim) {
            break;
        } else {
            buf[len++] = c;
        }
    }
    if (in)
        return TS_ETRUNC;
    buf[len] = '\0';
    *out = ts_str(buf, len);
    *i = k;
    return 0;
}

int ts_csv_split(const char *s, size_t n, char delim, ts_arena_t *a, ts_str_t *fields, size_t max,
                 size_t *nf)
{
    size_t i = 0, k = 0;
    for (;;) {
        if (k == max) {
            *nf = k;
            return TS_ETOOBIG;
        }
        if (i < n && s[i] == '"') {
            i++;
            int rc = quoted(s, n, delim, &i, a, &fields[k]);
            if (rc != 0) {
                *nf = k;
                return rc;
            }
        } else {
            const char *d = i < n ? memchr(s + i, delim, n - i) : NULL;
            size_t end = d ? (size_t)(d - s) : n;
            fields[k] = ts_str(s + i, end - i);
            i = end;
        }
        k++;
        if (i >= n)
            break;
        i++; /* the delimiter */
        if (i == n) {
            /* A trailing delimiter: one more, empty field. */
            if (k == max) {
                *nf = k;
                return TS_ETOOBIG;
            }
            fields[k++] = ts_str(s + n, 0);
            break;
        }
    }
    *nf = k;
    return 0;
}

size_t ts_csv_bom(const char *s, size_t n)
{
    return n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}
