/* SPDX-License-Identifier: Apache-2.0 */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

int ts_read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = 0;
            return TS_EIO;
        }
        got += (size_t)r;
    }
    return 0;
}

int ts_file_read(const char *path, size_t max, unsigned flags, char **out, size_t *len, char *err,
                 size_t errsize)
{
    *out = NULL;
    if (len)
        *len = 0;
    if (max > SIZE_MAX / 4)
        max = SIZE_MAX / 4; /* room for the byte past it and the NUL */
    /* With TS_FILE_REGULAR, O_NONBLOCK: opening a FIFO would otherwise wait
     * for a writer before fstat could tell it is no regular file (cleared
     * again below). Without it a named pipe is read as a writer fills it. */
    int of = O_RDONLY | O_CLOEXEC | O_NOCTTY | ((flags & TS_FILE_REGULAR) ? O_NONBLOCK : 0) |
             ((flags & TS_FILE_NOFOLLOW) ? O_NOFOLLOW : 0);
    int fd = open(path, of);
    if (fd < 0) {
        int e = errno;
        ts_seterr(err, errsize, "%s", strerror(e));
        return e == ENOENT ? TS_ENOENT : TS_EIO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || ((flags & TS_FILE_REGULAR) && !S_ISREG(sb.st_mode))) {
        close(fd);
        ts_seterr(err, errsize, "not a regular file");
        return TS_EIO;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        int e = errno;
        close(fd);
        ts_seterr(err, errsize, "%s", strerror(e));
        return TS_EIO;
    }
    if (S_ISREG(sb.st_mode) && sb.st_size > 0 && (size_t)sb.st_size > max) {
        close(fd);
        ts_seterr(err, errsize, "larger than %zu bytes", max);
        return TS_ETOOBIG;
    }
    size_t cap = S_ISREG(sb.st_mode) && sb.st_size > 0 ? (size_t)sb.st_size + 2 : 65536;
    if (cap > max + 2)
        cap = max + 2;
    size_t n = 0;
    char *buf = ts_xmalloc(cap);
    for (;;) {
        if (n == cap - 1) {
            if (n > max)
                break;
            cap = cap > max / 2 ? max + 2 : cap * 2;
            buf = ts_xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            free(buf);
            ts_seterr(err, errsize, "%s", strerror(e));
            return TS_EIO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        free(buf);
        ts_seterr(err, errsize, "larger than %zu bytes", max);
        return TS_ETOOBIG;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return 0;
}

int ts_file_replace(const char *path, const void *data, size_t len, unsigned mode)
{
    size_t n = strlen(path);
    char *tmp = ts_xmalloc(n + 16);
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    int r = fd < 0 ? TS_EIO : 0;
    for (const char *p = data; r == 0 && len > 0;) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            r = TS_EIO;
            break;
        }
        p += w;
        len -= (size_t)w;
    }
    if (r == 0 && (fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0))
        r = TS_EIO;
    if (fd >= 0 && close(fd) != 0)
        r = TS_EIO;
    if (r == 0 && rename(tmp, path) != 0)
        r = TS_EIO;
    if (r != 0 && fd >= 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
    }
    if (r == 0) {
        /* The rename is durable once the directory is. */
        char *slash = strrchr(tmp, '/');
        if (slash == NULL)
            memcpy(tmp, ".", 2);
        else if (slash == tmp)
            tmp[1] = '\0';
        else
            *slash = '\0';
        int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) != 0)
            r = TS_EIO;
        if (dfd >= 0)
            close(dfd);
    }
    free(tmp);
    return r;
}
