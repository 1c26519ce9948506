/* SPDX-License-Identifier: Apache-2.0 */
/* The line reader: exact offsets, oversized lines bounded and skipped, the
 * unterminated last line, and a stream arriving in pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/linereader.h"

/* A pipe carrying the given bytes, write end closed (so EOF follows). */
static int pipe_with(const char *data, size_t len)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_true(len < 60000); /* fits the pipe buffer */
    assert_int_equal(write(fds[1], data, len), (ssize_t)len);
    close(fds[1]);
    return fds[0];
}

static void test_oversized_line_is_bounded_and_skipped(void **state)
{
    (void)state;
    size_t big = 3000;
    char *data = malloc(big + 64);
    size_t n = 0;
    memcpy(data + n, "ok1\n", 4);
    n += 4;
    memset(data + n, 'x', big);
    n += big;
    data[n++] = '\n';
    memcpy(data + n, "ok2\n", 4);
    n += 4;
    int fd = pipe_with(data, n);
    ts_linereader_t *r = ts_linereader_new(fd, 0, 0, 100);
    ts_line_t line;
    assert_int_equal(ts_linereader_next(r, true, &line), 1);
    assert_true(ts_str_eq_c(line.text, "ok1"));
    assert_int_equal(ts_linereader_next(r, true, &line), 1);
    assert_true(line.oversized);
    assert_int_equal(line.full_len, big);
    assert_true(line.text.len <= 4096);
    assert_int_equal(line.offset, 4);
    assert_int_equal(line.end, 4 + big + 1);
    assert_int_equal(line.number, 2);
    assert_int_equal(ts_linereader_next(r, true, &line), 1);
    assert_true(ts_str_eq_c(line.text, "ok2"));
    assert_false(line.oversized);
    assert_int_equal(line.number, 3);
    assert_int_equal(ts_linereader_next(r, true, &line), 0);
    assert_int_equal(ts_linereader_offset(r), n);
    ts_linereader_free(r);
    close(fd);
    free(data);
}

static void test_unterminated_last_line_only_when_final(void **state)
{
    (void)state;
    int fd = pipe_with("a\nb\r\npartial", 12);
    ts_linereader_t *r = ts_linereader_new(fd, 0, 0, 100);
    ts_line_t line;
    assert_int_equal(ts_linereader_next(r, false, &line), 1);
    assert_true(ts_str_eq_c(line.text, "a"));
    assert_int_equal(ts_linereader_next(r, false, &line), 1);
    assert_true(ts_str_eq_c(line.text, "b")); /* CR of CRLF dropped */
    /* Not final: the partial line waits for its newline. */
    assert_int_equal(ts_linereader_next(r, false, &line), 0);
    assert_int_equal(ts_linereader_offset(r), 5);
    assert_int_equal(ts_linereader_pending(r), 7);
    assert_int_equal(ts_linereader_next(r, true, &line), 1);
    assert_true(line.unterminated);
    assert_true(ts_str_eq_c(line.text, "partial"));
    assert_int_equal(ts_linereader_offset(r), 12);
    assert_int_equal(ts_linereader_next(r, true, &line), 0);
    ts_linereader_free(r);
    close(fd);
}

static void test_offsets_resume_mid_stream(void **state)
{
    (void)state;
    /* A reader started at a checkpoint counts from there. */
    int fd = pipe_with("third\nfourth\n", 13);
    ts_linereader_t *r = ts_linereader_new(fd, 1000, 2, 100);
    ts_line_t line;
    assert_int_equal(ts_linereader_next(r, true, &line), 1);
    assert_int_equal(line.offset, 1000);
    assert_int_equal(line.number, 3);
    assert_int_equal(ts_linereader_next(r, true, &line), 1);
    assert_int_equal(line.offset, 1006);
    assert_int_equal(line.end, 1013);
    assert_int_equal(ts_linereader_lines(r), 4);
    ts_linereader_free(r);
    close(fd);
}

static void test_many_lines_across_buffer_refills(void **state)
{
    (void)state;
    /* Enough data to force several refills and compactions of the buffer. */
    char path[] = "/tmp/tocsin-lr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    size_t total = 0;
    for (int i = 0; i < 200000; i++) {
        char buf[64];
        int len = snprintf(buf, sizeof buf, "line-%d-%s\n", i, i % 7 ? "x" : "xxxxxxxxxxxxxxxxxx");
        assert_int_equal(write(fd, buf, (size_t)len), len);
        total += (size_t)len;
    }
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    ts_linereader_t *r = ts_linereader_new(fd, 0, 0, 1024 * 1024);
    ts_line_t line;
    uint64_t expect_off = 0;
    for (int i = 0; i < 200000; i++) {
        assert_int_equal(ts_linereader_next(r, true, &line), 1);
        char want[64];
        int len = snprintf(want, sizeof want, "line-%d-%s", i, i % 7 ? "x" : "xxxxxxxxxxxxxxxxxx");
        assert_int_equal(line.text.len, (size_t)len);
        assert_memory_equal(line.text.ptr, want, (size_t)len);
        assert_int_equal(line.offset, expect_off);
        expect_off = line.end;
    }
    assert_int_equal(ts_linereader_next(r, true, &line), 0);
    assert_int_equal(ts_linereader_offset(r), total);
    ts_linereader_free(r);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oversized_line_is_bounded_and_skipped),
        cmocka_unit_test(test_unterminated_last_line_only_when_final),
        cmocka_unit_test(test_offsets_resume_mid_stream),
        cmocka_unit_test(test_many_lines_across_buffer_refills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
