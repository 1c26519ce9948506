/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *tt_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/tocsin-test-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmpl) == NULL)
        return NULL;
    return strdup(tmpl);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tt_rmtree(const char *path)
{
    if (path)
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *tt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (buf == NULL)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int tt_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    int rc = fwrite(data, 1, len, f) == len ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

char *tt_corpus_path(const char *relpath)
{
    const char *dir = getenv("TS_CORPUS_DIR");
    if (dir == NULL || *dir == '\0')
        dir = TS_CORPUS_DIR;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, relpath);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "SKIP: corpus file %s is absent\n", path);
        return NULL;
    }
    return strdup(path);
}

int tt_run(const char *cmd, char **out)
{
    if (out)
        *out = NULL;
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, p)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    int st = pclose(p);
    if (buf)
        buf[n] = '\0';
    if (out)
        *out = buf;
    else
        free(buf);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

int tt_golden(const char *relpath, const void *data, size_t len, char *why, size_t whysize)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/golden/%s", TS_TEST_DATA, relpath);
    const char *upd = getenv("TS_UPDATE_GOLDEN");
    if (upd && strcmp(upd, "1") == 0) {
        if (tt_write_file(path, data, len) != 0) {
            snprintf(why, whysize, "cannot write %s", path);
            return -1;
        }
        fprintf(stderr, "UPDATED golden file %s (%zu bytes): review it\n", path, len);
        return 0;
    }
    size_t n = 0;
    char *want = tt_read_file(path, &n);
    if (want == NULL) {
        snprintf(why, whysize, "missing golden file %s; create it with TS_UPDATE_GOLDEN=1", path);
        return -1;
    }
    int rc = 0;
    if (n != len || memcmp(want, data, len) != 0) {
        size_t i = 0, line = 1;
        const char *got = data;
        while (i < n && i < len && want[i] == got[i])
            line += want[i++] == '\n';
        snprintf(why, whysize,
                 "%s differs from the output at byte %zu (line %zu); if the change is intended, "
                 "rerun with TS_UPDATE_GOLDEN=1 and review the diff. Output:\n%.*s",
                 path, i, line, (int)(len > 4000 ? 4000 : len), got);
        rc = -1;
    }
    free(want);
    return rc;
}
