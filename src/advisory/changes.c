/* SPDX-License-Identifier: Apache-2.0 */
/* The line-based files of a directory-based CSAF distribution (changes.csv,
 * index.txt), digest files, and the URL/path checks every list goes through:
 * a list is remote input, so a path in it must not climb out of the
 * directory or name another scheme. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "advisory/fetch.h"
#include "core/event.h"
#include "core/mem.h"
#include "ingest/download.h"

bool ts_csaf_url_ok(const char *url)
{
    return ts_download_url_ok(url); /* the rule of every download */
}

static bool seg_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
}

bool ts_csaf_path_ok(const char *path, size_t len)
{
    if (path == NULL || len == 0 || len > TS_CSAF_URL_MAX || path[0] == '/')
        return false;
    if (len < 6 || memcmp(path + len - 5, ".json", 5) != 0)
        return false;
    size_t seg = 0; /* start of the current segment */
    for (size_t i = 0; i <= len; i++) {
        if (i == len || path[i] == '/') {
            size_t sl = i - seg;
            if (sl == 0 || (sl == 1 && path[seg] == '.') ||
                (sl == 2 && path[seg] == '.' && path[seg + 1] == '.'))
                return false;
            seg = i + 1;
            continue;
        }
        if (!seg_char((unsigned char)path[i]))
            return false;
    }
    return true;
}

void ts_csaf_list_add(ts_csaf_list_t *l, char *url, int64_t date, char *hash_url, char *sig_url)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = ts_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (ts_csaf_entry_t){url, date, hash_url, sig_url};
}

void ts_csaf_list_free(ts_csaf_list_t *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].url);
        free(l->v[i].hash_url);
        free(l->v[i].sig_url);
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* Calls fn on each line (without its CR LF), numbered from 1. Stops with
 * fn's negative result. */
typedef int (*line_fn)(const char *line, size_t len, size_t lineno, void *arg);

static int each_line(const char *data, size_t len, line_fn fn, void *arg)
{
    size_t lineno = 0, pos = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t l = end - pos;
        if (l > 0 && data[pos + l - 1] == '\r')
            l--;
        lineno++;
        int rc = fn(data + pos, l, lineno, arg);
        if (rc < 0)
            return rc;
        pos = end + 1;
    }
    return 0;
}

struct lines {
    ts_csaf_list_t *out;
    ts_csaf_bad_cb bad;
    void *ctx;
    int64_t prev_date; /* of the previous kept line */
};

static void bad_line(struct lines *L, size_t lineno, int code, const char *why)
{
    if (L->bad)
        L->bad(lineno, code, why, L->ctx);
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* One CSV field starting at line[*pos]: quoted ("" escapes a quote) or not.
 * The field is copied to out (NUL-terminated, at most outsize - 1 bytes).
 * \retval 0 ok, *pos after the field (at ',' or the end). */
static int csv_field(const char *line, size_t len, size_t *pos, char *out, size_t outsize,
                     const char **why)
{
    size_t i = *pos, o = 0;
    if (i < len && line[i] == '"') {
        i++;
        for (;;) {
            if (i >= len) {
                *why = "unterminated quoted field";
                return TS_ESYNTAX;
            }
            if (line[i] == '"') {
                if (i + 1 < len && line[i + 1] == '"') {
                    i++;
                } else {
                    i++;
                    break;
                }
            }
            if (o + 1 >= outsize) {
                *why = "field too long";
                return TS_ETOOBIG;
            }
            out[o++] = line[i++];
        }
        if (i < len && line[i] != ',') {
            *why = "text after a closing quote";
            return TS_ESYNTAX;
        }
    } else {
        while (i < len && line[i] != ',') {
            if (line[i] == '"') {
                *why = "quote inside an unquoted field";
                return TS_ESYNTAX;
            }
            if (o + 1 >= outsize) {
                *why = "field too long";
                return TS_ETOOBIG;
            }
            out[o++] = line[i++];
        }
    }
    if (memchr(out, '\0', o) != NULL) {
        *why = "NUL byte in a field";
        return TS_ESYNTAX;
    }
    out[o] = '\0';
    *pos = i;
    return 0;
}

static int changes_line(const char *line, size_t len, size_t lineno, void *arg)
{
    struct lines *L = arg;
    if (blank(line, len))
        return 0;
    char path[TS_CSAF_URL_MAX + 1], date[128];
    const char *why = NULL;
    size_t pos = 0;
    int rc = csv_field(line, len, &pos, path, sizeof path, &why);
    if (rc == 0 && pos >= len) {
        why = "one field, expected \"path\",\"current_release_date\"";
        rc = TS_ESYNTAX;
    }
    if (rc == 0) {
        pos++; /* the comma */
        rc = csv_field(line, len, &pos, date, sizeof date, &why);
    }
    if (rc == 0 && pos < len) {
        why = "more than two fields";
        rc = TS_ESYNTAX;
    }
    if (rc < 0) {
        bad_line(L, lineno, rc, why);
        return 0;
    }
    if (!ts_csaf_path_ok(path, strlen(path))) {
        bad_line(L, lineno, TS_EINVAL, "unsafe or non-JSON document path");
        return 0;
    }
    int64_t us;
    if (ts_time_parse(date, strlen(date), &us) < 0) {
        bad_line(L, lineno, TS_EINVAL, "bad current_release_date");
        return 0;
    }
    if (L->out->n >= TS_CSAF_ENTRIES_MAX)
        return TS_ETOOBIG;
    if (L->out->n > 0 && us > L->prev_date)
        bad_line(L, lineno, 0, "newer than the line before: changes.csv is not newest first");
    L->prev_date = us;
    ts_csaf_list_add(L->out, ts_xstrdup(path), us, NULL, NULL);
    return 0;
}

static int index_line(const char *line, size_t len, size_t lineno, void *arg)
{
    struct lines *L = arg;
    if (blank(line, len))
        return 0;
    if (memchr(line, '\0', len) != NULL || !ts_csaf_path_ok(line, len)) {
        bad_line(L, lineno, TS_EINVAL, "unsafe or non-JSON document path");
        return 0;
    }
    if (L->out->n >= TS_CSAF_ENTRIES_MAX)
        return TS_ETOOBIG;
    ts_csaf_list_add(L->out, ts_xstrndup(line, len), TS_TIME_NONE, NULL, NULL);
    return 0;
}

static int parse_lines(const char *data, size_t len, ts_csaf_list_t *out, ts_csaf_bad_cb bad,
                       void *ctx, line_fn fn)
{
    *out = (ts_csaf_list_t){0};
    if (len > TS_CSAF_LIST_MAX)
        return TS_ETOOBIG;
    struct lines L = {out, bad, ctx, 0};
    int rc = each_line(data, len, fn, &L);
    if (rc < 0)
        ts_csaf_list_free(out);
    return rc;
}

int ts_csaf_changes_parse(const char *data, size_t len, ts_csaf_list_t *out, ts_csaf_bad_cb bad,
                          void *ctx)
{
    return parse_lines(data, len, out, bad, ctx, changes_line);
}

int ts_csaf_index_parse(const char *data, size_t len, ts_csaf_list_t *out, ts_csaf_bad_cb bad,
                        void *ctx)
{
    return parse_lines(data, len, out, bad, ctx, index_line);
}

int ts_csaf_digest_parse(const char *data, size_t len, unsigned char digest[64], size_t *dlen)
{
    size_t h = 0;
    while (h < len && ts_hexval((unsigned char)data[h]) >= 0)
        h++;
    if (h != 128 && h != 64)
        return TS_ESYNTAX;
    /* After the digest: the end, a newline, or whitespace and a file name
     * (one line, no control characters). */
    if (h < len) {
        if (data[h] != ' ' && data[h] != '\t' && data[h] != '\n' && data[h] != '\r')
            return TS_ESYNTAX;
        size_t i = h;
        while (i < len && data[i] != '\n')
            i++;
        for (size_t j = h; j < i; j++)
            if ((unsigned char)data[j] < 0x20 && data[j] != '\t' && data[j] != '\r')
                return TS_ESYNTAX;
        for (size_t j = i; j < len; j++)
            if (!strchr(" \t\r\n", data[j]) || data[j] == '\0')
                return TS_ESYNTAX;
    }
    for (size_t i = 0; i < h / 2; i++)
        digest[i] = (unsigned char)(ts_hexval((unsigned char)data[2 * i]) << 4 |
                                    ts_hexval((unsigned char)data[2 * i + 1]));
    *dlen = h / 2;
    return 0;
}
