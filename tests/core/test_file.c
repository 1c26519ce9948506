/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/file.h"
#include "testutil.h"

static char *dir;

static void write_file(const char *name, const char *data, size_t n)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static int read_it(const char *name, size_t max, unsigned flags, char **buf, size_t *len)
{
    char p[512], err[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int r = ts_file_read(p, max, flags, buf, len, err, sizeof err);
    if (r)
        assert_true(err[0] != '\0'); /* a failure always says why */
    return r;
}

static void test_refused(void **state)
{
    (void)state;
    char *buf = (char *)1;
    size_t len = 9;
    assert_int_equal(read_it("missing", 100, 0, &buf, &len), TS_ENOENT);
    assert_null(buf);
    assert_int_equal(len, 0);
    write_file("eleven", "hello world", 11);
    assert_int_equal(read_it("eleven", 10, 0, &buf, &len), TS_ETOOBIG);
    assert_null(buf);
    /* A directory, a FIFO: not regular files. */
    char p[512];
    snprintf(p, sizeof p, "%s/sub", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    assert_int_equal(read_it("sub", 100, TS_FILE_REGULAR, &buf, &len), TS_EIO);
    snprintf(p, sizeof p, "%s/fifo", dir);
    assert_int_equal(mkfifo(p, 0600), 0);
    assert_int_equal(read_it("fifo", 100, TS_FILE_REGULAR | TS_FILE_NOFOLLOW, &buf, &len), TS_EIO);
    /* A symbolic link with NOFOLLOW, read without. */
    char target[512];
    snprintf(target, sizeof target, "%s/eleven", dir);
    snprintf(p, sizeof p, "%s/link", dir);
    assert_int_equal(symlink(target, p), 0);
    assert_int_equal(read_it("link", 100, TS_FILE_NOFOLLOW, &buf, &len), TS_EIO);
    assert_int_equal(read_it("link", 100, 0, &buf, &len), 0);
    assert_int_equal(len, 11);
    free(buf);
}

static void test_read(void **state)
{
    (void)state;
    char *buf;
    size_t len;
    write_file("exact", "0123456789", 10);
    assert_int_equal(read_it("exact", 10, TS_FILE_REGULAR, &buf, &len), 0);
    assert_int_equal(len, 10);
    assert_string_equal(buf, "0123456789");
    free(buf);
    write_file("empty", "", 0);
    assert_int_equal(read_it("empty", 10, 0, &buf, &len), 0);
    assert_int_equal(len, 0);
    assert_string_equal(buf, "");
    free(buf);
    /* Larger than the first buffer guess of a file without a size. */
    size_t big = 300000;
    char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + i % 26);
    write_file("big", data, big);
    assert_int_equal(read_it("big", big, 0, &buf, &len), 0);
    assert_int_equal(len, big);
    assert_memory_equal(buf, data, big);
    free(buf);
    assert_int_equal(read_it("big", big - 1, 0, &buf, &len), TS_ETOOBIG);
    free(data);
}

static void test_read_full(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "abcdef", 6), 6);
    close(fds[1]);
    char b[8];
    assert_int_equal(ts_read_full(fds[0], b, 4), 0);
    assert_memory_equal(b, "abcd", 4);
    /* Two bytes left, four asked: a short read is an error. */
    assert_int_equal(ts_read_full(fds[0], b, 4), TS_EIO);
    close(fds[0]);
}

static int setup(void **state)
{
    (void)state;
    dir = tt_tmpdir();
    return dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tt_rmtree(dir);
    free(dir);
    return 0;
}

/* ts_file_replace: a missing directory refused with nothing left behind;
 * then a new file, a replacement with its mode, no temporary file left. */
static void test_replace(void **state)
{
    (void)state;
    char *tmp = tt_tmpdir();
    char path[512], missing[512];
    snprintf(path, sizeof path, "%s/zone", tmp);
    snprintf(missing, sizeof missing, "%s/no-such-dir/zone", tmp);
    assert_int_equal(ts_file_replace(missing, "x", 1, 0644), TS_EIO);
    assert_int_equal(ts_file_replace(path, "first\n", 6, 0600), 0);
    assert_int_equal(ts_file_replace(path, "second\n", 7, 0644), 0);
    size_t len = 0;
    char *got = tt_read_file(path, &len);
    assert_non_null(got);
    assert_int_equal(len, 7);
    assert_memory_equal(got, "second\n", 7);
    free(got);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", tmp);
    char *out = NULL;
    assert_int_equal(tt_run(cmd, &out), 0);
    assert_int_equal(atoi(out), 1); /* only the zone: no temporary file */
    free(out);
    tt_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_read_full),
        cmocka_unit_test(test_replace),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
