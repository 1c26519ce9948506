/* SPDX-License-Identifier: Apache-2.0 */
/* Splits a byte stream (file or pipe) into lines with exact byte offsets, so
 * that a checkpoint can say precisely where the next read starts.
 *
 * Lines longer than the bound are not buffered whole: the reader keeps their
 * first bytes, skips the rest up to the next newline and reports the line as
 * oversized, so one giant line costs bounded memory and loses nothing else. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/str.h"

typedef struct ts_linereader ts_linereader_t;

typedef struct ts_line {
    ts_str_t text;     /* without the newline (and without a trailing CR); valid until next call */
    uint64_t offset;   /* byte offset of the line's first byte in the stream */
    uint64_t end;      /* offset just past its newline: where to resume after it */
    uint64_t number;   /* 1-based line number (counted from the reader's start line) */
    uint64_t full_len; /* length of the whole line; > text.len when oversized */
    bool oversized;    /* longer than max_line: text holds only its first bytes */
    bool unterminated; /* last line of the stream, without a newline (see ts_linereader_next) */
} ts_line_t;

/* Reader over fd starting at byte offset start (the fd must already be
 * positioned there) and line number first_line (lines already consumed).
 * Does not own fd. Never NULL. */
ts_linereader_t *ts_linereader_new(int fd, uint64_t start, uint64_t lines_before, size_t max_line);
void ts_linereader_free(ts_linereader_t *r);
/* Switches to another fd (after rotation or truncation) at offset start. */
void ts_linereader_reset(ts_linereader_t *r, int fd, uint64_t start, uint64_t lines_before);

/* Next complete line.
 * \retval 1 a line in *line.
 * \retval 0 no complete line available now (end of data so far). With
 *         at_eof_final set, a pending unterminated last line is returned instead
 *         (retval 1, line->unterminated = true).
 * \retval TS_EIO read error (errno set).
 * \retval TS_EINTR read interrupted by a signal. */
TS_MUSTCHECK int ts_linereader_next(ts_linereader_t *r, bool at_eof_final,
                                    ts_line_t *line /* OUT */);

/* Bytes read but not yet returned as a line (a partial last line). */
size_t ts_linereader_pending(const ts_linereader_t *r);
/* Offset just past the last line returned: the safe checkpoint. */
uint64_t ts_linereader_offset(const ts_linereader_t *r);
uint64_t ts_linereader_lines(const ts_linereader_t *r);
