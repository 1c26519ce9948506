/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"

/* Edge cases first: an untouched buffer, empty appends, NUL bytes. */
static void test_empty(void **state)
{
    ts_buf_t b = TS_BUF_INIT;
    assert_null(b.data);
    ts_buf_reset(&b); /* must not touch a NULL data pointer */
    assert_int_equal(b.len, 0);
    ts_buf_free(&b); /* freeing a never-used buffer is fine */
    ts_buf_free(&b); /* and idempotent */

    ts_buf_append(&b, "", 0); /* an empty append still gives a C string */
    assert_non_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    ts_buf_puts(&b, "");
    ts_buf_printf(&b, "%s", "");
    assert_int_equal(b.len, 0);
    ts_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.cap, 0);
}

static void test_embedded_nul(void **state)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_buf_append(&b, "a\0b", 3);
    ts_buf_putc(&b, '\0');
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "a\0b\0", 5); /* plus the terminator */
    ts_buf_free(&b);
}

static void test_append_and_reset(void **state)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_buf_puts(&b, "hello");
    ts_buf_putc(&b, ',');
    ts_buf_append(&b, " world!!", 6);
    assert_int_equal(b.len, 12);
    assert_string_equal(b.data, "hello, world");
    size_t cap = b.cap;
    char *data = b.data;
    ts_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(b.cap, cap); /* memory kept */
    assert_ptr_equal(b.data, data);
    ts_buf_puts(&b, "again");
    assert_string_equal(b.data, "again");
    ts_buf_free(&b);
}

static void test_printf(void **state)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_buf_printf(&b, "%d-%s-%zu", -42, "x", (size_t)7);
    assert_string_equal(b.data, "-42-x-7");
    /* Longer than any small internal scratch buffer. */
    char big[5000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ts_buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, 7 + 2 + sizeof big - 1);
    assert_int_equal(b.data[7], '[');
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(strlen(b.data), b.len);
    ts_buf_free(&b);
}

/* Many small appends: content must match a reference built independently. */
static void test_growth(void **state)
{
    ts_buf_t b = TS_BUF_INIT;
    static char ref[100000];
    size_t n = 0;
    uint32_t x = 12345;
    while (n < sizeof ref - 64) {
        x = x * 1103515245u + 12345u;
        size_t k = (x >> 16) % 40;
        char chunk[40];
        for (size_t i = 0; i < k; i++)
            chunk[i] = (char)('a' + (x + i) % 26);
        ts_buf_append(&b, chunk, k);
        memcpy(ref + n, chunk, k);
        n += k;
        assert_true(b.cap > b.len);
    }
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, ref, n);
    assert_int_equal(b.data[n], '\0');
    ts_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_append_and_reset),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
