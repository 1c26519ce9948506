/* SPDX-License-Identifier: Apache-2.0 */
#include "ingest/linereader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"

#define READ_CHUNK (256 * 1024)
#define OVERSIZE_KEEP 4096 /* bytes of an oversized line kept for the quarantine */

struct ts_linereader {
    int fd;
    char *buf;
    size_t cap;
    size_t start;      /* first unreturned byte in buf */
    size_t end;        /* bytes valid in buf */
    uint64_t base;     /* stream offset of buf[0] */
    uint64_t consumed; /* stream offset just past the last returned line */
    uint64_t lines;    /* lines returned so far (incl. lines_before) */
    size_t max_line;
    bool eof; /* last read returned 0 */
    /* Oversized line in progress: its first bytes, its start and its length so far. */
    bool skipping;
    char keep[OVERSIZE_KEEP];
    size_t keep_len;
    uint64_t skip_offset;
    uint64_t skip_len;
};

ts_linereader_t *ts_linereader_new(int fd, uint64_t start, uint64_t lines_before, size_t max_line)
{
    ts_linereader_t *r = ts_xcalloc(1, sizeof *r);
    r->max_line = max_line < 64 ? 64 : max_line;
    r->cap = r->max_line + READ_CHUNK;
    r->buf = ts_xmalloc(r->cap);
    ts_linereader_reset(r, fd, start, lines_before);
    return r;
}

void ts_linereader_free(ts_linereader_t *r)
{
    if (r == NULL)
        return;
    free(r->buf);
    free(r);
}

void ts_linereader_reset(ts_linereader_t *r, int fd, uint64_t start, uint64_t lines_before)
{
    r->fd = fd;
    r->start = r->end = 0;
    r->base = start;
    r->consumed = start;
    r->lines = lines_before;
    r->eof = false;
    r->skipping = false;
    r->keep_len = 0;
}

size_t ts_linereader_pending(const ts_linereader_t *r)
{
    return (r->end - r->start) + (r->skipping ? 1 : 0);
}

uint64_t ts_linereader_offset(const ts_linereader_t *r)
{
    return r->consumed;
}

uint64_t ts_linereader_lines(const ts_linereader_t *r)
{
    return r->lines;
}

/* Reads more bytes. 1 = got some, 0 = none now, <0 error. */
static int fill(ts_linereader_t *r)
{
    if (r->start > 0 && (r->start == r->end || r->end + READ_CHUNK > r->cap)) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->base += r->start;
        r->end -= r->start;
        r->start = 0;
    }
    size_t room = r->cap - r->end;
    if (room == 0)
        return 0;
    ssize_t n = read(r->fd, r->buf + r->end, room);
    if (n < 0) {
        if (errno == EINTR)
            return TS_EINTR;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        return TS_EIO;
    }
    if (n == 0) {
        r->eof = true;
        return 0;
    }
    r->eof = false;
    r->end += (size_t)n;
    return 1;
}

static void emit(ts_linereader_t *r, ts_line_t *line, const char *p, size_t len, uint64_t offset,
                 uint64_t end, uint64_t full_len, bool oversized)
{
    if (!oversized && len > 0 && p[len - 1] == '\r')
        len--;
    line->text = ts_str(p, len);
    line->offset = offset;
    line->end = end;
    line->full_len = full_len;
    line->oversized = oversized;
    line->unterminated = false;
    r->consumed = end;
    line->number = ++r->lines;
}

int ts_linereader_next(ts_linereader_t *r, bool at_eof_final, ts_line_t *line)
{
    for (;;) {
        char *p = r->buf + r->start;
        size_t avail = r->end - r->start;
        char *nl = avail ? memchr(p, '\n', avail) : NULL;

        if (r->skipping) {
            /* Discard the rest of an oversized line up to its newline. */
            size_t take = nl ? (size_t)(nl - p) + 1 : avail;
            r->skip_len += take;
            r->start += take;
            if (nl) {
                r->skipping = false;
                uint64_t end = r->skip_offset + r->skip_len;
                emit(r, line, r->keep, r->keep_len, r->skip_offset, end, r->skip_len - 1, true);
                return 1;
            }
        } else if (nl) {
            size_t len = (size_t)(nl - p);
            uint64_t off = r->base + r->start;
            r->start += len + 1;
            if (len > r->max_line) {
                size_t keep = len < OVERSIZE_KEEP ? len : OVERSIZE_KEEP;
                memcpy(r->keep, p, keep);
                r->keep_len = keep;
                emit(r, line, r->keep, keep, off, off + len + 1, len, true);
            } else {
                emit(r, line, p, len, off, off + len + 1, len, false);
            }
            return 1;
        } else if (avail > r->max_line) {
            /* No newline within the bound: keep the head, skip to the newline. */
            size_t keep = avail < OVERSIZE_KEEP ? avail : OVERSIZE_KEEP;
            memcpy(r->keep, p, keep);
            r->keep_len = keep;
            r->skipping = true;
            r->skip_offset = r->base + r->start;
            r->skip_len = avail;
            r->start = r->end;
        }

        int rc = fill(r);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            if (!(at_eof_final && r->eof))
                return 0;
            /* Final end of stream: hand out what is left as an unterminated line. */
            if (r->skipping) {
                r->skipping = false;
                uint64_t end = r->skip_offset + r->skip_len;
                emit(r, line, r->keep, r->keep_len, r->skip_offset, end, r->skip_len, true);
                line->unterminated = true;
                return 1;
            }
            avail = r->end - r->start;
            if (avail == 0)
                return 0;
            p = r->buf + r->start;
            uint64_t off = r->base + r->start;
            r->start = r->end;
            emit(r, line, p, avail, off, off + avail, avail, false);
            line->unterminated = true;
            return 1;
        }
    }
}
