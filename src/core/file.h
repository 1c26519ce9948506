/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the small files tocsin takes in one go (PEM files, constituency
 * files, advisory documents): bounded, whole, and NUL-terminated. */
#pragma once
#include <stddef.h>

#include "core/error.h"

enum {
    TS_FILE_NOFOLLOW = 1, /* refuse a symbolic link as the last component */
    TS_FILE_REGULAR = 2,  /* refuse anything but a regular file (no pipe, device) */
};

/* Reads the whole file at path into a new buffer (free() it) holding *len
 * bytes and a NUL after them. It reads up to one byte past max whatever
 * fstat says, so a file that grows meanwhile, or a pipe, is bounded too.
 * On failure err gets the reason without the path ("No such file or
 * directory", "larger than 1048576 bytes", "not a regular file").
 * \retval 0 ok.  \retval TS_ENOENT no such file.  \retval TS_ETOOBIG over max.
 * \retval TS_EIO cannot open or read, or refused by flags. */
TS_MUSTCHECK int ts_file_read(const char *path, size_t max, unsigned flags, char **out /* OUT */,
                              size_t *len /* OUT, may be NULL */, char *err, size_t errsize);

/* Reads exactly n bytes from fd, restarting after EINTR.
 * \retval 0 ok.  \retval TS_EIO a read failed (errno set) or the file ended first
 * (errno 0). */
TS_MUSTCHECK int ts_read_full(int fd, void *buf, size_t n);

/* Replaces path with len bytes so that a reader sees the old file or the
 * new one, never a part: a temporary file in the same directory, written,
 * fsync'd, given mode (e.g. 0644 for a zone a resolver reads), renamed over
 * path, and the directory fsync'd. \retval 0.  \retval TS_EIO (errno set;
 * the temporary file is removed). */
TS_MUSTCHECK int ts_file_replace(const char *path, const void *data, size_t len, unsigned mode);
